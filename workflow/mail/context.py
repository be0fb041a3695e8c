"""What a notification is about: the facts a template may show, and nothing it has to look up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from workflow.reminders import DEADLINE_REMINDER, DELIVERY_FAILED, GAP_WARNING, LAPSE, OVERDUE, REPORT_DUE

NOTIFICATION_KINDS = (DEADLINE_REMINDER, OVERDUE, GAP_WARNING, DELIVERY_FAILED, REPORT_DUE)

DEADLINE_KINDS = (
    "drafting_due", "consultation_due", "approval_due", LAPSE, "report_due", "round_closes", "submissions_unanswered",
)
LANGUAGES = ("en", "sq")
DOCUMENT_KINDS = ("strategy", "action_plan")


@dataclass(frozen=True)
class NotificationContext:
    """Everything one email says. Dates are passed in: rendering never asks the clock.

    ``days`` counts from the sending day to ``due_on``: positive before it, negative after it,
    0 on the day. ``app_url`` is a link shown as it is (the caller builds it).
    """

    strategy_title: str
    strategy_id: int
    deadline_kind: str
    due_on: date
    days: int
    recipient_name: str
    successor_title: str | None = None
    successor_stage: str | None = None
    projected_approval: date | None = None
    projection_basis: str | None = None
    risk_statement: dict[str, list[str]] | None = None  # per language: the gap risk in words (workflow.gaps)
    failed_recipient: str | None = None
    failed_recipient_email: str | None = None
    last_error: str | None = None
    escalated: bool = False
    escalate_after_days: int | None = None  # the deployment's escalation threshold, for the sentence saying why
    recipient_escalates: bool = False  # the recipient hears of it as an escalation contact, not as the one to act
    reporting_period: str | None = None
    reporting_institution: str | None = None  # whose progress report is due or late
    round_number: int | None = None  # a consultation round closing, or closed with comments unanswered
    unanswered: int | None = None  # how many of its comments have no answer yet
    document_kind: str = "strategy"  # or "action_plan": what the email calls the document
    app_url: str | None = None

    def __post_init__(self) -> None:
        if self.deadline_kind not in DEADLINE_KINDS:
            raise ValueError(f"unknown deadline kind {self.deadline_kind!r}; expected one of {DEADLINE_KINDS}")
        if self.document_kind not in DOCUMENT_KINDS:
            raise ValueError(f"unknown document kind {self.document_kind!r}; expected one of {DOCUMENT_KINDS}")
        if self.app_url is not None and urlsplit(self.app_url).scheme not in ("http", "https"):
            raise ValueError("app_url must be an http(s) URL")

    @property
    def is_lapse(self) -> bool:
        return self.deadline_kind == LAPSE


def check_fits_kind(kind: str, context: NotificationContext) -> None:
    """Refuse a context that would make the email say something false (an 'overdue' lapse, say)."""
    if kind not in NOTIFICATION_KINDS:
        raise ValueError(f"unknown notification kind {kind!r}; expected one of {NOTIFICATION_KINDS}")
    if kind in (DEADLINE_REMINDER, REPORT_DUE, GAP_WARNING) and context.days < 0:
        raise ValueError(f"{kind} is sent on or before the due date: days must be >= 0, got {context.days}")
    if kind == OVERDUE:
        if context.days >= 0:
            raise ValueError(f"overdue is sent after the due date: days must be < 0, got {context.days}")
        if context.is_lapse:
            raise ValueError("a lapse is never overdue: the strategy expires (see gap_warning)")
    if kind == GAP_WARNING and not context.is_lapse:
        raise ValueError("gap_warning is about a lapse: deadline_kind must be 'period_end'")
    if kind == REPORT_DUE and context.deadline_kind != "report_due":
        raise ValueError("report_due needs deadline_kind 'report_due'")
    if kind == DELIVERY_FAILED and (not context.failed_recipient or not context.last_error):
        raise ValueError("delivery_failed needs failed_recipient and last_error")
