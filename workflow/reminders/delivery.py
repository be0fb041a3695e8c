"""Sending one ledger row: claim it, re-check it still applies, send it, record the outcome.

The claim is a conditional UPDATE, so of two workers handed the same id only one sends: it takes
a row the scheduler pass handed to the queue, or any row that is due. The row is marked ``sent``
only after the SMTP server accepted the message. A claim that is never finished (a worker killed
mid-send) expires after the lease and the row becomes due again; the Message-ID is derived from
the row, so a repeat can be recognised by the receiver.

What it costs, per email: the claim (UPDATE .. RETURNING the row) and one read of everything the
re-check and the email need (``reading.read_for_sending``), committed before the send; then one
UPDATE recording the outcome, a transaction of its own that the database commits as it runs it.
Three statements in two transactions; the statements a worker runs for every email are built once.

A digest row (``workflow.reminders.digests``) goes the same way: claimed, then its members are read
and each re-checked as a single email would be (one read each; a member that no longer applies is
cancelled, a digest with none left is cancelled), one email is sent with the digest's own
Message-ID, and its outcome closes the members with it in one transaction.

A gap warning that ends cancelled or failed never said the lapse reminder merged into it: the same
transaction reopens that (``carriers.unmerge``, one more UPDATE, for gap warnings only).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from functools import lru_cache
from typing import Any, Protocol, cast

from jinja2 import TemplateError
from sqlalchemy import CursorResult, Engine, Table, Update, bindparam, or_, select, update
from sqlmodel import Session, col

from workflow.core import DeliveryError, PermanentDeliveryError, Settings, local_date, unit_of_work
from workflow.lifecycle import IN_FORCE_STAGES
from workflow.reminders.carriers import may_carry, unmerge
from workflow.reminders.handover import ROLE_UNCOVERED
from workflow.reminders.ledger import QUEUED, SUPERSEDED, record_delivery_failure
from workflow.reminders.models import Notification
from workflow.reminders.reading import NEVER, Extension, Reading, Recheck, read_for_sending
from workflow.reminders.sources import DeadlineSource
from workflow.reminders.statuses import NOTIFICATIONS, NotificationEvent
from workflow.reminders.timing import DEADLINE_REMINDER, DELIVERY_FAILED, DIGEST, GAP_WARNING, REPORT_DUE

log = logging.getLogger("continuum.delivery")


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Return only once the server accepted the message; raise a ``DeliveryError`` otherwise."""


class Composer(Protocol):
    """Builds a row's email from the one read before sending: it says what that read must add."""

    def extend(self, row: Notification, today: date) -> Extension:
        """What composing ``row`` on ``today`` needs added to ``read_for_sending``."""

    def build(self, reading: Reading, now: datetime) -> EmailMessage:
        """The email, from what was read; ``ValueError`` or a ``TemplateError`` if it cannot be made."""

    def build_digest(self, digest: Notification, items: Sequence[Reading], now: datetime) -> EmailMessage:
        """The one email of a digest row, saying each of ``items`` (its members, as read); the same errors."""


SourceLookup = Callable[[str], DeadlineSource | None]  # the deadline source that owns a kind
DATE_PASSED = "the date it announced has passed (overdue notices take over)"
RECIPIENT_LEFT = "the recipient was deactivated (they left)"
# The ledger's table itself: the writes here are plain UPDATEs, which need nothing of the ORM.
_TABLE = cast(Table, Notification.__table__)  # type: ignore[attr-defined]
_CLAIM = (  # built once: a worker runs it for every email
    update(_TABLE)
    .where(
        _TABLE.c.id == bindparam("row_id"),
        _TABLE.c.status.in_(NOTIFICATIONS.sources(NotificationEvent.CLAIM)),
        # Handed to the queue (its due_at is the hand-out lease), or due: never a row whose
        # retry time has not come, nor one another worker holds under its lease.
        or_(_TABLE.c.claim_token == QUEUED, _TABLE.c.due_at <= bindparam("now")),
    )
    .values(
        status=NOTIFICATIONS.move(NotificationEvent.CLAIM).target,
        claim_token=bindparam("token"),
        due_at=bindparam("lease_ends"),
        attempts=_TABLE.c.attempts + 1,
    )
    .returning(*_TABLE.c)
)
_ALWAYS = Recheck(holds=lambda reading: True)  # rows no deadline source owns are re-checked in ``why_stale``


