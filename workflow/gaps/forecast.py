"""When a successor is likely to be approved, and whether it will be in time: pure rules, no database,
``as_of`` passed in.

**The forecast** (``forecast_approval``) walks the stages still ahead of the successor, from the one
it is in (all three, from drafting, when there is no successor yet: the whole pipeline started on
``as_of``). Each stage's durations come from the history (``durations.StageHistory``: the area's, the
portfolio's, or defaults); the current one by the overdue-stage rule (``StageSamples.remaining``: what
is left of it after the days it has already lasted). The stages are taken to run slow or fast together
(the q-quantile of the pipeline is the sum of the stages' q-quantiles, ``StageSamples.at``: of the
days recorded up to the median, of their high ends above it), which gives the median and the upper
quantile of the approval, and the share of the pipeline's quantiles that end after a given day.

**The range** runs from the lower quantile (the stages' lower quantiles summed, from the low ends of
their samples) to the upper one, the median between: the real day may come earlier than the median
as well as later, and approximate days in the history widen it both ways.

**Deadlines a ministry set** (``drafting_due`` and so on) are shown beside each stage (``due_on``).
One is taken as the stage's end only when it is no earlier than the history's median end (the
ministry planned at least as long as the history says it takes): then the stage ends on the later of
the two at every quantile. An earlier deadline is history disagreeing with the plan: the forecast
stays the history's.

**The risk** (``assess_risk``): a strategy in force lapsing on L, not covered, is

* at risk by the **pipeline** rule when its successor's upper-quantile start (or, with none, the
  upper-quantile end of a whole pipeline started on ``as_of``) comes after L + 1: the days left are
  fewer than what the successor still needs;
* at risk by the **horizon** rule (the floor: never later than the old rule) when L is within
  ``horizon_days`` and the successor is missing or its median start comes after L + 1.

``gap_risk`` is the share of the pipeline's quantiles (levels 0.005 to 0.995) that start it after
L + 1; ``gap_days`` and ``gap_days_upper`` the days between L and the median and upper starts (0 when
in time). ``act_by`` says what would avoid the gap at the upper quantile: the next step (start
drafting, open the consultation, submit for approval, approve) and the last day for it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from workflow.gaps.durations import PRE_APPROVAL_STAGES, StageHistory, StageSamples, elapsed_days
from workflow.lifecycle import Stage

DUE_DATE = "due_date"
MIXED = "mixed"
SUMMARY_BASIS = {"policy_area": "policy_area", "portfolio": "portfolio", "default": "defaults", DUE_DATE: "due_dates"}
LEVELS = tuple((i + 0.5) / 100 for i in range(100))
PIPELINE = "pipeline"
HORIZON = "horizon"
RULES = (PIPELINE, HORIZON)
NEXT_STEP = {
    None: "start_drafting",
    Stage.DRAFTING: "submit_for_consultation",
    Stage.CONSULTATION: "submit_for_approval",
    Stage.APPROVAL: "approve",
}
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class StageStep:
    """One stage of a forecast: its median and upper-quantile ends, on what basis, from how many
    real stints, and the deadline set for it (shown beside; ``basis`` is ``due_date`` when taken)."""

    stage: Stage
    ends_on: date
    basis: str
    upper_ends_on: date | None = None
    samples: int = 0
    due_on: date | None = None

    @property
    def upper(self) -> date:
        return self.upper_ends_on or self.ends_on


@dataclass(frozen=True)
class _Stage:
    samples: StageSamples
    due_on: date | None
    taken: bool


@dataclass(frozen=True)
class Forecast:
    """The approval of a successor not approved yet: lower quantile (``lower_on``), median
    (``approved_on``) and upper quantile (``upper_on``)."""

    as_of: date
    steps: tuple[StageStep, ...]
    stages: tuple[_Stage, ...]

    @property
    def approved_on(self) -> date:
        return self.steps[-1].ends_on

    @property
    def upper_on(self) -> date:
        return self.steps[-1].upper

    @property
    def basis(self) -> str:
        kinds = {step.basis for step in self.steps}
        return SUMMARY_BASIS[kinds.pop()] if len(kinds) == 1 else MIXED

    @property
    def lower_on(self) -> date:
        return self._end(lambda samples: samples.lower)

    def ends_at(self, q: float) -> date:
        """The approval at quantile ``q`` (stages slow or fast together; whole days, rounded up)."""
        return self._end(lambda samples: math.ceil(samples.at(q) - 1e-9))

    def _end(self, days_of: Callable[[StageSamples], int]) -> date:
        """The approval with each stage lasting ``days_of`` its samples, or until its deadline taken."""
        end = self.as_of
        for stage in self.stages:
            end = end + timedelta(days=days_of(stage.samples))
            if stage.taken and stage.due_on is not None and stage.due_on > end:
                end = stage.due_on
        return end

    def share_after(self, day: date, *, not_before: date | None = None) -> float:
        """The share of the quantile levels at which the successor starts after ``day`` (its start
        being the approval, or ``not_before`` when later). The start only moves later with the level,
        so the first late level is found by bisection: a few evaluations, not one per level (the
        midnight pass judges every strategy in force)."""
        low, high = 0, len(LEVELS)
        while low < high:
            middle = (low + high) // 2
            if max(self.ends_at(LEVELS[middle]), not_before or date.min) > day:
                high = middle
            else:
                low = middle + 1
        return (len(LEVELS) - low) / len(LEVELS)


def forecast_approval(
    *, stage: Stage | None, stage_entered_on: date | None, due_dates: Mapping[Stage, date | None],
    as_of: date, history: StageHistory, policy_area: str,
) -> Forecast | None:
    """The forecast of a successor in ``stage`` since ``stage_entered_on`` (None: no successor, a
    whole pipeline from ``as_of``); None once past approval."""
    if stage is not None and stage not in PRE_APPROVAL_STAGES:
        return None
    ahead = PRE_APPROVAL_STAGES if stage is None else PRE_APPROVAL_STAGES[PRE_APPROVAL_STAGES.index(stage):]
    elapsed = elapsed_days(stage_entered_on, as_of) if stage is not None else 0
    steps: list[StageStep] = []
    stages: list[_Stage] = []
    median_end = upper_end = as_of
    for index, current in enumerate(ahead):
        samples = history.samples(policy_area, current)
        if index == 0:
            samples = samples.remaining(elapsed)
        median_end = median_end + timedelta(days=samples.median)
        upper_end = upper_end + timedelta(days=samples.upper)
        due = due_dates.get(current)
        taken = due is not None and due >= median_end
        if taken and due is not None:
            median_end, upper_end = due, max(upper_end, due)
        steps.append(StageStep(current, median_end, DUE_DATE if taken else samples.basis, upper_end,
                               samples.observed, due))
        stages.append(_Stage(samples, due, taken))
    return Forecast(as_of, tuple(steps), tuple(stages))


@dataclass(frozen=True)
class Risk:
    """Why a strategy is or is not at risk, in numbers (see the module)."""

    rule: str | None
    days_left: int  # from ``as_of`` to the day after the lapse
    needed_days: int | None  # what the successor still needs to be in force, median and upper quantile
    needed_days_upper: int | None
    gap_risk: float
    gap_days: int | None
    gap_days_upper: int | None
    act: str | None = None
    act_by: date | None = None


def _act_by(forecast: Forecast | None, stage: Stage | None, lapse: date) -> tuple[str | None, date | None]:
    """The next step and the last day for it so that, at the upper quantile, the rest ends by L + 1."""
    if forecast is None:
        return None, None
    later = forecast.stages if stage is None else forecast.stages[1:]
    rest = sum(s.samples.upper for s in later)
    by = lapse + ONE_DAY - timedelta(days=rest)
    return NEXT_STEP[stage], by


def assess_risk(
    *, lapse: date, as_of: date, horizon_days: int, forecast: Forecast | None, successor_stage: Stage | None,
    has_successor: bool, approved_start: date | None, period_start: date | None,
) -> Risk:
    """The risk of a lapse on ``lapse`` not covered: ``approved_start`` for a successor already
    approved (in force from then), else ``forecast`` (with ``period_start`` the successor's own: it is
    in force from the later of that and its approval)."""
    day_after = lapse + ONE_DAY
    days_left = (day_after - as_of).days
    within = (lapse - as_of).days <= horizon_days
    if approved_start is not None:
        late = approved_start > day_after
        gap = max(0, (approved_start - day_after).days)
        return Risk(PIPELINE if late else None, days_left, None, None, 1.0 if late else 0.0, gap, gap)
    if forecast is None:  # a successor past approval but not in force: nothing to forecast
        return Risk(HORIZON if within else None, days_left, None, None, 0.0, None, None)
    start = period_start or date.min
    median_start = max(start, forecast.approved_on)
    upper_start = max(start, forecast.upper_on)
    pipeline = upper_start > day_after
    horizon = within and (not has_successor or median_start > day_after)
    act, by = _act_by(forecast, successor_stage if has_successor else None, lapse)
    return Risk(
        rule=PIPELINE if pipeline else HORIZON if horizon else None,
        days_left=days_left,
        needed_days=(median_start - as_of).days,
        needed_days_upper=(upper_start - as_of).days,
        gap_risk=forecast.share_after(day_after, not_before=period_start),
        gap_days=max(0, (median_start - day_after).days),
        gap_days_upper=max(0, (upper_start - day_after).days),
        act=act,
        act_by=by,
    )

