"""A strategy's history replayed in memory through the lifecycle's transition table and its pure
guards (``lifecycle.TRANSITIONS``), with the writer's own checks (``lifecycle.apply_transition``:
no day in the future, none before the previous transition, a fresh draft's first step moving its
drafting start back), as the admin importing history would record it step by step.

The result is the row the strategy ends with and its history rows, ready to be written in bulk:
the same rows ``create_strategy`` and one ``apply_transition`` per step would leave.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from workflow.calendar import WorkingCalendar
from workflow.core import DomainError, IllegalTransition, ValidationFailed, future_detail
from workflow.lifecycle import TRANSITIONS, Outstanding, Stage, allowed_events, guards
from workflow.portfolio.schema import ConsultationRound, StrategyRow

Field = tuple[str | int, ...]
SETTLED = Outstanding()


@dataclass
class _State:
    """The strategy as the guards read it (``guards.GuardedStrategy``), moved step by step."""

    period_end: date
    drafting_started_on: date
    stage: Stage = Stage.DRAFTING
    stage_entered_on: date | None = None
    version: int = 1
    effects: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Replayed:
    """``columns``: the lifecycle columns the strategy ends with; ``changes``: one row per step
    (``stage_changes`` columns but the strategy id, actor and recording time)."""

    columns: dict[str, Any]
    changes: list[dict[str, Any]]


@dataclass(frozen=True)
class StepError:
    field: Field
    detail: str


def replay(
    row: StrategyRow, *, today: date, default_min_consultation_days: int, calendar: WorkingCalendar
) -> Replayed | list[StepError]:
    """The replayed strategy, or what stops it (the first step that fails, with every reason it gives)."""
    assert row.end is not None, "validate checked the period first"
    drafting = row.drafting_started_on or today
    if drafting > today:
        return [StepError(("drafting_started_on",), future_detail(today))]
    state = _State(period_end=row.end, drafting_started_on=drafting, stage_entered_on=drafting)
    minimum = guards.required_consultation_days(row.min_consultation_days, default_min_consultation_days)
    changes: list[dict[str, Any]] = []
    for index, step in enumerate(row.history):
        at: Field = ("history", index)
        transition = TRANSITIONS[step.event]
        if state.stage not in transition.sources:
            refused = IllegalTransition(transition.event.value, state.stage.value, allowed_events(state.stage))
            return [StepError((*at, "event"), refused.detail)]
        fresh = not changes
        if step.effective_on > today:
            return [StepError((*at, "effective_on"), future_detail(today))]
        if not fresh and state.stage_entered_on is not None and step.effective_on < state.stage_entered_on:
            return [StepError((*at, "effective_on"), "must not precede the previous transition, effective on "
                              f"{state.stage_entered_on.isoformat()}")]
        try:
            transition.guard(guards.GuardInput(
                strategy=state, request=step, effective_on=step.effective_on, today=today,
                min_consultation_days=minimum, calendar=calendar,
                outstanding=outstanding(row.consultation, step.effective_on),
            ))
        except DomainError as refused:
            return _refusal(at, refused)
        if fresh and step.effective_on < state.drafting_started_on:
            state.drafting_started_on = step.effective_on
        changes.append({
            "event": transition.event.value, "from_stage": state.stage.value, "to_stage": transition.target.value,
            "comment": row.recorded_comment(step), "effective_on": step.effective_on,
            "effective_on_approximate": step.effective_on_approximate,
        })
        state.effects.update(transition.effects(step, step.effective_on))
        state.stage, state.stage_entered_on, state.version = transition.target, step.effective_on, state.version + 1
    return Replayed(columns=_columns(state), changes=changes)


def outstanding(rounds: list[ConsultationRound], on: date) -> Outstanding:
    """What the file's consultation rounds leave open on ``on``, as ``consultation.RECORDS`` would
    answer once they are recorded (rounds and submissions by their number in the file, from 1)."""
    if not rounds:
        return SETTLED
    submissions = [entry for item in rounds for entry in item.submissions]
    return Outstanding(
        open_rounds=tuple(n for n, item in enumerate(rounds, 1) if item.closed_on > on),
        unanswered_submissions=tuple(n for n, entry in enumerate(submissions, 1) if entry.response.responded_on > on),
    )


def _refusal(at: Field, refused: DomainError) -> list[StepError]:
    """A missing field points at it; a refusal (``GuardRefused``: not ready yet) at the step."""
    if isinstance(refused, ValidationFailed):
        return [StepError((*at, *_pointer(error.pointer)), error.detail) for error in refused.errors]
    return [StepError(at, refused.detail)]


def _pointer(pointer: str) -> Field:
    return tuple(part for part in pointer.removeprefix("#/").split("/") if part)


def _columns(state: _State) -> dict[str, Any]:
    columns: dict[str, Any] = {
        "approval_reference": None, "approval_reference_unknown": False, "approved_on": None,
        "expired_on": None, "expiry_reason": None,
    }
    columns.update(state.effects)
    columns |= {
        "stage": state.stage.value, "stage_entered_on": state.stage_entered_on,
        "drafting_started_on": state.drafting_started_on, "version": state.version,
    }
    return columns