@dataclass(frozen=True)
class DeliveryResult:
    notification_id: int
    outcome: str  # sent | retry | failed | cancelled | skipped
    detail: str = ""


def claim(
    session: Session, notification_id: int, token: str, *, now: datetime, lease: timedelta
) -> Notification | None:
    """Take the row for this worker (one conditional UPDATE, returning the row), or None if it is
    not due or another worker holds it. The row returned is not attached to ``session``."""
    claimed = session.execute(
        _CLAIM, {"row_id": notification_id, "now": now, "token": token, "lease_ends": now + lease}
    ).one_or_none()
    return None if claimed is None else Notification(**claimed._mapping)


def recheck_for(row: Notification, source_for: SourceLookup) -> Recheck:
    """The re-check of the deadline ``row`` was recorded for, from the source that owns its kind."""
    if row.kind in (DELIVERY_FAILED, GAP_WARNING, ROLE_UNCOVERED):
        return _ALWAYS
    source = source_for(row.deadline_kind)
    return NEVER if source is None else source.recheck(row)


def announced_date_passed(row: Notification, today: date) -> bool:
    return row.kind in (DEADLINE_REMINDER, REPORT_DUE, GAP_WARNING) and row.due_on < today


def why_stale(reading: Reading, today: date, check: Recheck) -> str | None:
    """Why the row read should no longer be sent, from the current state; None if it still applies."""
    row, strategy = reading.row, reading.strategy
    if reading.recipient is not None and reading.recipient.deactivated_at is not None:
        return RECIPIENT_LEFT
    if row.kind == DELIVERY_FAILED:
        return None
    if announced_date_passed(row, today):
        return DATE_PASSED
    if reading.superseded:
        return SUPERSEDED
    if strategy is None:
        return "the strategy no longer exists"
    if row.kind == GAP_WARNING:
        in_force = strategy.stage in IN_FORCE_STAGES and strategy.period_end == row.due_on
        return None if in_force else "the strategy is no longer in force with that lapse date"
    if not check.holds(reading):
        return "the deadline moved, or the stage advanced"
    return None


def _close(session: Session, row_id: int, token: str, now: datetime, event: NotificationEvent, **values: Any) -> bool:
    """Apply ``event`` (sent, failed, cancelled) to the row this worker claimed, and only to it."""
    bound = {"row_id": row_id, "token": token, "now": now, **{f"new_{name}": value for name, value in values.items()}}
    result = session.execute(_closing(event, tuple(sorted(values))), bound)
    return cast(CursorResult[Any], result).rowcount == 1


