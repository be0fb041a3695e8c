"""Composing the email for a ledger row from the current state of the world."""

from __future__ import annotations

from datetime import date, datetime
from email.message import EmailMessage
from typing import TypedDict

from sqlmodel import Session

from workflow.consultation import (
    ROUND_CLOSES,
    SUBMISSIONS_UNANSWERED,
    ConsultationRound,
    round_of_key,
    unanswered_in_round,
)
from workflow.core import Settings, local_date
from workflow.directory import Contact, Institution
from workflow.lifecycle import Strategy
from workflow.mail import DELIVERY_FAILED, GAP_WARNING, NotificationContext, build_message, render
from workflow.monitoring import institution_of_key, period_of_key
from workflow.reminders import Composer, Notification


class _ExtraFacts(TypedDict, total=False):
    """The facts only some kinds of notice carry (see ``NotificationContext``)."""

    failed_recipient: str
    failed_recipient_email: str | None
    last_error: str
    successor_title: str | None
    successor_stage: str | None
    projected_approval: date | None
    projection_basis: str | None
    reporting_period: str | None
    reporting_institution: str | None
    round_number: int
    unanswered: int


def message_key(row: Notification) -> str:
    """Stable per ledger row, so a retried or repeated send carries the same Message-ID."""
    return f"notification:{row.id}:{row.deadline_key}:{row.due_on.isoformat()}:{row.offset_days}"


def context_for(
    session: Session, row: Notification, *, recipient: Contact, today: date, escalate_after_days: int | None = None,
    public_url: str | None = None,
) -> NotificationContext:
    """The email's facts; with ``public_url`` it links to the strategy's page in the console."""
    strategy = session.get(Strategy, row.strategy_id)
    if strategy is None:
        raise ValueError(f"strategy {row.strategy_id} no longer exists")
    assert strategy.id is not None, "a strategy read from the database has its id"
    details = row.details or {}
    deadline_kind = "period_end" if row.kind == GAP_WARNING else row.deadline_kind
    extra: _ExtraFacts = {}
    if row.kind == DELIVERY_FAILED:
        failed = session.get(Notification, details.get("failed_notification_id"))
        if failed is None:
            raise ValueError("the failed notification is gone")
        failed_contact = session.get(Contact, failed.contact_id)
        deadline_kind = "period_end" if failed.kind == GAP_WARNING else failed.deadline_kind
        extra = {
            "failed_recipient": failed_contact.name if failed_contact else f"contact {failed.contact_id}",
            "failed_recipient_email": failed_contact.email if failed_contact else None,
            "last_error": failed.last_error or "unknown error",
        }
    if row.kind == GAP_WARNING:
        projected = details.get("projected_successor_approval")
        extra = {
            "successor_title": details.get("successor_title"),
            "successor_stage": details.get("successor_stage"),
            "projected_approval": date.fromisoformat(projected) if projected else None,
            "projection_basis": details.get("projection_basis"),
        }
    if row.deadline_kind == "report_due":
        extra["reporting_period"] = period_of_key(row.deadline_key)
        reporter = institution_of_key(row.deadline_key)
        institution = session.get(Institution, reporter) if reporter is not None else None
        extra["reporting_institution"] = institution.name if institution is not None else None
    app_url = f"{public_url}/console/strategies/{strategy.id}" if public_url else None
    round_id = round_of_key(row.deadline_key) if row.deadline_kind in (ROUND_CLOSES, SUBMISSIONS_UNANSWERED) else None
    consulted = session.get(ConsultationRound, round_id) if round_id is not None else None
    if consulted is not None and round_id is not None:
        extra["round_number"] = consulted.number
        extra["unanswered"] = unanswered_in_round(session, round_id, today)
        app_url = f"{public_url}/console/consultations/{round_id}" if public_url else None
    return NotificationContext(
        strategy_title=strategy.title,
        strategy_id=strategy.id,
        deadline_kind=deadline_kind,
        due_on=row.due_on,
        days=(row.due_on - today).days,
        recipient_name=recipient.name,
        escalated=row.escalated,
        escalate_after_days=escalate_after_days,
        recipient_escalates=row.escalated and _hears_as_escalation(recipient, row),
        document_kind=strategy.kind,
        app_url=app_url,
        **extra,
    )


def _hears_as_escalation(recipient: Contact, row: Notification) -> bool:
    """Whether the recipient is told as an escalation contact rather than as the one who must act."""
    acting_role = "contact_point" if row.deadline_kind == "report_due" else "coordinator"
    return "escalation" in recipient.roles and acting_role not in recipient.roles


def compose_for(settings: Settings) -> Composer:
    def compose(session: Session, row: Notification, now: datetime) -> EmailMessage:
        recipient = session.get(Contact, row.contact_id)
        if recipient is None:
            raise ValueError(f"contact {row.contact_id} no longer exists")
        context = context_for(
            session, row, recipient=recipient, today=local_date(now, settings.zone),
            escalate_after_days=settings.escalate_after_days, public_url=settings.public_url,
        )
        rendered = render(row.kind, recipient.language, context)
        return build_message(
            rendered,
            sender=settings.mail_from,
            to_name=recipient.name,
            to_email=recipient.email,
            message_id_key=message_key(row),
            sent_at=now,
        )

    return compose
