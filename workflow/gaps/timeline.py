"""A timeline of one group: when its strategies were in force, and the holes between them.

Pure, like ``workflow.gaps``: intervals come from the history as recorded on ``as_of``.
The window defaults to the span of the intervals, extended to ``as_of`` so an ongoing hole
shows; for the action plans of a strategy, to the strategy's own interval in force, so a
strategy without an action plan shows as a hole. Every day of the window is either covered
by an interval or in exactly one hole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from workflow.gaps.history import StrategySnapshot, StrategyState, states_on
from workflow.lifecycle import Interval

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class InForceSpan:
    """One strategy's interval in force, cut to the window."""

    strategy_id: int
    title: str
    start: date
    end: date

    @property
    def days(self) -> int:
        return Interval(self.start, self.end).days


@dataclass(frozen=True)
class Hole:
    """Days in the window with nothing in force; the strategies on either side, when known."""

    start: date
    end: date
    after_strategy_id: int | None
    before_strategy_id: int | None

    @property
    def days(self) -> int:
        return Interval(self.start, self.end).days

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def split_at(self, as_of: date) -> tuple[Interval | None, Interval | None]:
        """(the days of this hole up to ``as_of``: a gap that has happened; the days after it: only
        foreseen). A hole that begins after ``as_of`` has not happened, whatever its length."""
        happened = Interval(self.start, min(self.end, as_of)) if self.start <= as_of else None
        foreseen = Interval(max(self.start, as_of + timedelta(days=1)), self.end) if self.end > as_of else None
        return happened, foreseen


@dataclass(frozen=True)
class Timeline:
    window: Interval | None
    spans: tuple[InForceSpan, ...]
    holes: tuple[Hole, ...]

    @property
    def days_in_force(self) -> int:
        return 0 if self.window is None else self.window.days - self.days_without

    @property
    def days_without(self) -> int:
        return sum(hole.days for hole in self.holes)


def group_states(
    snapshots: Sequence[StrategySnapshot], *, as_of: date, policy_area: str, kind: str, parent_id: int | None
) -> list[StrategyState]:
    """The members of one group (see ``workflow.gaps.rules``) that existed on ``as_of``, as recorded then."""
    members = [
        snapshot
        for snapshot in snapshots
        if snapshot.policy_area == policy_area
        and snapshot.kind == kind
        and (kind != "action_plan" or snapshot.parent_id == parent_id)
    ]
    return states_on(members, as_of)


def build_timeline(
    members: Sequence[StrategyState],
    *,
    as_of: date,
    start: date | None = None,
    end: date | None = None,
    frame: Interval | None = None,
) -> Timeline:
    """The timeline of ``members`` (one group) between ``start`` and ``end``.

    ``frame`` is the default window (the parent strategy's interval, for action plans); without
    it the default runs from the first interval's start to the later of the last end and ``as_of``.
    """
    intervals = sorted(
        ((state.in_force, state) for state in members if state.in_force is not None),
        key=lambda pair: (pair[0].start, pair[0].end, pair[1].id),
    )
    if frame is None and intervals:
        frame = Interval(intervals[0][0].start, max(max(i.end for i, _ in intervals), as_of))
    window_start = start or (frame.start if frame else None)
    window_end = end or (frame.end if frame else None)
    if window_start is not None and window_end is not None:
        window = Interval(window_start, window_end)
    elif window_start is not None:
        window = Interval(window_start, max(window_start, as_of))
    elif window_end is not None:
        window = Interval(window_end, window_end)
    else:
        return Timeline(None, (), ())
    if window.end < window.start:
        return Timeline(None, (), ())

    spans = tuple(
        InForceSpan(state.id, state.snapshot.title, max(i.start, window.start), min(i.end, window.end))
        for i, state in intervals
        if i.start <= window.end and i.end >= window.start
    )
    return Timeline(window, spans, tuple(_holes(intervals, window)))


def _holes(intervals: list[tuple[Interval, StrategyState]], window: Interval) -> list[Hole]:
    """Walk the intervals by start, tracking the furthest day covered so far."""
    ended_before = [(i, s) for i, s in intervals if i.end < window.start]
    last_id = max(ended_before, key=lambda pair: (pair[0].end, pair[1].id))[1].id if ended_before else None
    holes = []
    covered_to = window.start - ONE_DAY
    for interval, state in intervals:
        if interval.end < window.start:
            continue
        if interval.start > window.end:
            break
        if interval.start > covered_to + ONE_DAY:
            holes.append(Hole(covered_to + ONE_DAY, interval.start - ONE_DAY, last_id, state.id))
        if interval.end >= covered_to:
            covered_to, last_id = interval.end, state.id
    if covered_to < window.end:
        next_id = next((state.id for interval, state in intervals if interval.start > window.end), None)
        holes.append(Hole(covered_to + ONE_DAY, window.end, last_id, next_id))
    return holes
