"""What changed since the last scheduler pass, so a pass costs what changed and what is due.

The outbox is the change feed: every write that can move a deadline, a lapse or a gap status
records an event naming its strategy in the same transaction (``strategy_created``,
``strategy_updated``, ``stage_changed``, consultation and report events). The pass keeps a cursor
into it (``SchedulerState.events_through``) and re-plans only the strategies named since.

Some changes are not in the feed, and some come with time alone: reminders become due when a
sending day begins, lapses and supersessions fall due when a local day begins, projections move
with the day, and a declared non-working day moves send days everywhere. So a pass plans every
deadline (*everything*) when the sending day differs from the one it last planned for, when the
settings the plans depend on changed, on the first pass, after a calendar event, and after a
person was deactivated (``contact_deactivated``: their roles went to someone else); and it looks
for every due expiry (``new_day``) when the local day changed. The two come apart (midnight and
``send_hour``), so no pass does both full reads; the gap watch keeps its own day (see
``workflow.gaps.watch``). Every other pass reads the events since the cursor and what is due,
whatever the size of the portfolio.

The cursor is written with a conditional update on the value the pass read, so of two passes at
once (two beats, or ``continuum tick`` beside beat) both plan, idempotently, and only one moves it;
the other's events are read again by the next pass, which plans them again without effect.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import update
from sqlmodel import Session, col

from workflow.core import Settings, UnknownCursor, insert_ignoring_conflict, read_feed
from workflow.gaps import GAP_WATCH_EVENTS
from workflow.scheduler.models import SchedulerState

log = logging.getLogger("continuum.scheduler")
_STATE_ID = 1
_PAGE = 5_000
# Past this many strategies named since the last pass (an import, say), planning them one by one
# would cost more than planning everything, and their ids would not fit one query on SQLite.
MANY = 5_000
# Events the pass itself writes (the gap watch's): they report its work and change nothing it plans from.
OWN_EVENTS = GAP_WATCH_EVENTS
# Events that move every send day (working days) rather than one strategy's deadlines.
CALENDAR_EVENTS = frozenset({"non_working_day_declared", "non_working_day_removed"})
# Events that change who hears about deadlines of strategies they do not name (a person left, and
# their roles went to someone else): rare, so the pass after one plans everything for the new recipients.
RECIPIENT_EVENTS = frozenset({"contact_deactivated"})


@dataclass(frozen=True)
class Changes:
    """What a pass must plan: the strategies named since the last pass, or ``everything``."""

    strategy_ids: frozenset[int]
    everything: bool
    new_day: bool = False  # the local day changed: lapses and supersessions may have come due

    def including(self, strategy_ids: frozenset[int] | set[int] | list[int]) -> Changes:
        return Changes(self.strategy_ids | frozenset(strategy_ids), self.everything, self.new_day)


@dataclass(frozen=True)
class PlanningPoint:
    """Where a pass starts from and where it ends: the cursor read, and what to store when it commits."""

    changes: Changes
    seen_through: int | None  # the cursor as read (None: no state row yet)
    events_through: int
    planned_for: str
    fingerprint: str


def settings_fingerprint(settings: Settings) -> str:
    """A digest of the settings that deadlines, reminders, expiries and gap statuses depend on."""
    relevant = {
        name: getattr(settings, name)
        for name in (
            "timezone", "send_hour", "reminder_offsets", "overdue_offsets", "escalate_after_days",
            "gap_lead_days", "gap_warning_offsets", "typical_drafting_days", "typical_consultation_days",
            "typical_approval_days", "holiday_country", "min_consultation_days",
        )
    }
    return hashlib.sha256(json.dumps(relevant, sort_keys=True, default=str).encode()).hexdigest()


def planning_days(today: date, sending_day: date) -> str:
    return f"{today.isoformat()}/{sending_day.isoformat()}"


def read_changes(session: Session, *, today: date, sending_day: date, settings: Settings) -> PlanningPoint:
    """The changes since the last pass (reading the outbox from its cursor), and the point to store."""
    state = session.get(SchedulerState, _STATE_ID)
    fingerprint = settings_fingerprint(settings)
    planned_for = planning_days(today, sending_day)
    after = state.events_through if state is not None else 0
    lost = False
    try:
        feed = read_feed(session, after, ignore=OWN_EVENTS | CALENDAR_EVENTS, page=_PAGE)
    except UnknownCursor:  # a position the feed no longer knows (a restore, a pruned feed): start over
        log.warning("the scheduler's cursor names no event (%s): planning everything", after)
        feed, lost = read_feed(session, 0, ignore=OWN_EVENTS | CALENDAR_EVENTS, page=_PAGE), True
    named, calendar_changed = feed.named, bool(feed.types & CALENDAR_EVENTS)
    last_day, _, last_sending_day = (state.planned_for if state is not None else "/").partition("/")
    unknown = state is None or lost or len(named) > MANY or state.settings_fingerprint != fingerprint
    recipients_changed = bool(feed.types & RECIPIENT_EVENTS)
    everything = unknown or calendar_changed or recipients_changed or last_sending_day != sending_day.isoformat()
    new_day = unknown or last_day != today.isoformat()
    return PlanningPoint(
        changes=Changes(named, everything, new_day),
        seen_through=state.events_through if state is not None else None,
        events_through=feed.through,
        planned_for=planned_for,
        fingerprint=fingerprint,
    )


def store_point(session: Session, point: PlanningPoint) -> bool:
    """Record that the pass planned through ``point``, unless another pass moved the cursor meanwhile
    (then that pass's point stands, and the next pass re-reads what is in between: harmless)."""
    values = {
        "events_through": point.events_through,
        "planned_for": point.planned_for,
        "settings_fingerprint": point.fingerprint,
    }
    if point.seen_through is None:
        inserted = insert_ignoring_conflict(
            session, SchedulerState, {"id": _STATE_ID, **values}, unique=["id"], returning=SchedulerState.id
        )
        return inserted is not None
    unchanged = (point.events_through == point.seen_through)
    if unchanged and not (point.changes.everything or point.changes.new_day):
        return True  # nothing to write: a steady pass stays a read
    result = session.exec(
        update(SchedulerState)
        .where(col(SchedulerState.id) == _STATE_ID, col(SchedulerState.events_through) == point.seen_through)
        .values(**values)
    )
    return result.rowcount == 1
