"""Policy gaps: which strategies and action plans are covered by a successor, at risk, or lapsed
with nothing in force. Pure rules over ``StrategySnapshot`` values; no database, no clock.

Everything is judged as recorded on ``as_of`` (see ``workflow.snapshots.state_on``).

Groups. Strategies succeed one another within a *group*: the same policy area and kind, and,
for action plans, the same parent strategy. A *standalone* action plan (no parent strategy) is
judged like a strategy: the standalone plans of an area are a group of their own, with their own
chain of predecessors.

Cover. What may keep a lapse from being a gap: for an action plan inside a strategy, the other
action plans of that strategy; for a strategy or a standalone action plan, the area's strategies
and standalone action plans together (an area whose policy runs on national action plans after
its last strategy has a policy in force).

Successor of S: the strategy whose ``predecessor_id`` is S (the earliest by period start if
several), else the next one in S's group by ``period_start`` that does not name another
predecessor.

Lapse of S: the last day of its in-force interval as recorded on ``as_of`` (``period_end``,
or the day before an ``expire`` already effective).

Statuses, for each strategy in force on ``as_of`` (L = its lapse day):

* ``covered``: its successor is approved and in force on L + 1 (it starts no later than the
  day after the lapse);
* ``at_risk``: not covered, L is within ``horizon_days`` of ``as_of``, and the successor is
  missing, or is expected to come into force after L + 1: approved with a later start, or not
  approved and projected (``workflow.projection``) to be approved too late. A successor
  approved on L + 1 comes into force on L + 1, so that is not a risk;
* ``ok``: not covered, and not at risk: L is beyond the horizon, or the successor is
  projected to come into force by L + 1. An action plan that lapses together with its
  strategy (on or after the strategy's lapse) needs no successor and is always ``ok``: the
  strategy's own entry carries the risk.

and for each strategy that has lapsed (L < ``as_of``) with nothing of its cover in force on
any day from L + 1 to ``as_of`` (for an action plan inside a strategy: while its strategy is
still in force):

* ``gap``: ``gap_days`` counts the days without coverage from L + 1 to ``as_of``, or to the
  day before an approved successor's start when that is later.

``projected_gap_days`` is how many days after L the successor is expected to come into force
(0 when on time), whenever a successor and a date for it are known.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from workflow.gaps.history import StrategySnapshot, StrategyState, states_on
from workflow.gaps.projection import Projection, StageStep, TypicalDuration, project_approval, typical_durations_of
from workflow.lifecycle import Interval, Stage

COVERED = "covered"
OK = "ok"
AT_RISK = "at_risk"
GAP = "gap"
STATUSES = (COVERED, OK, AT_RISK, GAP)

ONE_DAY = timedelta(days=1)
GroupKey = tuple[str, str, int | None]


@dataclass(frozen=True)
class GapEntry:
    """The gap status of one strategy or action plan on ``as_of``."""

    strategy_id: int
    title: str
    policy_area: str
    kind: str
    parent_id: int | None
    stage: str
    in_force_from: date
    lapses_on: date
    status: str
    successor_id: int | None = None
    successor_title: str | None = None
    successor_stage: str | None = None
    successor_in_force_from: date | None = None
    projected_successor_approval: date | None = None
    projection_basis: str | None = None
    projection_steps: tuple[StageStep, ...] = ()
    gap_days: int | None = None
    projected_gap_days: int | None = None
    in_force_from_approximate: bool = False
    approval_reference_unknown: bool = False


@dataclass(frozen=True)
class Outlook:
    """What is known about a successor: its start if approved, else its projected approval."""

    successor: StrategyState | None
    projection: Projection | None = None

    @property
    def in_force_from(self) -> date | None:
        if self.successor is None or self.successor.in_force is None:
            return None
        return self.successor.in_force.start

    @property
    def expected_start(self) -> date | None:
        """The day the successor comes into force: known if approved, else projected."""
        if self.successor is None:
            return None
        if self.successor.approved:
            return self.in_force_from
        if self.projection is None:
            return None
        return max(self.successor.period_start, self.projection.approved_on)


def is_standalone(snapshot: StrategySnapshot) -> bool:
    """An action plan with no umbrella strategy."""
    return snapshot.kind == "action_plan" and snapshot.parent_id is None


def group_key(state: StrategyState) -> GroupKey:
    """The chain ``state`` succeeds in: (area, kind, parent strategy); standalone action plans of
    an area are the group (area, ``action_plan``, None)."""
    snapshot = state.snapshot
    return (snapshot.policy_area, snapshot.kind, snapshot.parent_id if snapshot.kind == "action_plan" else None)


def cover_key(state: StrategyState) -> GroupKey:
    """What may cover ``state``'s lapse: its group for an action plan inside a strategy; for a
    strategy or a standalone action plan, the area's strategies and standalone plans together."""
    snapshot = state.snapshot
    if snapshot.kind == "action_plan" and snapshot.parent_id is not None:
        return group_key(state)
    return (snapshot.policy_area, "strategy", None)


