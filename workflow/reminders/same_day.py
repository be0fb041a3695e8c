"""The same-day merge: one person never gets two emails about the same lapse on the same day.

A strategy's lapse has two kinds of row: its deadline reminder (deadline kind ``period_end``) and
its gap warning (deadline kind ``gap``, kind ``gap_warning``: no successor approved in time), both
keyed by the strategy and the lapse date, often due the same morning. As the pass hands a batch of
due rows out, this looks at the lapse rows among them and at their partners (the other kind, same
person, strategy and lapse date):

- a lapse reminder due with a gap warning whose email is still to be composed (due in this batch,
  queued, or in a digest not claimed yet) is closed as ``merged`` into it (``carrier_id``): the gap
  warning's email says both (``workflow.scheduler.notices`` adds the reminder's wording to it), so
  it is sent once with it. A gap warning a worker has composed already (``sending``, or sent today)
  cannot take it: the lapse reminder is postponed to the next sending day instead;
- a gap warning due when the person already heard about the lapse today (a lapse reminder sent
  today, on its way, or in a digest) is postponed to the next sending day.

Whatever the person's delivery preference: a held lapse reminder (for a digest) merges, and waits
for the next sending day, the same way. The carriers are locked (``SELECT .. FOR UPDATE``) as they
are chosen, so a worker cannot compose one between the choice and this pass's commit. A carrier
that ends cancelled or failed reopens what was merged into it (``workflow.reminders.carriers``).
The work follows the lapse rows due: nothing is read when none is.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, or_, select, tuple_, update
from sqlmodel import Session, col

from workflow.core import Settings, local_date
from workflow.reminders.deadlines import LAPSE
from workflow.reminders.ledger import QUEUED, DueRow
from workflow.reminders.models import Notification
from workflow.reminders.statuses import NOTIFICATIONS, NotificationEvent, NotificationStatus
from workflow.reminders.timing import DEADLINE_REMINDER, GAP_WARNING, send_instant, sending_day

_Key = tuple[int, int, date]  # contact, strategy, lapse date


def is_lapse_reminder(kind: str, deadline_kind: str) -> bool:
    return kind == DEADLINE_REMINDER and deadline_kind == LAPSE


def _is_lapse_row(kind: str, deadline_kind: str) -> bool:
    return kind == GAP_WARNING or is_lapse_reminder(kind, deadline_kind)


def merge_same_day(session: Session, due: Sequence[DueRow], *, now: datetime, settings: Settings) -> set[int]:
    """Merge and postpone what would make a second email about a lapse today (see the module);
    returns the ids of ``due`` that are no longer to be handed out."""
    lapse_rows = [row for row in due if _is_lapse_row(row.kind, row.deadline_kind)]
    keys = {(row.contact_id, row.strategy_id, row.due_on) for row in lapse_rows}
    if not lapse_rows:
        return set()
    today = local_date(now, settings.zone)
    due_ids = {row.id for row in lapse_rows}
    candidates: dict[_Key, tuple[int, int]] = {}  # a gap warning to carry, and the row a worker composes
    went: set[_Key] = set()  # a gap warning's email about the lapse went today, or is being composed
    told: set[_Key] = set()
    for row in sorted(lapse_rows, key=lambda r: r.id):
        if row.kind == GAP_WARNING and row.status in (NotificationStatus.PENDING, NotificationStatus.SENDING):
            candidates.setdefault((row.contact_id, row.strategy_id, row.due_on), (row.id, row.id))
    for other in _partners(session, keys, due_ids):
        key = (other.contact_id, other.strategy_id, other.due_on)
        assert other.id is not None, "a partner was read from the database"
        sent_today = (other.status == NotificationStatus.SENT and other.sent_at is not None
                      and local_date(other.sent_at, settings.zone) == today)
        queued = other.status == NotificationStatus.PENDING and other.claim_token == QUEUED
        in_digest = other.status == NotificationStatus.HELD and other.carrier_id is not None
        if other.kind != GAP_WARNING:
            if queued or in_digest or sent_today or other.status == NotificationStatus.SENDING:
                told.add(key)
        elif queued or in_digest:
            candidates.setdefault(key, (other.id, other.carrier_id if other.carrier_id is not None else other.id))
        elif sent_today or other.status == NotificationStatus.SENDING:
            went.add(key)
    composed = _still_to_compose(session, {composer for _, composer in candidates.values()}, now=now)
    carriers = {key: carrier for key, (carrier, composer) in candidates.items() if composer in composed}
    # A lapse reminder of these would be a second email about the lapse today: no carrier will say it.
    blocked = (went | candidates.keys()) - carriers.keys()
    next_day = sending_day(now, settings.zone, settings.send_hour) + timedelta(days=1)
    later = send_instant(next_day, settings.zone, settings.send_hour)
    merges: list[dict[str, Any]] = []
    postpones: list[dict[str, Any]] = []
    held_later: list[dict[str, Any]] = []
    for row in lapse_rows:
        key = (row.contact_id, row.strategy_id, row.due_on)
        reminder = is_lapse_reminder(row.kind, row.deadline_kind)
        if reminder and key in carriers and row.status in _MERGEABLE:
            merges.append({"row_id": row.id, "carrier": carriers[key], "now": now})
        elif row.status == NotificationStatus.PENDING and key in (blocked if reminder else told):
            postpones.append({"row_id": row.id, "later": later})
        elif reminder and row.status == NotificationStatus.HELD and key in blocked:
            held_later.append({"row_id": row.id, "later": later})
    if merges:
        session.execute(_MERGE, merges)
    if postpones:
        session.execute(_POSTPONE, postpones)
    if held_later:
        session.execute(_HELD_LATER, held_later)
    return {item["row_id"] for item in (*merges, *postpones, *held_later)}


def _still_to_compose(session: Session, ids: set[int], *, now: datetime) -> set[int]:
    """Of ``ids`` (gap warnings, or the digests they wait in), those a worker has not composed and will:
    pending, or claimed under a lease that ran out (handed out again). One SELECT .. FOR UPDATE: a
    worker's claim of one waits for this pass's commit, and then reads what was merged into it; one
    a worker claimed first is not returned."""
    if not ids:
        return set()
    return set(session.scalars(
        select(_TABLE.c.id)
        .where(_TABLE.c.id.in_(sorted(ids)),
               or_(_TABLE.c.status == NotificationStatus.PENDING,
                   and_(_TABLE.c.status == NotificationStatus.SENDING, _TABLE.c.due_at <= now)))
        .order_by(_TABLE.c.id)
        .with_for_update()
    ))


_MERGEABLE = frozenset(NOTIFICATIONS.sources(NotificationEvent.MERGE))


def _partners(session: Session, keys: set[_Key], due_ids: set[int]) -> list[Notification]:
    """The lapse rows of ``keys`` outside the batch that are active or sent (one SELECT)."""
    rows = Notification
    # One expanding IN of (contact, strategy, lapse) triples: compiled once however many keys a batch
    # has (an OR of as many conditions was compiled, and planned, anew on every pass).
    wanted = tuple_(col(rows.contact_id), col(rows.strategy_id), col(rows.due_on)).in_(sorted(keys, key=str))
    lapse_kind = or_(col(rows.kind) == GAP_WARNING,
                     and_(col(rows.kind) == DEADLINE_REMINDER, col(rows.deadline_kind) == LAPSE))
    statuses = [NotificationStatus.PENDING, NotificationStatus.SENDING, NotificationStatus.HELD,
                NotificationStatus.SENT]
    found = session.scalars(select(rows).where(wanted, lapse_kind, col(rows.status).in_(statuses)))
    return [row for row in found if row.id not in due_ids]


_TABLE = Notification.__table__  # type: ignore[attr-defined]


def _leaving(event: NotificationEvent) -> ColumnElement[bool]:
    """The status condition of ``event`` as plain comparisons, which an executemany can bind."""
    return or_(*(_TABLE.c.status == status for status in NOTIFICATIONS.sources(event)))


_MERGE = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("row_id"), _leaving(NotificationEvent.MERGE),
           _TABLE.c.carrier_id.is_(None))
    .values(status=NOTIFICATIONS.move(NotificationEvent.MERGE).target, carrier_id=bindparam("carrier"),
            due_at=None, claim_token=None, closed_at=bindparam("now"))
)
_HELD_LATER = (  # a held lapse reminder keeps waiting for a digest, from the next sending day
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("row_id"), _TABLE.c.status == NotificationStatus.HELD,
           _TABLE.c.carrier_id.is_(None))
    .values(due_at=bindparam("later"))
)
_POSTPONE = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("row_id"),
           _leaving(NotificationEvent.POSTPONE))
    .values(status=NOTIFICATIONS.move(NotificationEvent.POSTPONE).target, due_at=bindparam("later"),
            claim_token=None)
)
