"""Digests: a person who takes a daily or weekly digest gets one email for what fell due.

Their reminders are recorded ``held`` (``ledger.held_for``: never an escalation or a delivery
failure, which go at once), due at the time they would have been sent. As the pass hands the due
rows out (``hand_out``), it gathers each person's held rows due into one digest row for that
person and sending day (kind ``digest``, unique per person and day, so two passes record it once),
links them to it (``carrier_id``) and hands the digest out; the worker claims it, re-checks each
member, sends one email and closes the members with it (``workflow.reminders.delivery``).

What the person's preference is decides at that moment, so changing it strands nothing:
- ``daily``: the digest of that day; what falls due after it was made waits for the next day's;
- ``weekly``: on ``digest_weekday`` the digest of everything held since the last one; on another
  day the rows due are moved to the next weekly digest time;
- ``immediate`` (the person changed their mind): the rows are released as single emails.
A change of preference makes the person's held rows due at once (``follow_delivery_change``), so
the next pass files them by the new preference rather than at the old digest time.

The work follows what is due: the rows come from the pass's one due read (``ledger.hand_out``),
then one read of their people and a few writes per batch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, event, select, update
from sqlalchemy.orm import Mapper, attributes
from sqlmodel import Session, col

from workflow.core import Settings, insert_many_ignoring_conflict
from workflow.directory import Contact
from workflow.reminders.ledger import IMMEDIATE, QUEUED, WEEKLY, DueRow
from workflow.reminders.ledger import hand_out as hand_out_rows
from workflow.reminders.models import Notification
from workflow.reminders.same_day import merge_same_day
from workflow.reminders.statuses import NOTIFICATIONS, NotificationEvent, NotificationStatus
from workflow.reminders.timing import DIGEST, send_instant, sending_day

_TABLE = Notification.__table__  # type: ignore[attr-defined]


def hand_out(session: Session, now: datetime, *, lease: timedelta, settings: Settings) -> list[int]:
    """``ledger.hand_out`` with the same-day merge and the digests: every row due now goes out as
    itself, in its person's digest, or merged into another email about the same lapse."""

    def sort(session: Session, rows: list[DueRow]) -> tuple[list[int], list[int]]:
        taken = merge_same_day(session, rows, now=now, settings=settings)
        rows = [row for row in rows if row.id not in taken]
        held = [row for row in rows if row.status == NotificationStatus.HELD]
        ready = [row.id for row in rows if row.status != NotificationStatus.HELD]
        return ready, gather(session, held, now=now, lease=lease, settings=settings) if held else []

    return hand_out_rows(session, now, lease=lease, sort=sort)


def next_digest_day(delivery: str, after: date, weekday: int) -> date:
    """The first day after ``after`` on which a ``delivery`` digest goes out."""
    if delivery != WEEKLY:
        return after + timedelta(days=1)
    return after + timedelta(days=(weekday - after.weekday() - 1) % 7 + 1)


def gather(
    session: Session, held: Sequence[DueRow], *, now: datetime, lease: timedelta, settings: Settings
) -> list[int]:
    """File the held rows due now by their people's preference (see the module); returns the ids
    handed to the queue (digest rows, and rows released as single emails). Every row given leaves
    the due range."""
    preferences = dict(session.execute(
        select(col(Contact.id), col(Contact.delivery)).where(col(Contact.id).in_({row.contact_id for row in held}))
    ).all())
    day = sending_day(now, settings.zone, settings.send_hour)
    by_person: dict[int, list[DueRow]] = defaultdict(list)
    for row in held:
        by_person[row.contact_id].append(row)
    released = [row.id for row in held if preferences.get(row.contact_id, IMMEDIATE) == IMMEDIATE]
    later: list[dict[str, Any]] = []
    digests: dict[int, list[DueRow]] = {}
    for contact_id, rows in by_person.items():
        delivery = preferences.get(contact_id, IMMEDIATE)
        if delivery == IMMEDIATE:
            continue
        if delivery == WEEKLY and day.weekday() != settings.digest_weekday:
            at = send_instant(next_digest_day(WEEKLY, day, settings.digest_weekday), settings.zone, settings.send_hour)
            later += [{"row_id": row.id, "at": at} for row in rows]
        else:
            digests[contact_id] = rows
    handed_out = _release(session, released, now=now, lease=lease)
    new_rows = [_digest_row(contact_id, rows, day, now=now, lease=lease, delivery=preferences[contact_id])
                for contact_id, rows in digests.items()]
    made: dict[int, int] = dict(insert_many_ignoring_conflict(
        session, Notification, new_rows,
        unique=["deadline_key", "due_on", "offset_days", "contact_id"],
        returning=(Notification.contact_id, Notification.id),
    ))
    members = [{"row_id": row.id, "digest": made[contact_id], "now": now}
               for contact_id, rows in digests.items() if contact_id in made for row in rows]
    for contact_id, rows in digests.items():
        if contact_id not in made:  # that day's digest was made already: the next one takes them
            at = send_instant(next_digest_day(preferences[contact_id], day, settings.digest_weekday),
                              settings.zone, settings.send_hour)
            later += [{"row_id": row.id, "at": at} for row in rows]
    if members:
        session.execute(_ATTACH, members)
    if later:
        session.execute(_LATER, later)
    return handed_out + list(made.values())


