"""Working the stored gap report out again: all of it once a day, else only the areas that changed.

The rules read strategies, their stage changes and their revisions, the day and a few settings.
Successors and cover stay within a policy area (with the links ``scoped`` follows out of it);
only the stage history the forecasts draw on is the whole deployment's. So:

* **everything** is judged again when the stored report is of another day (lapses, projections
  and gap days move with the day), was judged with other settings, does not exist yet, or when
  more strategies changed than area reads would beat (``MAX_CHANGED``). The stage history is
  worked out then and stored with the rows. The caller's ``everything`` (a new sending day, a
  calendar or settings change) does not force it: the watch tells the day and its settings from
  its own state, and a new sending day or calendar moves warnings, not entries (``watch``);
* otherwise only the **areas** the changed strategies touch (``scoped.areas_touched``) are judged
  again, from those areas alone, with the stored stage history. A stage completed since this
  morning's full judgement moves the forecasts only from the next one: at most a day late, and the
  price of not reading the deployment's whole history on every change.

What changed is read from the outbox, from the event the stored report is current through to
the end of the feed (the stored position then moves there). Every write to a strategy, its stage
or its revisions records an event naming it in the same transaction, so the feed is a complete
list. The caller's ``changes`` (the scheduler's own cursor) are added to it; when they say nothing
changed, nothing is read at all (``idle``). The watch keeps its own position because ``GET /gaps``
needs one to know which areas are not in the rows yet.

The feed is read first and the data after, each in its own statement: an event read was
committed with its change, so the data read after it hold that change; a change committed after
the feed was read is after the position stored, and is judged again next time (harmless).

``read_refresh`` reads in a short session of its own and computes with no connection held (the
full judgement takes seconds at 50,000 strategies); ``refresh_in`` does both in a session the
caller holds.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from sqlalchemy import Engine, or_, select, tuple_
from sqlmodel import Session, col

from workflow.core import FeedRead, OutboxEvent, Settings, UnknownCursor, new_session, read_feed
from workflow.gaps.durations import StageHistory
from workflow.gaps.history import StrategySnapshot
from workflow.gaps.models import GapReportRow, GapReportState
from workflow.gaps.queries import load_snapshots, typical_days
from workflow.gaps.rules import GapAssessment
from workflow.gaps.scoped import areas_touched, load_areas
from workflow.gaps.stored import (
    STATE_ID,
    UNBOUNDED,
    StatusCounts,
    StoredRow,
    entry_of,
    settings_fingerprint,
)

# Events the gap watch writes itself: they report its work and change nothing it judges.
OWN_EVENTS = frozenset({"gap_warning", "gap_status_changed"})
EVENT_PAGE = 5_000
MAX_CHANGED = 2_000  # more changed strategies than this: one full read costs less than their areas


class StrategyChanges(Protocol):
    """What changed since the caller last looked (``workflow.scheduler.Changes`` is one)."""

    @property
    def strategy_ids(self) -> frozenset[int]: ...

    @property
    def everything(self) -> bool: ...


@dataclass(frozen=True)
class StateSeen:
    """``GapReportState`` as read, for the conditional write and the readers' checks."""

    version: int
    as_of: date
    events_through: int
    events_through_tx: int
    typical: StageHistory | None  # None: not read (``read_state(with_history=False)``)
    settings_fingerprint: str
    watch_fingerprint: str
    counts: StatusCounts


_STATE_COLUMNS = (
    GapReportState.version, GapReportState.as_of, GapReportState.events_through, GapReportState.events_through_tx,
    GapReportState.settings_fingerprint, GapReportState.watch_fingerprint, GapReportState.counts,
)


def read_state(session: Session, *, with_history: bool = True) -> StateSeen | None:
    """The state row (one statement, no ORM object). ``GET /gaps`` reads it on every request without
    the stored stage history (``with_history=False``: per area, it grows with the portfolio), and
    reads that (``read_history``) only when it judges areas again."""
    columns = [col(c) for c in _STATE_COLUMNS]
    if with_history:
        columns.append(col(GapReportState.typical))
    row = session.execute(select(*columns).where(col(GapReportState.id) == STATE_ID)).one_or_none()
    if row is None:
        return None
    version, as_of, through, through_tx, fingerprint, watch, counts, *typical = row
    history = StageHistory.of(typical[0]) if typical else None
    return StateSeen(version, as_of, through, through_tx, history, fingerprint, watch, StatusCounts.of(counts))


