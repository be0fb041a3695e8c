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
* ``at_risk``: not covered, and flagged by one of two rules (``workflow.gaps.forecast``): the
  **pipeline** rule, when the days left before L + 1 are fewer than what the successor still needs
  at the upper quantile of this deployment's history (the remaining stages from where it stands, the
  whole pipeline from drafting when there is none; an approved successor starting after L + 1), or
  the **horizon** rule, the floor, when L is within ``horizon_days`` of ``as_of`` and the successor
  is missing or its median forecast comes into force after L + 1. ``risk_rule`` says which (the
  pipeline's when both). A successor approved on L + 1 comes into force on L + 1: no risk;
* ``ok``: not covered, and not at risk. An action plan that lapses together with its
  strategy (on or after the strategy's lapse) needs no successor and is always ``ok``: the
  strategy's own entry carries the risk.

and for each strategy that has lapsed (L < ``as_of``) with nothing of its cover in force on
any day from L + 1 to ``as_of`` (for an action plan inside a strategy: while its strategy is
still in force):

* ``gap``: ``gap_days`` counts the days without coverage from L + 1 to ``as_of``, or to the
  day before an approved successor's start when that is later.

``projected_gap_days`` (and ``projected_gap_days_upper``) are how many days after L the successor
is expected to come into force at the median (upper quantile), 0 when on time; ``gap_risk`` the
share of the history's pipelines that would bring it into force after L + 1. For a strategy with
no successor they are those of a pipeline started on ``as_of``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from datetime import date, timedelta

from workflow.gaps.durations import StageHistory
from workflow.gaps.entry import AT_RISK as AT_RISK
from workflow.gaps.entry import COVERED as COVERED
from workflow.gaps.entry import GAP as GAP
from workflow.gaps.entry import OK as OK
from workflow.gaps.entry import STATUSES as STATUSES
from workflow.gaps.entry import GapEntry as GapEntry
from workflow.gaps.entry import Outlook, make_entry
from workflow.gaps.forecast import assess_risk, forecast_approval
from workflow.gaps.history import StrategySnapshot, StrategyState, states_on
from workflow.gaps.projection import history_of
from workflow.lifecycle import Interval, Stage

ONE_DAY = timedelta(days=1)
GroupKey = tuple[str, str, int | None]


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
    """The strategies recorded on one day, grouped, with the deployment's stage history.

    ``typical`` gives that history instead of working it out from ``snapshots``: for an
    assessment of a few policy areas (``workflow.gaps.scoped``), whose forecasts draw on the whole
    deployment's history and so cannot come from the areas' own."""

    def __init__(
        self,
        snapshots: Sequence[StrategySnapshot],
        *,
        as_of: date,
        default_days: Mapping[Stage, int],
        typical: StageHistory | None = None,
    ) -> None:
        self.as_of = as_of
        self.states = states_on(list(snapshots), as_of)
        self.by_id = {state.id: state for state in self.states}
        self.groups: dict[GroupKey, list[StrategyState]] = defaultdict(list)
        covers: dict[GroupKey, list[StrategyState]] = defaultdict(list)
        for state in self.states:
            self.groups[group_key(state)].append(state)
            covers[cover_key(state)].append(state)
        self.typical: StageHistory = typical if typical is not None else history_of(snapshots, as_of, default_days)
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

    def outlook(self, successor: StrategyState | None, policy_area: str) -> Outlook:
        """The successor's start if approved, else its forecast; with none, a whole pipeline's."""
        if successor is not None and successor.approved:
            return Outlook(successor)
        if successor is None:
            return Outlook(None, forecast_approval(stage=None, stage_entered_on=None, due_dates={}, as_of=self.as_of,
                                                   history=self.typical, policy_area=policy_area))
        snapshot = successor.snapshot
        projection = forecast_approval(
            stage=Stage(successor.stage),
            stage_entered_on=successor.stage_entered_on,
            due_dates={
                Stage.DRAFTING: snapshot.drafting_due,
                Stage.CONSULTATION: snapshot.consultation_due,
                Stage.APPROVAL: snapshot.approval_due,
            },
            as_of=self.as_of,
            history=self.typical,
            policy_area=snapshot.policy_area,
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
            return make_entry(state, OK, Outlook(None))
        outlook = self.outlook(self.successor_of(state), state.snapshot.policy_area)
        successor = outlook.successor
        day_after = lapse + ONE_DAY
        if successor is not None and successor.approved and successor.in_force_on(day_after):
            return make_entry(state, COVERED, outlook)
        other = self._covered_by_other_kind(state, day_after)
        if other is not None:
            return make_entry(state, COVERED, Outlook(other))
        risk = assess_risk(
            lapse=lapse, as_of=self.as_of, horizon_days=horizon_days, forecast=outlook.projection,
            successor_stage=Stage(successor.stage) if successor is not None else None,
            has_successor=successor is not None,
            approved_start=outlook.in_force_from if successor is not None and successor.approved else None,
            period_start=successor.period_start if successor is not None else None,
        )
        return make_entry(state, AT_RISK if risk.rule is not None else OK, outlook, risk=risk)

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
        outlook = self.outlook(self.successor_of(state), state.snapshot.policy_area)
        gap_end = self.as_of
        start = outlook.in_force_from
        if start is not None and start - ONE_DAY > gap_end:
            gap_end = start - ONE_DAY
        return make_entry(state, GAP, outlook, gap_days=(gap_end - lapse).days)


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
