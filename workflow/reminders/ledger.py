"""The notification ledger: recording intended emails once, cancelling stale and superseded ones,
handing due ones to the queue."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Exists, Select, and_, exists, func, or_, select, update
from sqlmodel import Session, col

from workflow.core import insert_many_ignoring_conflict
from workflow.directory import DELIVERY_PREFERENCES, Contact, contacts_with_role
from workflow.lifecycle import Strategy
from workflow.reminders.carriers import may_carry, unmerge
from workflow.reminders.deadlines import Deadline
from workflow.reminders.models import Notification
from workflow.reminders.statuses import NOTIFICATIONS, NotificationEvent, NotificationStatus
from workflow.reminders.timing import DELIVERY_FAILED, DueReminder

_UNIQUE = ["deadline_key", "due_on", "offset_days", "contact_id"]
SUPERSEDED = "a later reminder of this deadline supersedes it"
# The claim token of a row handed to the queue and not yet claimed; a worker's token is 32 hex digits.
QUEUED = "queued"
IMMEDIATE, DAILY, WEEKLY = DELIVERY_PREFERENCES


@dataclass(frozen=True)
class Intended:
    """A due reminder for its recipients, from ``send_after``, with the facts its email will need."""

    reminder: DueReminder
    contacts: Sequence[Contact]
    send_after: datetime
    details: dict[str, Any]


_ROWS_PER_INSERT = 500  # 17 values a row: well inside every SQLite's limit on bound variables
_LINES_PER_CANCEL = 200


def record(
    session: Session,
    reminder: DueReminder,
    contacts: Iterable[Contact],
    *,
    send_after: datetime,
    now: datetime,
    details: dict[str, Any],
) -> list[int]:
    """Record ``reminder`` for each contact unless it is recorded already; returns the new row ids."""
    return record_many(session, [Intended(reminder, list(contacts), send_after, details)], now=now)


def record_many(session: Session, intended: Sequence[Intended], *, now: datetime) -> list[int]:
    """Record every intended reminder for each of its contacts, unless recorded already; returns the new ids.

    INSERT .. ON CONFLICT DO NOTHING on the ledger's unique key, a few hundred rows a statement,
    makes this safe when two scheduler passes plan the same reminder at the same moment. A new
    row supersedes the recipient's older pending reminders of the same deadline
    (``cancel_superseded``), in the same transaction: after downtime only the most recent missed
    reminder is sent.
    """
    rows = [_row(item, contact, now) for item in intended for contact in item.contacts]
    created: list[int] = []
    lines: list[tuple[str, date, int, int]] = []
    for start in range(0, len(rows), _ROWS_PER_INSERT):
        for new in insert_many_ignoring_conflict(
            session, Notification, rows[start:start + _ROWS_PER_INSERT], unique=_UNIQUE,
            returning=(Notification.id, Notification.deadline_key, Notification.due_on, Notification.contact_id,
                       Notification.offset_days),
        ):
            created.append(new.id)
            lines.append((new.deadline_key, new.due_on, new.contact_id, new.offset_days))
    for start in range(0, len(lines), _LINES_PER_CANCEL):
        cancel_superseded(session, lines[start:start + _LINES_PER_CANCEL], now=now)
    return created


def held_for(contact: Contact, reminder: DueReminder) -> bool:
    """Whether ``reminder`` waits for ``contact``'s digest: they take one, and it is neither an
    escalation nor a delivery failure (those go at once, whatever the preference)."""
    return contact.delivery != IMMEDIATE and not reminder.escalate and reminder.kind != DELIVERY_FAILED


def _row(item: Intended, contact: Contact, now: datetime) -> dict[str, Any]:
    assert contact.id is not None, "recipients are read from the database"
    reminder = item.reminder
    status = NOTIFICATIONS.move(NotificationEvent.HOLD).target if held_for(contact, reminder) else NOTIFICATIONS.initial
    return {
        "deadline_key": reminder.deadline.key,
        "deadline_kind": reminder.deadline.kind,
        "strategy_id": reminder.deadline.strategy_id,
        "due_on": reminder.deadline.due_on,
        "offset_days": reminder.offset_days,
        "kind": reminder.kind,
        "escalated": reminder.escalate,
        "contact_id": contact.id,
        "status": status,
        "due_at": item.send_after,
        "attempts": 0,
        "details": item.details,
        "created_at": now,
    }


def cancel_superseded(session: Session, lines: Sequence[tuple[str, date, int, int]], *, now: datetime) -> int:
    """Cancel each recipient's pending reminders of a deadline with an earlier offset than the new row
    ``(deadline key, due date, contact, offset)`` that supersedes them, for many new rows in one statement.

    Rows being sent (``sending``) are left to their sender, whose read checks ``superseded_by_later``."""
    if not lines:
        return 0
    superseded = or_(*(
        and_(*same_line(Notification, key, due_on, contact_id), col(Notification.offset_days) > offset)
        for key, due_on, contact_id, offset in lines
    ))
    return _cancel_pending(session, superseded, now=now, reason=SUPERSEDED)


def same_line(rows: Any, deadline_key: Any, due_on: Any, contact_id: Any) -> tuple[ColumnElement[bool], ...]:
    """The reminders among ``rows`` (the ledger, or an alias of it) of one deadline with its due date
    to one recipient: of those, the row with the smallest offset (the latest send day; overdue offsets
    are negative) supersedes the others. The values may be literals or bound parameters."""
    return (
        col(rows.deadline_key) == deadline_key,
        col(rows.due_on) == due_on,
        col(rows.contact_id) == contact_id,
    )


def superseded_by_later(rows: Any, deadline_key: Any, due_on: Any, contact_id: Any, offset_days: Any) -> Exists:
    """Whether a later offset than ``offset_days`` of that deadline is recorded for that recipient."""
    return exists().where(*same_line(rows, deadline_key, due_on, contact_id), col(rows.offset_days) < offset_days)


def cancel_stale(
    session: Session, live: set[tuple[str, date]], *, kinds: Iterable[str], now: datetime,
    strategy_ids: Collection[int] | None = None,
) -> int:
    """Cancel pending rows whose (deadline, due date) is no longer live: the date moved, the stage
    advanced, the strategy expired. Only deadline ``kinds`` the caller planned are considered, and
    with ``strategy_ids`` only those strategies' rows (``live`` then needs to hold only theirs).
    Rows being sent right now (``sending``) are left to their sender, which re-checks relevance
    itself before it sends.
    """
    query = select(col(Notification.id), col(Notification.deadline_key), col(Notification.due_on)).where(
        col(Notification.status) == NotificationStatus.PENDING, col(Notification.deadline_kind).in_(list(kinds))
    )
    if strategy_ids is not None:
        if not strategy_ids:
            return 0
        query = query.where(col(Notification.strategy_id).in_(sorted(strategy_ids)))
    stale = [row.id for row in session.execute(query) if (row.deadline_key, row.due_on) not in live]
    if not stale:
        return 0
    return _cancel_pending(session, col(Notification.id).in_(stale), now=now, reason="deadline no longer applies")


def _cancel_pending(session: Session, *conditions: ColumnElement[bool], now: datetime, reason: str) -> int:
    """Cancel the pending rows matching ``conditions``, and the held ones not yet in a digest; returns how many.

    Only rows no worker holds: a claimed row (``sending``), and a held row in a digest, are
    re-checked by the worker before it is sent. What was merged into a row cancelled here is
    reopened (``carriers.unmerge``)."""
    cancelled = session.execute(
        update(Notification)
        .where(*conditions, or_(
            col(Notification.status) == NotificationStatus.PENDING,
            and_(col(Notification.status) == NotificationStatus.HELD, col(Notification.carrier_id).is_(None)),
        ))
        .values(
            status=NOTIFICATIONS.move(NotificationEvent.CANCEL).target,
            due_at=None,
            claim_token=None,
            closed_at=now,
            last_error=reason,
        )
        .returning(col(Notification.id), col(Notification.kind))
    ).all()
    unmerge(session, [row.id for row in cancelled if may_carry(row.kind)], now=now)
    return len(cancelled)


def due_query(now: datetime, limit: int = 1000) -> Select[int | None]:
    """Rows to hand to a worker now: pending and due (a queued row whose hand-out lease ran out is
    due again), or claimed with an expired lease.

    Served by the partial index ``ix_notifications_due`` (only active rows are in it), so its
    cost follows the rows due, not the ledger's history.
    """
    return (
        select(col(Notification.id))
        .where(
            col(Notification.status).in_(NOTIFICATIONS.sources(NotificationEvent.CLAIM)),
            col(Notification.due_at) <= now,
        )
        .order_by(col(Notification.due_at))
        .limit(limit)
    )


@dataclass(frozen=True)
class DueRow:
    """A row due now, with what deciding how it goes out needs (a digest, a merge) without another read."""

    id: int
    status: str
    kind: str
    deadline_kind: str
    contact_id: int
    strategy_id: int
    due_on: date


# Given the rows due in one batch, decides how they go out: returns the ids to hand out as they
# are, and the ids it handed out itself (digests). Every held row it is given must leave the due
# range (gathered, released, or due later), and so must every row it does not return.
Sorter = Callable[[Session, list[DueRow]], tuple[list[int], list[int]]]


def due_rows_query(now: datetime, limit: int = 1000) -> Select[int | None, str, str, str, int, int, date]:
    """``due_query`` with the held rows whose digest may go (the same partial index), and the
    columns a ``Sorter`` needs."""
    return (
        select(col(Notification.id), col(Notification.status), col(Notification.kind),
               col(Notification.deadline_kind), col(Notification.contact_id), col(Notification.strategy_id),
               col(Notification.due_on))
        .where(
            col(Notification.status).in_([*NOTIFICATIONS.sources(NotificationEvent.CLAIM), NotificationStatus.HELD]),
            col(Notification.due_at) <= now,
        )
        .order_by(col(Notification.due_at))
        .limit(limit)
    )


def hand_out(
    session: Session, now: datetime, *, lease: timedelta, limit: int = 1000, sort: Sorter | None = None
) -> list[int]:
    """Mark every row due now as handed to the queue, and return their ids, oldest due first.

    A conditional UPDATE per ``limit`` rows: each row is marked ``QUEUED`` and its ``due_at`` moved
    ``lease`` ahead, so the next pass does not hand it out again while its message waits in the
    queue (``claim`` takes a queued row at once), and the next batch of this pass does not see it.
    It is handed out again only when that lease passes unclaimed (the message was lost), or when a
    failed try's retry time comes. Of two passes at once, each row goes to one: the UPDATE
    re-checks ``due_at`` on the row it locks. With ``sort``, held rows are due too, and ``sort``
    decides how each batch goes out (``workflow.reminders.digests.hand_out``); the same one SELECT
    a batch reads them.
    """
    handed_out: list[int] = []
    while True:
        if sort is None:
            due = [row_id for row_id in session.scalars(due_query(now, limit)) if row_id is not None]
            also: list[int] = []
            read = len(due)
        else:
            rows = [DueRow(*row) for row in session.execute(due_rows_query(now, limit))]
            due, also = sort(session, rows) if rows else ([], [])
            read = len(rows)
        if not read:
            return handed_out
        marked = set() if not due else set(session.scalars(
            update(Notification)
            .where(
                col(Notification.id).in_(due),
                col(Notification.status).in_(NOTIFICATIONS.sources(NotificationEvent.HAND_OUT)),
                col(Notification.due_at) <= now,
            )
            .values(status=NOTIFICATIONS.move(NotificationEvent.HAND_OUT).target, claim_token=QUEUED,
                    due_at=now + lease)
            .returning(col(Notification.id))
        ))
        handed_out += [row_id for row_id in due if row_id in marked] + also
        if read < limit:
            return handed_out


def record_delivery_failure(session: Session, failed: Notification, *, today: date, now: datetime) -> list[int]:
    """Tell the lead institution's escalation contacts that ``failed`` could not be delivered."""
    strategy = session.get(Strategy, failed.strategy_id)
    if strategy is None:
        return []
    contacts = [
        c for c in contacts_with_role(session, strategy.lead_institution_id, "escalation") if c.id != failed.contact_id
    ]
    notice = DueReminder(
        deadline=Deadline(f"notification:{failed.id}:failed", DELIVERY_FAILED, failed.strategy_id, failed.due_on),
        offset_days=0,
        kind=DELIVERY_FAILED,
        send_on=today,
        escalate=True,
    )
    return record(session, notice, contacts, send_after=now, now=now, details={"failed_notification_id": failed.id})


def list_notifications(
    session: Session, *, strategy_id: int | None, status: str | None, limit: int, offset: int
) -> tuple[list[Notification], int]:
    query = select(Notification)
    if strategy_id is not None:
        query = query.where(col(Notification.strategy_id) == strategy_id)
    if status is not None:
        query = query.where(col(Notification.status) == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(col(Notification.id).desc()).limit(limit).offset(offset))
    return list(rows), total