def read_history(session: Session) -> StageHistory:
    """The stage history stored with the rows."""
    values = session.scalar(select(col(GapReportState.typical)).where(col(GapReportState.id) == STATE_ID))
    return StageHistory.of(values or {})


def current_for(state: StateSeen | None, *, today: date, settings: Settings) -> bool:
    """Whether the stored rows are today's, judged with these settings (changes since aside)."""
    return state is not None and state.as_of == today and state.settings_fingerprint == settings_fingerprint(settings)


def named_after(session: Session, after: int, after_tx: int, *, limit: int) -> frozenset[int] | None:
    """For a read that stores nothing: the strategies named by every event after event ``after``
    (of transaction ``after_tx``) that this read can see, or None when there are more than ``limit``.

    ``events_after`` holds back events above the oldest running transaction, so that a cursor
    handed out never skips one; that bound is for positions that are kept. A read that keeps none
    may take every event it sees (each was committed with its change, which the read sees too):
    so a strategy written a moment ago is judged again even while an unrelated transaction, begun
    earlier, still holds the feed back. Same order as the feed, ``(tx_id, id)``, from the position
    the state row holds (no lookup of it). The watch's own events are left out in the query: after
    a pass that announced much, they are most of what follows its position until the next pass."""
    query = select(col(OutboxEvent.strategy_id)).where(col(OutboxEvent.type).not_in(sorted(OWN_EVENTS)))
    if after:
        query = query.where(tuple_(col(OutboxEvent.tx_id), col(OutboxEvent.id)) > tuple_(after_tx, after))
    named = list(session.scalars(query.limit(limit + 1)))
    if len(named) > limit:
        return None
    return frozenset(strategy_id for strategy_id in named if strategy_id is not None)


_ROW_COLUMNS = (GapReportRow.strategy_id, GapReportRow.policy_area, GapReportRow.kind, GapReportRow.parent_id,
                GapReportRow.predecessor_id, GapReportRow.entry, GapReportRow.warn_on)


def stored_rows(session: Session, *, areas: Collection[str] | None, ids: Collection[int] = ()) -> dict[int, StoredRow]:
    """The stored rows of ``areas`` (None: all) and of ``ids``, with their ``warn_on`` (plain rows, no ORM)."""
    query = select(*(col(c) for c in _ROW_COLUMNS))
    if areas is not None:
        query = query.where(or_(col(GapReportRow.policy_area).in_(sorted(areas)),
                                col(GapReportRow.strategy_id).in_(sorted(ids))))
    return {
        strategy_id: StoredRow(strategy_id, area, kind, parent_id, predecessor_id,
                               entry_of(entry) if entry is not None else None, warn_on)
        for strategy_id, area, kind, parent_id, predecessor_id, entry, warn_on in session.execute(query)
    }


@dataclass(frozen=True)
class GapRefresh:
    """What the watch worked out, for ``watch_gaps`` to write.

    ``areas`` None: everything was judged (``rows`` holds every strategy); else the areas judged
    again. ``before`` holds the stored rows of what was judged, to write only what differs."""

    today: date
    seen: StateSeen | None
    events_through: int
    events_through_tx: int
    typical: StageHistory | None  # None: the stored one, unchanged
    areas: frozenset[str] | None
    rows: dict[int, StoredRow] = field(default_factory=dict)
    before: dict[int, StoredRow] = field(default_factory=dict)
    idle: bool = False  # the caller said nothing changed: nothing was read, nothing is to be done

    @property
    def full(self) -> bool:
        return self.areas is None

    @property
    def moved(self) -> bool:
        """Whether anything is to be written: rows judged, or the position moved."""
        return self.full or bool(self.areas) or self.seen is None or self.events_through != self.seen.events_through


