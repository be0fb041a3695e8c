"""The portfolio as it stood on a day: each policy area's strategies and action plans as recorded
then (their stage, in force or not approved yet), the area's coverage timeline, the action plans'
coverage within each strategy that has any, and each document's gap status.

Pure, like the rest of ``workflow.gaps``: one pass over ``read_snapshots``'s values, with the
same rules the gap report and the timeline apply (one ``GapAssessment``, whose states the lanes
and timelines reuse), so a page that shows the whole portfolio reads and judges the deployment
once. The filters choose what is shown, never what counts: an area's coverage is always that of
all its strategies, whoever leads them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from workflow.core import Settings
from workflow.gaps.durations import StageHistory
from workflow.gaps.history import StrategySnapshot, StrategyState
from workflow.gaps.queries import typical_days
from workflow.gaps.rules import GapAssessment, GapEntry
from workflow.gaps.timeline import Hole, Timeline, build_timeline
from workflow.lifecycle import Interval


@dataclass(frozen=True)
class Lane:
    """One strategy or action plan as recorded on the portfolio's day (``standalone``: an action
    plan with no umbrella strategy, judged like a strategy)."""

    strategy_id: int
    title: str
    kind: str
    parent_id: int | None
    lead_institution_id: int | None
    stage: str
    period_start: date
    period_end: date
    approved: bool
    in_force: Interval | None  # its interval in force as recorded then (it may extend past that day)
    entry: GapEntry | None  # its gap status: when in force on the day, or lapsed into a gap

    @property
    def standalone(self) -> bool:
        return self.kind == "action_plan" and self.parent_id is None


@dataclass(frozen=True)
class PlanCoverage:
    """The action plans of one strategy: their coverage within the strategy's interval in force."""

    parent_id: int
    timeline: Timeline


@dataclass(frozen=True)
class AreaPortfolio:
    policy_area: str
    lanes: tuple[Lane, ...]  # strategies and standalone plans by period start, each strategy followed by its plans
    coverage: Timeline  # the area's strategies and standalone action plans (what covers each other's lapses)
    plans: tuple[PlanCoverage, ...]  # for each strategy in force that has action plans
    as_of: date

    @property
    def ongoing_gap(self) -> Hole | None:
        """The hole in the area's coverage that includes the day, if any."""
        return next((hole for hole in self.coverage.holes if hole.contains(self.as_of)), None)


@dataclass(frozen=True)
class Portfolio:
    as_of: date
    horizon_days: int
    areas: tuple[AreaPortfolio, ...]
    policy_areas: tuple[str, ...]  # every area recorded on the day, whatever the filters


def _lane(state: StrategyState, entry: GapEntry | None) -> Lane:
    snapshot = state.snapshot
    return Lane(
        strategy_id=snapshot.id,
        title=snapshot.title,
        kind=snapshot.kind,
        parent_id=snapshot.parent_id,
        lead_institution_id=snapshot.lead_institution_id,
        stage=state.stage,
        period_start=snapshot.period_start,
        period_end=snapshot.period_end,
        approved=state.approved,
        in_force=state.in_force,
        entry=entry,
    )


def _order(state: StrategyState) -> tuple[date, int]:
    return (state.period_start, state.id)


def _area(
    members: list[StrategyState], entries: dict[int, GapEntry], as_of: date
) -> tuple[list[Lane], Timeline, tuple[PlanCoverage, ...]]:
    # Strategies and standalone action plans stand on their own and cover each other's lapses.
    top = sorted((s for s in members if s.snapshot.kind == "strategy" or s.snapshot.parent_id is None), key=_order)
    plans: dict[int, list[StrategyState]] = defaultdict(list)
    for state in members:
        if state.snapshot.kind == "action_plan" and state.snapshot.parent_id is not None:
            plans[state.snapshot.parent_id].append(state)
    lanes: list[Lane] = []
    coverage_of_plans = []
    for document in top:
        lanes.append(_lane(document, entries.get(document.id)))
        if document.snapshot.kind != "strategy":
            continue
        own = sorted(plans.pop(document.id, []), key=_order)
        lanes += [_lane(plan, entries.get(plan.id)) for plan in own]
        if own and document.in_force is not None:
            timeline = build_timeline(own, as_of=as_of, frame=document.in_force)
            coverage_of_plans.append(PlanCoverage(document.id, timeline))
    for orphans in plans.values():  # action plans whose strategy is not of this area on the day
        lanes += [_lane(plan, entries.get(plan.id)) for plan in sorted(orphans, key=_order)]
    return lanes, build_timeline(top, as_of=as_of), tuple(coverage_of_plans)


def compute_portfolio(
    snapshots: Sequence[StrategySnapshot],
    *,
    as_of: date,
    horizon_days: int,
    settings: Settings,
    policy_area: str | None = None,
    lead_institution_id: int | None = None,
    kind: str | None = None,
    typical: StageHistory | None = None,
) -> Portfolio:
    """Every policy area as recorded on ``as_of`` (``snapshots``: the whole deployment, or with
    ``policy_area`` that area as ``workflow.gaps.scoped.load_areas`` reads it, with the deployment's
    ``typical`` stage history; ``policy_areas`` then names the areas read).

    ``policy_area``, ``lead_institution_id`` and ``kind`` keep the lanes that match; an area with
    none left is left out, and an area kept still shows the coverage of all its strategies.
    """
    assessment = GapAssessment(snapshots, as_of=as_of, default_days=typical_days(settings), typical=typical)
    entries = {entry.strategy_id: entry for entry in assessment.entries(horizon_days, policy_area)}
    by_area: dict[str, list[StrategyState]] = defaultdict(list)
    for state in assessment.states:  # the same states the gap statuses were judged on
        by_area[state.snapshot.policy_area].append(state)
    areas = []
    for area in sorted(by_area):
        if policy_area is not None and area != policy_area:
            continue
        lanes, coverage, plans = _area(by_area[area], entries, as_of)
        shown = tuple(
            lane for lane in lanes
            if (kind is None or lane.kind == kind)
            and (lead_institution_id is None or lane.lead_institution_id == lead_institution_id)
        )
        if shown:
            areas.append(AreaPortfolio(area, shown, coverage, plans, as_of))
    return Portfolio(as_of, horizon_days, tuple(areas), tuple(sorted(by_area)))
