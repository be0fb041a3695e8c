"""When a strategy not yet approved is likely to be approved: pure rules, no database.

Each stage still ahead (drafting, consultation, approval, from the current one on) is given
an end date, in order:

* its due date (``drafting_due`` etc.), when there is one that can still be met: on or after
  ``as_of`` for the current stage, on or after the previous stage's projected end for later
  ones. A due date already missed says nothing about when the stage will end;
* otherwise a typical duration: the median of this deployment's own completed stints in that
  stage (``history_median``) when there are at least ``MIN_MEDIAN_SAMPLES`` of them, else the
  configured default (``default``). The current stage counts from the day it was entered
  (a fresh draft's from its drafting start; from ``as_of`` when that is unknown) and never ends
  before ``as_of``; later stages count from the previous stage's end. A first drafting stint
  counts from the strategy's drafting start, when it began before the stint ended.

The projected approval is the end of the approval stage. The result says which basis each
stage used, and sums it up as ``due_dates``, ``history_medians``, ``defaults`` or ``mixed``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from workflow.gaps.history import HistoryRow, StrategySnapshot
from workflow.lifecycle import LifecycleEvent, Stage

PRE_APPROVAL_STAGES = (Stage.DRAFTING, Stage.CONSULTATION, Stage.APPROVAL)
MIN_MEDIAN_SAMPLES = 3

# A stint counts as completed when the strategy moved forward out of it; a draft sent back
# from consultation is rework, not a finished consultation.
FORWARD_EVENT = {
    Stage.DRAFTING: LifecycleEvent.SUBMIT_FOR_CONSULTATION,
    Stage.CONSULTATION: LifecycleEvent.SUBMIT_FOR_APPROVAL,
    Stage.APPROVAL: LifecycleEvent.APPROVE,
}

DUE_DATE = "due_date"
HISTORY_MEDIAN = "history_median"
DEFAULT = "default"
SUMMARY_BASIS = {DUE_DATE: "due_dates", HISTORY_MEDIAN: "history_medians", DEFAULT: "defaults"}
MIXED = "mixed"


@dataclass(frozen=True)
class TypicalDuration:
    stage: Stage
    days: int
    basis: str  # HISTORY_MEDIAN or DEFAULT
    samples: int


@dataclass(frozen=True)
class StageStep:
    """One stage of a projection: when it is expected to end, and on what basis."""

    stage: Stage
    ends_on: date
    basis: str  # DUE_DATE, HISTORY_MEDIAN or DEFAULT


@dataclass(frozen=True)
class Projection:
    approved_on: date
    steps: tuple[StageStep, ...]

    @property
    def basis(self) -> str:
        kinds = {step.basis for step in self.steps}
        return SUMMARY_BASIS[kinds.pop()] if len(kinds) == 1 else MIXED


def completed_stints(
    history: Sequence[HistoryRow], as_of: date, drafting_started_on: date | None = None
) -> list[tuple[Stage, int]]:
    """(stage, days spent) for each stint that ended by moving forward, by ``as_of``.

    The first drafting stint starts on ``drafting_started_on`` (a strategy is created in drafting
    without a history row); it counts only when that day is known and before the stint's end
    (a drafting start no earlier than the first step, as imported history has, says nothing
    about how long drafting took). A drafting stint after a return always counts.
    """
    stints: list[tuple[Stage, int]] = []
    entered: date | None = None
    for index, row in enumerate(history):
        if row.effective_on > as_of:
            break
        stage = Stage(row.from_stage)
        if index == 0 and drafting_started_on is not None and drafting_started_on < row.effective_on:
            entered = drafting_started_on
        if entered is not None and FORWARD_EVENT.get(stage) == row.event:
            stints.append((stage, (row.effective_on - entered).days))
        entered = row.effective_on
    return stints


def typical_durations(
    histories: Iterable[Sequence[HistoryRow]], as_of: date, defaults: Mapping[Stage, int]
) -> dict[Stage, TypicalDuration]:
    """Per pre-approval stage: the median completed stint by ``as_of`` (rounded up), or the default;
    no drafting start is known, so first drafting stints do not count (see ``typical_durations_of``)."""
    return _typical(((history, None) for history in histories), as_of, defaults)


def typical_durations_of(
    snapshots: Iterable[StrategySnapshot], as_of: date, defaults: Mapping[Stage, int]
) -> dict[Stage, TypicalDuration]:
    """``typical_durations`` over the strategies' histories, first drafting stints counted from their drafting start."""
    return _typical(((s.history, s.drafting_started_on) for s in snapshots), as_of, defaults)


def _typical(
    lives: Iterable[tuple[Sequence[HistoryRow], date | None]], as_of: date, defaults: Mapping[Stage, int]
) -> dict[Stage, TypicalDuration]:
    samples: dict[Stage, list[int]] = {stage: [] for stage in PRE_APPROVAL_STAGES}
    for history, drafting_started_on in lives:
        for stage, days in completed_stints(history, as_of, drafting_started_on):
            samples[stage].append(days)
    typical = {}
    for stage in PRE_APPROVAL_STAGES:
        found = samples[stage]
        if len(found) >= MIN_MEDIAN_SAMPLES:
            typical[stage] = TypicalDuration(stage, math.ceil(statistics.median(found)), HISTORY_MEDIAN, len(found))
        else:
            typical[stage] = TypicalDuration(stage, defaults[stage], DEFAULT, len(found))
    return typical


def project_approval(
    *,
    stage: str,
    stage_entered_on: date | None,
    due_dates: Mapping[Stage, date | None],
    as_of: date,
    typical: Mapping[Stage, TypicalDuration],
) -> Projection | None:
    """The projected approval of a strategy in ``stage`` on ``as_of``; None once past approval."""
    current = Stage(stage)
    if current not in PRE_APPROVAL_STAGES:
        return None
    steps: list[StageStep] = []
    previous_end: date | None = None
    for ahead in PRE_APPROVAL_STAGES[PRE_APPROVAL_STAGES.index(current):]:
        earliest = as_of if previous_end is None else previous_end
        due = due_dates.get(ahead)
        if due is not None and due >= earliest:
            steps.append(StageStep(ahead, due, DUE_DATE))
        else:
            start = (stage_entered_on or as_of) if previous_end is None else previous_end
            usual = typical[ahead]
            steps.append(StageStep(ahead, max(start + timedelta(days=usual.days), earliest), usual.basis))
        previous_end = steps[-1].ends_on
    return Projection(approved_on=steps[-1].ends_on, steps=tuple(steps))