def _digest_row(
    contact_id: int, rows: Sequence[DueRow], day: date, *, now: datetime, lease: timedelta, delivery: str
) -> dict[str, Any]:
    """A digest row, recorded handed out (queued); filed under its first member's strategy, since
    every ledger row names one."""
    first = min(rows, key=lambda row: row.id)
    return {
        "deadline_key": DIGEST, "deadline_kind": DIGEST, "strategy_id": first.strategy_id, "due_on": day,
        "offset_days": 0, "kind": DIGEST, "escalated": False, "contact_id": contact_id,
        "status": NOTIFICATIONS.initial, "claim_token": QUEUED, "due_at": now + lease, "attempts": 0,
        "details": {"delivery": delivery}, "created_at": now,
    }


def _release(session: Session, ids: list[int], *, now: datetime, lease: timedelta) -> list[int]:
    """Held rows of people who take single emails again: pending, and handed to the queue at once."""
    if not ids:
        return []
    return list(session.scalars(
        update(Notification)
        .where(col(Notification.id).in_(ids),
               col(Notification.status).in_(NOTIFICATIONS.sources(NotificationEvent.RELEASE)),
               col(Notification.carrier_id).is_(None))
        .values(status=NOTIFICATIONS.move(NotificationEvent.RELEASE).target, claim_token=QUEUED, due_at=now + lease)
        .returning(col(Notification.id))
    ))


# What a digest's members are until it is sent; one status, so a plain comparison an executemany can bind.
(_HELD,) = NOTIFICATIONS.sources(NotificationEvent.SEND_IN_DIGEST)
_ATTACH = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("row_id"), _TABLE.c.status == _HELD, _TABLE.c.carrier_id.is_(None),
           _TABLE.c.due_at <= bindparam("now"))
    .values(carrier_id=bindparam("digest"), due_at=None)
)
_LATER = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("row_id"), _TABLE.c.status == _HELD, _TABLE.c.carrier_id.is_(None))
    .values(due_at=bindparam("at"))
)


def follow_delivery_change(connection: Connection, contact_id: int, *, at: datetime) -> None:
    """Make the person's held rows not yet in a digest due at ``at``: the next pass files them by
    their current preference (a digest, the next weekly one, or single emails)."""
    connection.execute(
        update(_TABLE)
        .where(_TABLE.c.contact_id == contact_id, _TABLE.c.status == _HELD, _TABLE.c.carrier_id.is_(None),
               _TABLE.c.due_at > at)
        .values(due_at=at)
    )


@event.listens_for(Contact, "after_update")
def _delivery_changed(_mapper: Mapper[Contact], connection: Connection, contact: Contact) -> None:
    """Whoever changes a contact's ``delivery`` (the API, the console, an import), in the same
    transaction: their held rows follow the new preference from the next pass."""
    if contact.id is not None and attributes.get_history(contact, "delivery").has_changes():
        follow_delivery_change(connection, contact.id, at=contact.updated_at)