def _interval_in_force(state: StrategyState) -> Interval:
    """The interval of a state the caller has already found in force at some point."""
    interval = state.in_force
    assert interval is not None, f"strategy {state.id} was never in force"
    return interval


def default_typical_days(drafting: int, consultation: int, approval: int) -> dict[Stage, int]:
    return {Stage.DRAFTING: drafting, Stage.CONSULTATION: consultation, Stage.APPROVAL: approval}


def _succession_order(state: StrategyState) -> tuple[date, int]:
    return (state.period_start, state.id)


def _named_successors(states: Sequence[StrategyState]) -> dict[int, StrategyState]:
    """Per predecessor id, the earliest (by period start, then id) of the strategies naming it."""
    named: dict[int, StrategyState] = {}
    for state in states:
        predecessor_id = state.snapshot.predecessor_id
        if predecessor_id is None:
            continue
        known = named.get(predecessor_id)
        if known is None or _succession_order(state) < _succession_order(known):
            named[predecessor_id] = state
    return named


class _NextInLine:
    """The strategies of one group that name no predecessor, by period start then id."""

    def __init__(self, members: Sequence[StrategyState]) -> None:
        self.states = sorted((s for s in members if s.snapshot.predecessor_id is None), key=_succession_order)
        self.starts = [s.period_start for s in self.states]

    def after(self, day: date) -> StrategyState | None:
        """The first that starts after ``day``."""
        index = bisect_right(self.starts, day)
        return self.states[index] if index < len(self.states) else None


def _latest_end(members: Sequence[StrategyState], as_of: date) -> date | None:
    """The latest end of the group's intervals in force begun by ``as_of``. Only another member can
    run past a member's lapse (its own interval ends on it), so this tells whether one does."""
    return max((i.end for s in members if (i := s.in_force) is not None and i.start <= as_of), default=None)


class GapAssessment:
    """The strategies recorded on one day, grouped, with the deployment's typical stage durations.

    ``typical`` gives those durations instead of working them out from ``snapshots``: for an
    assessment of a few policy areas (``workflow.gaps.scoped``), whose medians are the whole
    deployment's and so cannot come from the areas' own histories."""

    def __init__(
        self,
        snapshots: Sequence[StrategySnapshot],
        *,
        as_of: date,
        default_days: Mapping[Stage, int],
        typical: Mapping[Stage, TypicalDuration] | None = None,
    ) -> None:
        self.as_of = as_of
        self.states = states_on(list(snapshots), as_of)
        self.by_id = {state.id: state for state in self.states}
        self.groups: dict[GroupKey, list[StrategyState]] = defaultdict(list)
        covers: dict[GroupKey, list[StrategyState]] = defaultdict(list)
        for state in self.states:
            self.groups[group_key(state)].append(state)
            covers[cover_key(state)].append(state)
        self.typical: dict[Stage, TypicalDuration] = (
            dict(typical) if typical is not None else typical_durations_of(snapshots, as_of, default_days)
        )
        self._named = _named_successors(self.states)
        self._next_in_line = {key: _NextInLine(members) for key, members in self.groups.items()}
        self._latest_end = {key: _latest_end(members, as_of) for key, members in covers.items()}
        self._covers = covers

    def successor_of(self, state: StrategyState) -> StrategyState | None:
        """The earliest strategy naming ``state`` as predecessor, else the next one of its group
        by period start that names none (one that names another is that one's successor)."""
        named = self._named.get(state.id)
        if named is not None:
            return named
        return self._next_in_line[group_key(state)].after(state.period_start)

    def outlook(self, successor: StrategyState | None) -> Outlook:
        if successor is None or successor.approved:
            return Outlook(successor)
        snapshot = successor.snapshot
        projection = project_approval(
            stage=successor.stage,
            stage_entered_on=successor.stage_entered_on,
            due_dates={
                Stage.DRAFTING: snapshot.drafting_due,
                Stage.CONSULTATION: snapshot.consultation_due,
                Stage.APPROVAL: snapshot.approval_due,
            },
            as_of=self.as_of,
            typical=self.typical,
        )
        return Outlook(successor, projection)

    def parent_lapse(self, state: StrategyState) -> date | None:
        """For an action plan inside a strategy: the day its strategy lapses (its period end if never
        in force). None for a strategy and for a standalone action plan, which lapse on their own."""
        parent = self.by_id.get(state.snapshot.parent_id) if state.snapshot.parent_id is not None else None
        if parent is None:
            return None
        return parent.in_force.end if parent.in_force is not None else parent.period_end

    def lapsed_into_gap(self, state: StrategyState) -> bool:
        """Lapsed, and nothing of its cover in force on any day since (for an action plan inside a
        strategy: while its strategy is still in force, since an action plan outside its strategy
        is moot). A standalone action plan is judged like a strategy."""
        lapse = _interval_in_force(state).end
        latest = self._latest_end[cover_key(state)]
        if latest is not None and latest > lapse:  # another of the cover runs past the lapse
            return False
        parent_id = state.snapshot.parent_id
        if state.snapshot.kind == "action_plan" and parent_id is not None:
            parent = self.by_id.get(parent_id)
            return parent is not None and parent.in_force_on(self.as_of)
        return True

    def entries(
        self, horizon_days: int, policy_area: str | None = None, *, policy_areas: Collection[str] | None = None
    ) -> list[GapEntry]:
        """The entry of every state that has one (see ``assess_gaps``), in the report's order; only
        those of ``policy_area``, or of ``policy_areas``, when given."""
        found = []
        for state in self.states:
            area = state.snapshot.policy_area
            if (policy_area is not None and area != policy_area) or (
                policy_areas is not None and area not in policy_areas
            ):
                continue
            entry = self.entry(state, horizon_days)
            if entry is not None:
                found.append(entry)
        return sorted(found, key=_report_order)

    def entry(self, state: StrategyState, horizon_days: int) -> GapEntry | None:
        interval = state.in_force
        if interval is None or interval.start > self.as_of:
            return None
        if interval.end >= self.as_of:
            return self._in_force_entry(state, horizon_days)
        if self.lapsed_into_gap(state):
            return self._gap_entry(state)
        return None

    def _in_force_entry(self, state: StrategyState, horizon_days: int) -> GapEntry:
        lapse = _interval_in_force(state).end
        parent_lapse = self.parent_lapse(state)
        if parent_lapse is not None and lapse >= parent_lapse:
            return _entry(state, OK, Outlook(None))
        outlook = self.outlook(self.successor_of(state))
        successor = outlook.successor
        day_after = lapse + ONE_DAY
        if successor is not None and successor.approved and successor.in_force_on(day_after):
            return _entry(state, COVERED, outlook)
        other = self._covered_by_other_kind(state, day_after)
        if other is not None:
            return _entry(state, COVERED, Outlook(other))
        expected = outlook.expected_start
        late = expected is None or expected > day_after
        status = AT_RISK if late and (lapse - self.as_of).days <= horizon_days else OK
        return _entry(state, status, outlook)

    def _covered_by_other_kind(self, state: StrategyState, day: date) -> StrategyState | None:
        """A document of the other kind in ``state``'s cover (a strategy for a standalone action plan,
        or the reverse) approved and in force on ``day``: it carries the area's policy after the lapse."""
        own = group_key(state)
        return next(
            (m for m in self._covers[cover_key(state)] if group_key(m) != own and m.approved and m.in_force_on(day)),
            None,
        )

    def _gap_entry(self, state: StrategyState) -> GapEntry:
        lapse = _interval_in_force(state).end
        outlook = self.outlook(self.successor_of(state))
        gap_end = self.as_of
        start = outlook.in_force_from
        if start is not None and start - ONE_DAY > gap_end:
            gap_end = start - ONE_DAY
        return _entry(state, GAP, outlook, gap_days=(gap_end - lapse).days)


