"""One strategy's gap entry, as the rules (``workflow.gaps.rules``) judge it: the statuses, the entry's
values, and what is known about its successor (``Outlook``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from workflow.gaps.forecast import Forecast, Risk, StageStep
from workflow.gaps.history import StrategyState

COVERED = "covered"
OK = "ok"
AT_RISK = "at_risk"
GAP = "gap"
STATUSES = (COVERED, OK, AT_RISK, GAP)

ONE_DAY = timedelta(days=1)


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
    projected_successor_approval_upper: date | None = None
    projected_gap_days_upper: int | None = None
    gap_risk: float | None = None
    risk_rule: str | None = None
    days_left: int | None = None
    needed_days: int | None = None
    needed_days_upper: int | None = None
    act: str | None = None
    act_by: date | None = None
    projected_successor_approval_lower: date | None = None


@dataclass(frozen=True)
class Outlook:
    """What is known about a successor: its start if approved, else its forecast approval (with no
    successor, the forecast of a whole pipeline started on the day judged)."""

    successor: StrategyState | None
    projection: Forecast | None = None

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

    @property
    def expected_start_upper(self) -> date | None:
        if self.successor is None or self.successor.approved:
            return self.expected_start
        if self.projection is None:
            return None
        return max(self.successor.period_start, self.projection.upper_on)


def make_entry(
    state: StrategyState, status: str, outlook: Outlook, *, gap_days: int | None = None, risk: Risk | None = None
) -> GapEntry:
    snapshot = state.snapshot
    interval = state.in_force
    assert interval is not None, f"strategy {state.id} was never in force"
    successor = outlook.successor
    projection = outlook.projection if successor is not None else None  # with none: the risk's numbers
    expected = outlook.expected_start if successor is not None else None
    upper = outlook.expected_start_upper if successor is not None else None
    if status in (GAP, COVERED):
        risk = None
    pipeline = outlook.projection if successor is None and risk is not None else None  # a whole one, from as_of
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
        projection_steps=projection.steps if projection else pipeline.steps if pipeline else (),
        gap_days=gap_days,
        projected_gap_days=(max(0, (expected - interval.end - ONE_DAY).days) if expected
                            else risk.gap_days if risk else None),
        in_force_from_approximate=state.approval_approximate and interval.start == state.approved_on,
        approval_reference_unknown=state.approval_reference_unknown,
        projected_successor_approval_upper=projection.upper_on if projection else None,
        projected_gap_days_upper=(max(0, (upper - interval.end - ONE_DAY).days) if upper
                                  else risk.gap_days_upper if risk else None),
        gap_risk=risk.gap_risk if risk else None,
        risk_rule=risk.rule if risk and status == AT_RISK else None,
        days_left=risk.days_left if risk else None,
        needed_days=risk.needed_days if risk else None,
        needed_days_upper=risk.needed_days_upper if risk else None,
        act=risk.act if risk else None,
        act_by=risk.act_by if risk else None,
        projected_successor_approval_lower=projection.lower_on if projection else None,
    )