@lru_cache
def _closing(event: NotificationEvent, names: tuple[str, ...]) -> Update:
    """The UPDATE ``_close`` runs for ``event`` setting ``names`` too, built once."""
    return (
        update(_TABLE)
        .where(
            _TABLE.c.id == bindparam("row_id"),
            _TABLE.c.claim_token == bindparam("token"),
            _TABLE.c.status.in_(NOTIFICATIONS.sources(event)),
        )
        .values(
            status=NOTIFICATIONS.move(event).target, due_at=None, closed_at=bindparam("now"), claim_token=None,
            **{name: bindparam(f"new_{name}") for name in names},
        )
    )


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
    """Claim, re-check and compose in one transaction (three statements at most: the claim, one
    read, and a cancel if it no longer applies), send, then record the outcome in a second one
    (one UPDATE; more only for a final failure, which tells the escalation contacts, and for a
    digest, whose members are read and closed with it)."""
    token = uuid.uuid4().hex
    members: list[int] = []
    with unit_of_work(engine) as session:
        now = clock()
        row = claim(session, notification_id, token, now=now, lease=timedelta(minutes=settings.lease_minutes))
        if row is None:
            return DeliveryResult(notification_id, "skipped", "not due, or claimed by another worker")
        assert row.id is not None, "a claimed row was read from the database"
        today = local_date(now, settings.zone)
        if row.kind == DIGEST:
            prepared = _prepare_digest(session, row, token, now=now, today=today, compose=compose,
                                       source_for=source_for)
            if isinstance(prepared, DeliveryResult):
                return prepared
            message, members = prepared
        else:
            if announced_date_passed(row, today):  # nothing to read to know that
                stale: str | None = DATE_PASSED
            else:
                check = recheck_for(row, source_for)
                reading = read_for_sending(session, row, check.extend, compose.extend(row, today))
                stale = why_stale(reading, today, check)
            if stale:
                if _close(session, row.id, token, now, NotificationEvent.CANCEL, last_error=stale):
                    _reopen_carried(session, [row], now=now)
                return DeliveryResult(notification_id, "cancelled", stale)
            try:
                message = compose.build(reading, now)
            except (ValueError, TemplateError) as exc:  # a refused address or text, a broken template: final
                log.exception("notification %s cannot be composed", notification_id)
                detail = f"cannot compose: {exc}"[:2000]
                if _close(session, row.id, token, now, NotificationEvent.FAIL, last_error=detail):
                    _reopen_carried(session, [row], now=now)
                return DeliveryResult(notification_id, "failed", detail)

    try:
        transport.send(message)
    except DeliveryError as exc:
        return _record_failure(engine, row, token, exc, clock=clock, settings=settings, members=members)

    with unit_of_work(engine if members else single_statement(engine)) as session:
        now = clock()
        if not _close(session, notification_id, token, now, NotificationEvent.MARK_SENT, sent_at=now, last_error=None):
            log.warning("notification %s was sent after its lease expired; it may be sent again", notification_id)
        elif members:
            _close_members(session, notification_id, members, NotificationEvent.SEND_IN_DIGEST, now=now, sent_at=now)
    return DeliveryResult(notification_id, "sent")


NOTHING_LEFT = "no reminder in it applies any more"


def _prepare_digest(
    session: Session, row: Notification, token: str, *, now: datetime, today: date, compose: Composer,
    source_for: SourceLookup,
) -> tuple[EmailMessage, list[int]] | DeliveryResult:
    """Read and re-check a claimed digest's members, cancel those that no longer apply, and compose
    its email from the others (or cancel it when none is left)."""
    assert row.id is not None
    items: list[Reading] = []
    stale: dict[int, str] = {}
    stale_rows: list[Notification] = []
    for member in session.scalars(
        select(Notification)
        .where(col(Notification.carrier_id) == row.id,
               col(Notification.status).in_(NOTIFICATIONS.sources(NotificationEvent.SEND_IN_DIGEST)))
        .order_by(col(Notification.due_on), col(Notification.id))
    ).all():
        assert member.id is not None
        if announced_date_passed(member, today):
            stale[member.id] = DATE_PASSED
            stale_rows.append(member)
            continue
        check = recheck_for(member, source_for)
        reading = read_for_sending(session, member, check.extend, compose.extend(member, today))
        why = why_stale(reading, today, check)
        if why:
            stale[member.id] = why
            stale_rows.append(member)
        else:
            items.append(reading)
    for member_id, why in stale.items():
        _close_members(session, row.id, [member_id], NotificationEvent.CANCEL, now=now, last_error=why)
    _reopen_carried(session, stale_rows, now=now)
    if not items:
        _close(session, row.id, token, now, NotificationEvent.CANCEL, last_error=NOTHING_LEFT)
        return DeliveryResult(row.id, "cancelled", NOTHING_LEFT)
    ids = [item.row.id for item in items if item.row.id is not None]
    try:
        return compose.build_digest(row, items, now), ids
    except (ValueError, TemplateError) as exc:
        log.exception("digest %s cannot be composed", row.id)
        detail = f"cannot compose: {exc}"[:2000]
        _close(session, row.id, token, now, NotificationEvent.FAIL, last_error=detail)
        _close_members(session, row.id, ids, NotificationEvent.FAIL, now=now, last_error=detail)
        _reopen_carried(session, [item.row for item in items], now=now)
        return DeliveryResult(row.id, "failed", detail)


