"""The outbox event types a webhook subscription may ask for, each with what it reports.

Every type the domain records (``record_event``, ``record_events``, the status tables'
``announced_as``) is here; ``tests/workflow/webhooks/test_catalog.py`` reads the code to check
that none is missing.
"""

from __future__ import annotations

EVENT_TYPES: dict[str, str] = {
    "strategy_created": "A strategy or action plan was registered (or imported).",
    "strategy_updated": "A strategy's fields changed (the changes, old and new values).",
    "stage_changed": "A strategy moved to another stage of its lifecycle (its new version).",
    "gap_status_changed": "A strategy's gap status changed (covered, at risk, gap, ...).",
    "gap_warning": "A gap warning was recorded for a strategy about to lapse without a successor.",
    "report_submitted": "A progress report was submitted.",
    "report_accepted": "A progress report was accepted.",
    "report_returned": "A progress report was returned for changes.",
    "consultation_round_opened": "A consultation round opened.",
    "consultation_round_extended": "A consultation round was extended.",
    "consultation_round_closed": "A consultation round closed.",
    "consultation_event_recorded": "A consultation event (a meeting, a publication) was recorded.",
    "consultation_submission_recorded": "A stakeholder's submission to a consultation was recorded.",
    "consultation_response_recorded": "The answer to a consultation submission was recorded.",
    "stakeholder_category_added": "A stakeholder category was added.",
    "non_working_day_declared": "A non-working day was declared.",
    "non_working_day_removed": "A declared non-working day was removed.",
    "portfolio_imported": "A portfolio was imported.",
    "contact_deactivated": "A contact left; who took over their reminders, if anyone.",
}