def _entry(state: StrategyState, status: str, outlook: Outlook, *, gap_days: int | None = None) -> GapEntry:
    snapshot = state.snapshot
    interval = _interval_in_force(state)
    successor = outlook.successor
    projection = outlook.projection
    expected = outlook.expected_start
    return GapEntry(
        strategy_id=snapshot.id,
        title=snapshot.title,
        policy_area=snapshot.policy_area,
        kind=snapshot.kind,
        parent_id=snapshot.parent_id,
        stage=state.stage,
        in_force_from=interval.start,
        lapses_on=interval.end,
        status=status,
        successor_id=successor.id if successor else None,
        successor_title=successor.snapshot.title if successor else None,
        successor_stage=successor.stage if successor else None,
        successor_in_force_from=outlook.in_force_from if successor and successor.approved else None,
        projected_successor_approval=projection.approved_on if projection else None,
        projection_basis=projection.basis if projection else None,
        projection_steps=projection.steps if projection else (),
        gap_days=gap_days,
        projected_gap_days=max(0, (expected - interval.end - ONE_DAY).days) if expected else None,
        in_force_from_approximate=state.approval_approximate and interval.start == state.approved_on,
        approval_reference_unknown=state.approval_reference_unknown,
    )


def assess_gaps(
    snapshots: Sequence[StrategySnapshot],
    *,
    as_of: date,
    horizon_days: int,
    default_days: Mapping[Stage, int],
    policy_area: str | None = None,
) -> list[GapEntry]:
    """One entry per strategy or action plan in force on ``as_of``, or lapsed into a gap.

    ``snapshots`` should be the whole deployment: typical stage durations are medians over all
    of it, and successors are looked up among them. ``policy_area`` only filters the result.
    Sorted by policy area, strategies before action plans, then lapse day.
    """
    return GapAssessment(snapshots, as_of=as_of, default_days=default_days).entries(horizon_days, policy_area)


def _report_order(entry: GapEntry) -> tuple[str, bool, int, date, int]:
    return (entry.policy_area, entry.kind != "strategy", entry.parent_id or 0, entry.lapses_on, entry.strategy_id)
