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
    "round_closes": N_("Consultation round closes"),
    "submissions_unanswered": N_("Consultation comments to answer"),
    "gap": N_("Gap in coverage"),  # a lapse with no successor in force (the gap watch's deadline)
    "delivery_failed": N_("Undelivered email"),  # the notice that an email could not be delivered
}
NOTIFICATION_KINDS = {
    "deadline_reminder": N_("Deadline reminder"),
    "overdue": N_("Overdue notice"),
    "gap_warning": N_("Gap warning"),
    "delivery_failed": N_("Undelivered-email notice"),
    "report_due": N_("Report reminder"),
    "digest": N_("Digest"),
}
NOTIFICATION_STATUSES = {
    "pending": N_("Waiting to be sent"),
    "sending": N_("Being sent"),
    "sent": N_("Sent"),
    "failed": N_("Not delivered"),
    "cancelled": N_("No longer needed"),
    "held": N_("Waiting for the person's digest"),
    "merged": N_("Sent with another email about the same lapse"),
}
# The fields a PATCH changes, as the Strategy page's list of changes names them.
FIELDS = {
    "title": N_("Title"),
    "policy_area": N_("Policy area"),
    "lead_institution_id": N_("Lead institution"),
    "parent_id": N_("Part of strategy"),
    "predecessor_id": N_("Predecessor"),
    "period_start": N_("Period start"),
    "period_end": N_("Period end"),
    "drafting_started_on": N_("Drafting start"),
    "drafting_due": N_("Drafting due"),
    "consultation_due": N_("Consultation due"),
    "approval_due": N_("Approval due"),
    "min_consultation_days": N_("Minimum consultation, in working days"),
    "reminder_offsets": N_("Reminder days"),
    "overdue_offsets": N_("Overdue notice days"),
}
EXPIRY_REASONS = {
    "superseded": N_("Superseded by a successor"),
    "terminated": N_("Terminated early"),
    "period_ended": N_("Its period ended"),
}
LANGUAGES = {"en": N_("English"), "sq": N_("Albanian")}
# An event as it reads in a history, once it has happened ("Approved"), not as its button ("Approve").
EVENTS_DONE = {
    "submit_for_consultation": N_("Submitted for consultation"),
    "return_to_drafting": N_("Returned to drafting"),
    "submit_for_approval": N_("Submitted for approval"),
    "approve": N_("Approved"),
    "start_monitoring": N_("Monitoring started"),
    "expire": N_("Ended"),  # not "Expired": that msgid is the stage's name, translated otherwise
}
# Policy areas are free codes; these are the ones Continuum knows by name. Others read as their code.
POLICY_AREAS = {
    "migration": N_("Migration"),
    "diaspora": N_("Diaspora"),
    "anti-trafficking": N_("Anti-trafficking"),
    "integrated-border-management": N_("Integrated border management"),
    "reintegration": N_("Reintegration of returnees"),
    "integration": N_("Integration of foreigners"),
}


def readable(code: str) -> str:
    """An unknown code as words: ``integrated-border-management`` -> ``Integrated border management``."""
    return code.replace("-", " ").replace("_", " ").capitalize()


def namer(table: dict[str, str], gettext: Callable[[str], str]) -> Callable[[str | None], str]:
    def name(code: str | None) -> str:
        if code is None:
            return ""
        return gettext(table[code]) if code in table else readable(code)

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
    "event_done_name": EVENTS_DONE,
    "area_name": POLICY_AREAS,
    "field_name": FIELDS,
}


def vocabulary(gettext: Callable[[str], str]) -> dict[str, Callable[[str | None], str]]:
    """The template globals ``stage_name(code)``, ``event_name(code)``, ... in one language."""
    return {name: namer(table, gettext) for name, table in VOCABULARY.items()}
