"""The deployment's own stage history, as the forecasts read it: pure, no database.

``completed_spans`` says which stints of one strategy's history count as a sample of how long a stage
takes, and how far their approximate ends may be off; ``history_of`` gathers them over the
strategies known, per policy area (``durations``). The forecast itself is ``workflow.gaps.forecast``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import NamedTuple

from workflow.gaps.durations import APPROXIMATE_MARGIN_DAYS, StageHistory, Stint, stage_history
from workflow.gaps.history import HistoryRow, StrategySnapshot
from workflow.lifecycle import LifecycleEvent, Stage

# A stint counts as completed when the strategy moved forward out of it; a draft sent back
# from consultation is rework, not a finished consultation.
FORWARD_EVENT = {
    Stage.DRAFTING: LifecycleEvent.SUBMIT_FOR_CONSULTATION,
    Stage.CONSULTATION: LifecycleEvent.SUBMIT_FOR_APPROVAL,
    Stage.APPROVAL: LifecycleEvent.APPROVE,
}


class Span(NamedTuple):
    """A completed stint: its stage, its days, and the days either way its approximate ends may be off."""

    stage: Stage
    days: int
    margin: int


def completed_spans(
    history: Sequence[HistoryRow], as_of: date, drafting_started_on: date | None = None
) -> list[Span]:
    """Each stint that ended by moving forward, by ``as_of``.

    The first drafting stint starts on ``drafting_started_on`` (a strategy is created in drafting
    without a history row); it counts only when that day is known and before the stint's end
    (a drafting start no earlier than the first step, as imported history has, says nothing
    about how long drafting took). A drafting stint after a return always counts. Each end
    recorded as approximate adds ``durations.APPROXIMATE_MARGIN_DAYS`` to the margin.
    """
    spans: list[Span] = []
    entered: date | None = None
    entered_approximate = False
    for index, row in enumerate(history):
        if row.effective_on > as_of:
            break
        stage = Stage(row.from_stage)
        if index == 0 and drafting_started_on is not None and drafting_started_on < row.effective_on:
            entered = drafting_started_on
        if entered is not None and FORWARD_EVENT.get(stage) == row.event:
            approximate_ends = entered_approximate + bool(row.effective_on_approximate)
            spans.append(Span(stage, (row.effective_on - entered).days, APPROXIMATE_MARGIN_DAYS * approximate_ends))
        entered, entered_approximate = row.effective_on, bool(row.effective_on_approximate)
    return spans


def _samples(snapshots: Iterable[StrategySnapshot], as_of: date) -> Iterator[Stint]:
    for snapshot in snapshots:
        for stage, days, margin in completed_spans(snapshot.history, as_of, snapshot.drafting_started_on):
            yield Stint(snapshot.policy_area, stage, days, margin)


def history_of(
    snapshots: Iterable[StrategySnapshot], as_of: date, defaults: Mapping[Stage, int]
) -> StageHistory:
    """The stints completed by ``as_of`` over these strategies, per area and stage, with the defaults."""
    return stage_history(_samples(snapshots, as_of), defaults)
