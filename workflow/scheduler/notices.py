"""Composing the email for a ledger row from the current state of the world.

What a notice needs beyond the row, its strategy and its recipient (the failed notification a
``delivery_failed`` notice is about, the reporting institution, the consultation round and its
unanswered comments) is added to the one read before sending (``reminders.read_for_sending``),
so composing costs no statement of its own. A gap warning's read also says whether a lapse
reminder was merged into it (``reminders.same_day``): its email then says both. A digest's email
says each of its members in its single email's words (``build_digest``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from email.message import EmailMessage
from typing import Any, TypedDict

from sqlalchemy import Select, and_, exists, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from workflow.consultation import (
    ROUND_CLOSES,
    SUBMISSIONS_UNANSWERED,
    ConsultationRound,
    round_of_key,
    unanswered_count,
)
from workflow.core import Settings, local_date
from workflow.directory import Contact, Institution
from workflow.mail import (
    DEADLINE_REMINDER,
    DELIVERY_FAILED,
    GAP_WARNING,
    NotificationContext,
    RenderedItem,
    RenderedMail,
    build_message,
    compose_role_uncovered,
    render,
    render_item,
    render_several,
)
from workflow.monitoring import institution_of_key, period_of_key
from workflow.reminders import (
    LAPSE,
    NOTIFICATIONS,
    ROLE_UNCOVERED,
    Extension,
    Notification,
    NotificationEvent,
    Reading,
    read_for_sending,
    unchanged,
)


class _ExtraFacts(TypedDict, total=False):
    """The facts only some kinds of notice carry (see ``NotificationContext``)."""

    failed_recipient: str
    failed_recipient_email: str | None
    last_error: str
    successor_title: str | None
    successor_stage: str | None
    projected_approval: date | None
    projection_basis: str | None
    risk_statement: dict[str, list[str]] | None
    reporting_period: str | None
    reporting_institution: str | None
    round_number: int
    unanswered: int


def message_key(row: Notification) -> str:
    """Stable per ledger row, so a retried or repeated send carries the same Message-ID."""
    return f"notification:{row.id}:{row.deadline_key}:{row.due_on.isoformat()}:{row.offset_days}"


def context_for(
    reading: Reading, *, today: date, escalate_after_days: int | None = None, public_url: str | None = None,
) -> NotificationContext:
    """The email's facts, from what ``NoticeComposer.extend`` added to the read; with ``public_url``
    it links to the strategy's page in the console."""
    row, strategy, recipient = reading.row, reading.strategy, reading.recipient
    if recipient is None:
        raise ValueError(f"contact {row.contact_id} no longer exists")
    if strategy is None:
        raise ValueError(f"strategy {row.strategy_id} no longer exists")
    assert strategy.id is not None, "a strategy read from the database has its id"
    details = row.details or {}
    deadline_kind = "period_end" if row.kind == GAP_WARNING else row.deadline_kind
    extra: _ExtraFacts = {}
    if row.kind == DELIVERY_FAILED:
        failed: Notification | None = reading.values.get("notice_failed")
        if failed is None:
            raise ValueError("the failed notification is gone")
        failed_contact: Contact | None = reading.values.get("notice_failed_contact")
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
            "risk_statement": details.get("statement"),
        }
    if row.deadline_kind == "report_due":
        extra["reporting_period"] = period_of_key(row.deadline_key)
        extra["reporting_institution"] = reading.values.get("notice_institution")
    app_url = f"{public_url}/console/strategies/{strategy.id}" if public_url else None
    round_number = reading.values.get("notice_round_number")
    if round_number is not None:
        extra["round_number"] = round_number
        extra["unanswered"] = reading.values.get("notice_unanswered") or 0
        app_url = f"{public_url}/console/consultations/{round_of_key(row.deadline_key)}" if public_url else None
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


_FAILED = aliased(Notification, name="notice_failed")  # what a delivery_failed notice is about
_FAILED_CONTACT = aliased(Contact, name="notice_failed_contact")
_MERGED = aliased(Notification, name="notice_merged")  # a lapse reminder merged into a gap warning
_MERGED_LAPSE = exists().where(
    col(_MERGED.carrier_id) == col(Notification.id),
    col(_MERGED.status) == NOTIFICATIONS.move(NotificationEvent.MERGE).target,
    and_(col(_MERGED.kind) == DEADLINE_REMINDER, col(_MERGED.deadline_kind) == LAPSE),
).label("notice_merged_lapse")


def _with_merged_lapse(query: Select[Any]) -> Select[Any]:
    return query.add_columns(_MERGED_LAPSE)