def _close_members(
    session: Session, digest_id: int, member_ids: Sequence[int], event: NotificationEvent, *, now: datetime,
    **values: Any,
) -> int:
    """Apply ``event`` to the members of the digest, among ``member_ids``, that are still in it."""
    result = session.execute(
        update(_TABLE)
        .where(_TABLE.c.id.in_(list(member_ids)), _TABLE.c.carrier_id == digest_id,
               _TABLE.c.status.in_(NOTIFICATIONS.sources(event)))
        .values(status=NOTIFICATIONS.move(event).target, due_at=None, closed_at=now, claim_token=None, **values)
    )
    return cast(CursorResult[Any], result).rowcount


def _reopen_carried(session: Session, ended: Sequence[Notification], *, now: datetime) -> None:
    """``ended`` closed cancelled or failed: what was merged into them was never said (``carriers``)."""
    unmerge(session, [row.id for row in ended if row.id is not None and may_carry(row.kind)], now=now)


@lru_cache(maxsize=16)
def single_statement(engine: Engine) -> Engine:
    """``engine`` for a transaction of one statement, which the database commits as it runs it
    (autocommit): no BEGIN and COMMIT to wait for around the one UPDATE that records a send."""
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def _record_failure(
    engine: Engine,
    row: Notification,
    token: str,
    error: DeliveryError,
    *,
    clock: Callable[[], datetime],
    settings: Settings,
    members: Sequence[int] = (),
) -> DeliveryResult:
    """Record a send the server did not accept on ``row`` (as claimed): retry later, or fail for good
    (a digest's ``members`` with it: the escalation contacts hear of each, as of a single email)."""
    assert row.id is not None
    detail = f"{type(error).__name__}: {error}"[:2000]
    with unit_of_work(engine) as session:
        now = clock()
        final = isinstance(error, PermanentDeliveryError) or row.attempts >= settings.smtp_max_attempts
        if not final:
            delay = timedelta(seconds=settings.smtp_retry_base_seconds * 2 ** (row.attempts - 1))
            session.execute(
                update(_TABLE)
                .where(
                    _TABLE.c.id == row.id,
                    _TABLE.c.claim_token == token,
                    _TABLE.c.status.in_(NOTIFICATIONS.sources(NotificationEvent.RETRY_LATER)),
                )
                .values(
                    status=NOTIFICATIONS.move(NotificationEvent.RETRY_LATER).target,
                    due_at=now + delay,
                    claim_token=None,
                    last_error=detail,
                )
            )
            return DeliveryResult(row.id, "retry", f"{detail}; next try in {delay}")
        closed = _close(session, row.id, token, now, NotificationEvent.FAIL, last_error=detail)
        today = local_date(now, settings.zone)
        if closed and members:
            _close_members(session, row.id, members, NotificationEvent.FAIL, now=now, last_error=detail)
            failed = list(session.scalars(select(Notification).where(col(Notification.id).in_(list(members)))))
            for member in failed:
                record_delivery_failure(session, member, today=today, now=now)
            _reopen_carried(session, failed, now=now)
        elif closed:
            _reopen_carried(session, [row], now=now)
            if row.kind != DELIVERY_FAILED:
                record_delivery_failure(session, row, today=today, now=now)
        return DeliveryResult(row.id, "failed", detail)