@dataclass(frozen=True)
class _Read:
    today: date
    seen: StateSeen | None
    feed: FeedRead
    areas: frozenset[str] | None
    snapshots: list[StrategySnapshot]
    before: dict[int, StoredRow]


def _read(session: Session, *, today: date, settings: Settings, changes: StrategyChanges | None) -> _Read:
    seen = read_state(session)
    lost = False
    try:
        feed = read_feed(session, *((seen.events_through, seen.events_through_tx) if seen is not None else (0, 0)),
                         ignore=OWN_EVENTS, page=EVENT_PAGE)
    except UnknownCursor:  # a position the feed no longer knows: judge everything, from the feed's start
        feed, lost = read_feed(session, 0, 0, ignore=OWN_EVENTS, page=EVENT_PAGE), True
    named = feed.named | (changes.strategy_ids if changes is not None else frozenset())
    full = lost or not current_for(seen, today=today, settings=settings) or len(named) > MAX_CHANGED
    if full:
        snapshots = load_snapshots(session, zone=settings.zone)
        return _Read(today, seen, feed, None, snapshots, stored_rows(session, areas=None))
    areas = frozenset(areas_touched(session, named)) if named else frozenset()
    if not areas:
        return _Read(today, seen, feed, areas, [], {})
    snapshots = load_areas(session, zone=settings.zone, areas=areas)
    judged = {s.id for s in snapshots if s.policy_area in areas}
    return _Read(today, seen, feed, areas, snapshots, stored_rows(session, areas=areas, ids=judged))


def _compute(read: _Read, settings: Settings) -> GapRefresh:
    areas = read.areas
    if areas is not None and not areas:
        assert read.seen is not None, "only a stored report is refreshed by areas"
        return GapRefresh(read.today, read.seen, read.feed.through, read.feed.through_tx, None, areas)
    typical = read.seen.typical if areas is not None and read.seen is not None else None
    assessment = GapAssessment(read.snapshots, as_of=read.today, default_days=typical_days(settings), typical=typical)
    kept = None if typical is not None else assessment.typical
    entries = {e.strategy_id: e for e in assessment.entries(UNBOUNDED, policy_areas=areas)}
    rows = {
        s.id: StoredRow(s.id, s.policy_area, s.kind, s.parent_id, s.predecessor_id, entries.get(s.id))
        for s in read.snapshots
        if areas is None or s.policy_area in areas
    }
    return GapRefresh(read.today, read.seen, read.feed.through, read.feed.through_tx, kept, areas, rows,
                      read.before)


def idle(changes: StrategyChanges | None, today: date) -> GapRefresh | None:
    """Nothing to do, when the caller says nothing changed (``changes`` names no strategy, and not
    ``everything``): the scheduler pass says so only on the day, the sending day, the settings and
    the calendar it last planned everything for, and its previous pass ran this watch in the same
    unit of work. Then no row can differ and no warning can have fallen due (a row's warnings are
    recorded in the pass that writes it, and ``warn_on`` moves past the sending day), so a steady
    pass costs the watch no statement at all. Events the watch has not read yet (had one of its
    passes lost the race) are read by the next pass that has changes; ``GET /gaps`` reads them anyway."""
    if changes is None or changes.everything or changes.strategy_ids:
        return None
    return GapRefresh(today, None, 0, 0, StageHistory({}, {}), frozenset(), idle=True)


def refresh_in(
    session: Session, *, today: date, settings: Settings, changes: StrategyChanges | None = None
) -> GapRefresh:
    """Read what changed and judge it again, in ``session`` (computed while it is held)."""
    nothing = idle(changes, today)
    return nothing or _compute(_read(session, today=today, settings=settings, changes=changes), settings)


def read_refresh(
    engine: Engine, *, today: date, settings: Settings, changes: StrategyChanges | None = None
) -> GapRefresh:
    """``refresh_in`` read in a short session of its own and computed after it is closed."""
    nothing = idle(changes, today)
    if nothing is not None:
        return nothing
    with new_session(engine) as session:
        read = _read(session, today=today, settings=settings, changes=changes)
    return _compute(read, settings)