def _items_of(reading: Reading, context: NotificationContext, language: str) -> list[RenderedItem]:
    """What the row read says, as items of an email of several: itself, then the lapse reminder merged
    into it, if one was."""
    said = [render_item(reading.row.kind, language, context)]
    if reading.values.get("notice_merged_lapse"):
        lapse = replace(context, deadline_kind=LAPSE, escalated=False, recipient_escalates=False,
                        successor_title=None, successor_stage=None, projected_approval=None, projection_basis=None)
        said.append(render_item(DEADLINE_REMINDER, language, lapse))
    return said


class NoticeComposer:
    """The ``Composer`` of every kind of notice, with the deployment's sender, zone and links."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def extend(self, row: Notification, today: date) -> Extension:
        """Add what ``row``'s kind of notice says beyond its strategy and recipient to the read."""
        failed_id = (row.details or {}).get("failed_notification_id") if row.kind == DELIVERY_FAILED else None
        reporter = institution_of_key(row.deadline_key) if row.deadline_kind == "report_due" else None
        consulting = row.deadline_kind in (ROUND_CLOSES, SUBMISSIONS_UNANSWERED)
        round_id = round_of_key(row.deadline_key) if consulting else None
        if row.kind == GAP_WARNING:
            return _with_merged_lapse
        if row.kind != DELIVERY_FAILED and reporter is None and round_id is None:
            return unchanged  # a strategy's own deadline: the read has all it says

        def extend(query: Select[Any]) -> Select[Any]:
            if row.kind == DELIVERY_FAILED:
                query = (
                    query.add_columns(_FAILED, _FAILED_CONTACT)
                    .outerjoin(_FAILED, col(_FAILED.id) == failed_id)
                    .outerjoin(_FAILED_CONTACT, col(_FAILED_CONTACT.id) == col(_FAILED.contact_id))
                )
            if reporter is not None:
                name = select(col(Institution.name)).where(col(Institution.id) == reporter).scalar_subquery()
                query = query.add_columns(name.label("notice_institution"))
            if round_id is not None:
                number = select(col(ConsultationRound.number)).where(col(ConsultationRound.id) == round_id)
                query = query.add_columns(
                    number.scalar_subquery().label("notice_round_number"),
                    unanswered_count(round_id, today).label("notice_unanswered"),
                )
            return query

        return extend

    def build(self, reading: Reading, now: datetime) -> EmailMessage:
        settings, row = self._settings, reading.row
        if row.kind == ROLE_UNCOVERED:  # about a person who left, not a deadline: its facts are in the row
            return compose_role_uncovered(reading, settings, now, message_id_key=message_key(row))
        context = self._context(reading, now)
        assert reading.recipient is not None, "context_for refuses a row without its recipient"
        language = reading.recipient.language
        if reading.values.get("notice_merged_lapse"):  # the lapse reminder of the same day goes with it
            rendered = render_several(language, _items_of(reading, context, language),
                                      recipient_name=reading.recipient.name)
        else:
            rendered = render(row.kind, language, context)
        return self._message(rendered, reading.recipient, row, now)

    def build_digest(self, digest: Notification, items: Sequence[Reading], now: datetime) -> EmailMessage:
        """One email for a digest row: each member in its single email's words, in the person's language
        (a gap warning with the lapse reminder merged into it says both, as its single email would)."""
        recipient = items[0].recipient
        if recipient is None:
            raise ValueError(f"contact {digest.contact_id} no longer exists")
        rendered = render_several(
            recipient.language,
            [said for item in items for said in _items_of(item, self._context(item, now), recipient.language)],
            recipient_name=recipient.name, digest_day=digest.due_on,
            weekly=(digest.details or {}).get("delivery") == "weekly",
        )
        return self._message(rendered, recipient, digest, now)

    def _context(self, reading: Reading, now: datetime) -> NotificationContext:
        settings = self._settings
        return context_for(
            reading, today=local_date(now, settings.zone), escalate_after_days=settings.escalate_after_days,
            public_url=settings.public_url,
        )

    def _message(self, rendered: RenderedMail, recipient: Contact, row: Notification, now: datetime) -> EmailMessage:
        return build_message(
            rendered,
            sender=self._settings.mail_from,
            to_name=recipient.name,
            to_email=recipient.email,
            message_id_key=message_key(row),
            sent_at=now,
        )

    def __call__(self, session: Session, row: Notification, now: datetime) -> EmailMessage:
        """Compose ``row`` outside a send (a preview, a test): the same one read, then ``build``."""
        return self.build(read_for_sending(session, row, self.extend(row, local_date(now, self._settings.zone))), now)


def compose_for(settings: Settings) -> NoticeComposer:
    return NoticeComposer(settings)
