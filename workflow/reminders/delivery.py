"""Sending one ledger row: claim it, re-check it still applies, send it, record the outcome.

The claim is a conditional UPDATE, so of two workers handed the same id only one sends: it takes
a row the scheduler pass handed to the queue, or any row that is due. The row is marked ``sent``
only after the SMTP server accepted the message. A claim that is never finished (a worker killed
mid-send) expires after the lease and the row becomes due again; the Message-ID is derived from
the row, so a repeat can be recognised by the receiver.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from typing import Any, Protocol

from jinja2 import TemplateError
from sqlalchemy import Engine, or_, update
from sqlmodel import Session, col

from workflow.core import DeliveryError, PermanentDeliveryError, Settings, local_date, unit_of_work
from workflow.lifecycle import IN_FORCE_STAGES, Strategy
from workflow.reminders.ledger import QUEUED, SUPERSEDED, is_superseded, record_delivery_failure
from workflow.reminders.models import Notification
from workflow.reminders.sources import DeadlineSource
from workflow.reminders.statuses import NOTIFICATIONS, NotificationEvent
from workflow.reminders.timing import DEADLINE_REMINDER, DELIVERY_FAILED, GAP_WARNING, REPORT_DUE

log = logging.getLogger("continuum.delivery")


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Return only once the server accepted the message; raise a ``DeliveryError`` otherwise."""


Composer = Callable[[Session, Notification, datetime], EmailMessage]
SourceLookup = Callable[[str], DeadlineSource | None]  # the deadline source that owns a kind


@dataclass(frozen=True)
class DeliveryResult:
    notification_id: int
    outcome: str  # sent | retry | failed | cancelled | skipped
    detail: str = ""


def claim(
    session: Session, notification_id: int, token: str, *, now: datetime, lease: timedelta
) -> Notification | None:
    result = session.exec(
        update(Notification)
        .where(
            col(Notification.id) == notification_id,
            col(Notification.status).in_(NOTIFICATIONS.sources(NotificationEvent.CLAIM)),
            # Handed to the queue (its due_at is the hand-out lease), or due: never a row whose
            # retry time has not come, nor one another worker holds under its lease.
            or_(col(Notification.claim_token) == QUEUED, col(Notification.due_at) <= now),
        )
        .values(
            status=NOTIFICATIONS.move(NotificationEvent.CLAIM).target,
            claim_token=token,
            due_at=now + lease,
            attempts=col(Notification.attempts) + 1,
        )
    )
    if result.rowcount != 1:
        return None
    return session.get(Notification, notification_id, populate_existing=True)


def why_stale(session: Session, row: Notification, today: date, source_for: SourceLookup) -> str | None:
    """Why ``row`` should no longer be sent, re-read from the current state; None if it still applies."""
    if row.kind == DELIVERY_FAILED:
        return None
    if row.kind in (DEADLINE_REMINDER, REPORT_DUE, GAP_WARNING) and row.due_on < today:
        return "the date it announced has passed (overdue notices take over)"
    if is_superseded(session, row):
        return SUPERSEDED
    strategy = session.get(Strategy, row.strategy_id)
    if strategy is None:
        return "the strategy no longer exists"
    if row.kind == GAP_WARNING:
        in_force = strategy.stage in IN_FORCE_STAGES and strategy.period_end == row.due_on
        return None if in_force else "the strategy is no longer in force with that lapse date"
    source = source_for(row.deadline_kind)
    if source is None or not source.still_live(session, row):
        return "the deadline moved, or the stage advanced"
    return None


def _close(session: Session, row_id: int, token: str, now: datetime, event: NotificationEvent, **values: Any) -> bool:
    """Apply ``event`` (sent, failed, cancelled) to the row this worker claimed, and only to it."""
    move = NOTIFICATIONS.move(event)
    result = session.exec(
        update(Notification)
        .where(
            col(Notification.id) == row_id,
            col(Notification.claim_token) == token,
            col(Notification.status).in_(NOTIFICATIONS.sources(event)),
        )
        .values(status=move.target, due_at=None, closed_at=now, claim_token=None, **values)
    )
    return result.rowcount == 1


def deliver(
    engine: Engine,
    notification_id: int,
    *,
    clock: Callable[[], datetime],
    transport: Transport,
    compose: Composer,
    source_for: SourceLookup,
    settings: Settings,
) -> DeliveryResult:
    token = uuid.uuid4().hex
    with unit_of_work(engine) as session:
        now = clock()
        row = claim(session, notification_id, token, now=now, lease=timedelta(minutes=settings.lease_minutes))
        if row is None:
            return DeliveryResult(notification_id, "skipped", "not due, or claimed by another worker")
        assert row.id is not None, "a claimed row was read from the database"
        stale = why_stale(session, row, local_date(now, settings.zone), source_for)
        if stale:
            _close(session, row.id, token, now, NotificationEvent.CANCEL, last_error=stale)
            return DeliveryResult(notification_id, "cancelled", stale)
        try:
            message = compose(session, row, now)
        except (ValueError, TemplateError) as exc:  # a refused address or text, a broken template: retrying cannot help
            log.exception("notification %s cannot be composed", notification_id)
            _close(session, row.id, token, now, NotificationEvent.FAIL, last_error=f"cannot compose: {exc}"[:2000])
            return DeliveryResult(notification_id, "failed", f"cannot compose: {exc}")
        attempts = row.attempts

    try:
        transport.send(message)
    except DeliveryError as exc:
        return _record_failure(engine, notification_id, token, exc, attempts=attempts, clock=clock, settings=settings)

    with unit_of_work(engine) as session:
        now = clock()
        if not _close(session, notification_id, token, now, NotificationEvent.MARK_SENT, sent_at=now, last_error=None):
            log.warning("notification %s was sent after its lease expired; it may be sent again", notification_id)
    return DeliveryResult(notification_id, "sent")


def _record_failure(
    engine: Engine,
    notification_id: int,
    token: str,
    error: DeliveryError,
    *,
    attempts: int,
    clock: Callable[[], datetime],
    settings: Settings,
) -> DeliveryResult:
    detail = f"{type(error).__name__}: {error}"[:2000]
    with unit_of_work(engine) as session:
        now = clock()
        final = isinstance(error, PermanentDeliveryError) or attempts >= settings.smtp_max_attempts
        if not final:
            delay = timedelta(seconds=settings.smtp_retry_base_seconds * 2 ** (attempts - 1))
            session.execute(
                update(Notification)
                .where(
                    col(Notification.id) == notification_id,
                    col(Notification.claim_token) == token,
                    col(Notification.status).in_(NOTIFICATIONS.sources(NotificationEvent.RETRY_LATER)),
                )
                .values(
                    status=NOTIFICATIONS.move(NotificationEvent.RETRY_LATER).target,
                    due_at=now + delay,
                    claim_token=None,
                    last_error=detail,
                )
            )
            return DeliveryResult(notification_id, "retry", f"{detail}; next try in {delay}")
        if _close(session, notification_id, token, now, NotificationEvent.FAIL, last_error=detail):
            row = session.get(Notification, notification_id, populate_existing=True)
            if row is not None and row.kind != DELIVERY_FAILED:
                record_delivery_failure(session, row, today=local_date(now, settings.zone), now=now)
        return DeliveryResult(notification_id, "failed", detail)
