"""The console's names for the domain's codes (stages, events, roles, statuses, kinds), translated
when shown. Every page names a code through these, so a stage reads the same everywhere."""

from __future__ import annotations

from collections.abc import Callable


def N_(message: str) -> str:
    """Marks ``message`` for the catalogs (``pybabel extract -k N_``); it is translated when shown."""
    return message


STAGES = {
    "drafting": N_("Drafting"),
    "consultation": N_("Consultation"),
    "approval": N_("Approval"),
    "implementation": N_("Implementation"),
    "monitoring": N_("Monitoring"),
    "expiry": N_("Expired"),
}
EVENTS = {
    "submit_for_consultation": N_("Submit for consultation"),
    "return_to_drafting": N_("Return to drafting"),
    "submit_for_approval": N_("Submit for approval"),
    "approve": N_("Approve"),
    "start_monitoring": N_("Start monitoring"),
    "expire": N_("Expire"),
}
ROLES = {
    "admin": N_("administrator"),
    "coordinator": N_("coordinator"),
    "contact_point": N_("contact point"),
    "viewer": N_("viewer"),
    "escalation": N_("escalation contact"),
}
KINDS = {"strategy": N_("Strategy"), "action_plan": N_("Action plan")}
MEASURE_STATUSES = {
    "not_started": N_("Not started"),
    "on_track": N_("On track"),
    "delayed": N_("Delayed"),
    "completed": N_("Completed"),
    "cancelled": N_("Cancelled"),
}
REPORT_STATUSES = {
    "draft": N_("Draft"),
    "submitted": N_("Submitted"),
    "accepted": N_("Accepted"),
    "returned": N_("Returned"),
}
DEADLINES = {
    "drafting_due": N_("Drafting due"),
    "consultation_due": N_("Consultation due"),
    "approval_due": N_("Approval due"),
    "lapse": N_("Lapses"),
    "period_end": N_("Lapses"),  # the ledger's name for the lapse deadline
    "report_due": N_("Report due"),
}
NOTIFICATION_KINDS = {
    "deadline_reminder": N_("Deadline reminder"),
    "overdue": N_("Overdue notice"),
    "gap_warning": N_("Gap warning"),
    "delivery_failed": N_("Undelivered-email notice"),
    "report_due": N_("Report reminder"),
}
NOTIFICATION_STATUSES = {
    "pending": N_("Waiting to be sent"),
    "sending": N_("Being sent"),
    "sent": N_("Sent"),
    "failed": N_("Not delivered"),
    "cancelled": N_("No longer needed"),
}
EXPIRY_REASONS = {
    "superseded": N_("Superseded by a successor"),
    "terminated": N_("Terminated early"),
    "period_ended": N_("Its period ended"),
}
LANGUAGES = {"en": N_("English"), "sq": N_("Albanian")}


def namer(table: dict[str, str], gettext: Callable[[str], str]) -> Callable[[str | None], str]:
    def name(code: str | None) -> str:
        if code is None:
            return ""
        return gettext(table[code]) if code in table else code

    return name


VOCABULARY = {
    "stage_name": STAGES,
    "event_name": EVENTS,
    "role_name": ROLES,
    "kind_name": KINDS,
    "measure_status_name": MEASURE_STATUSES,
    "report_status_name": REPORT_STATUSES,
    "deadline_name": DEADLINES,
    "reason_name": EXPIRY_REASONS,
    "language_name": LANGUAGES,
    "notification_kind_name": NOTIFICATION_KINDS,
    "notification_status_name": NOTIFICATION_STATUSES,
}


def vocabulary(gettext: Callable[[str], str]) -> dict[str, Callable[[str | None], str]]:
    """The template globals ``stage_name(code)``, ``event_name(code)``, ... in one language."""
    return {name: namer(table, gettext) for name, table in VOCABULARY.items()}
