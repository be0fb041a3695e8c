"""The lifecycle's transition table: which event moves a strategy from where to where, under which
guard, and what else the move records.

This table is the only place that says so; ``machine.apply_transition`` is the only code that
acts on it. A transition declares its effects (the columns it sets beyond the stage, and what
the ``stage_changed`` event says about them), so the writer has no case for any event.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import workflow.lifecycle.guards as guards
from workflow.core import StateMachine
from workflow.lifecycle.stages import FINAL_STAGES, LifecycleEvent, Stage

EffectInput = guards.GuardedRequest  # an effect reads the request as a guard does
Effect = Callable[[EffectInput, date], dict[str, Any]]


def no_effect(_: EffectInput, __: date) -> dict[str, Any]:
    return {}


def record_approval(request: EffectInput, _: date) -> dict[str, Any]:
    """The act, or that its number is unknown (the guard lets exactly one through)."""
    unknown = request.approval_reference_unknown
    return {
        "approval_reference": None if unknown else request.approval_reference,
        "approval_reference_unknown": unknown,
        "approved_on": request.approved_on,
    }


def record_expiry(request: EffectInput, effective_on: date) -> dict[str, Any]:
    return {"expired_on": effective_on, "expiry_reason": request.reason or "period_ended"}


@dataclass(frozen=True)
class Transition:
    event: LifecycleEvent
    sources: frozenset[Stage]
    target: Stage
    guard: Callable[[guards.GuardInput], None]
    description: str
    effects: Effect = no_effect
    announces: Mapping[str, str] = field(default_factory=dict)  # event payload key -> column it reports
    # The guard counts the consultation's working days and reads its records (``GuardInput.calendar``
    # and ``outstanding``); the writer loads them for such transitions only.
    reads_consultation: bool = False


TRANSITIONS: dict[LifecycleEvent, Transition] = {
    t.event: t
    for t in (
        Transition(
            LifecycleEvent.SUBMIT_FOR_CONSULTATION,
            frozenset({Stage.DRAFTING}),
            Stage.CONSULTATION,
            guards.always,
            "Open the draft to stakeholder consultation.",
        ),
        Transition(
            LifecycleEvent.RETURN_TO_DRAFTING,
            frozenset({Stage.CONSULTATION, Stage.APPROVAL}),
            Stage.DRAFTING,
            guards.comment_given,
            "Send the draft back for rework; a comment says why.",
        ),
        Transition(
            LifecycleEvent.SUBMIT_FOR_APPROVAL,
            frozenset({Stage.CONSULTATION}),
            Stage.APPROVAL,
            guards.consultation_complete,
            "Submit to the Council of Ministers after a consultation of the minimum length.",
            reads_consultation=True,
        ),
        Transition(
            LifecycleEvent.APPROVE,
            frozenset({Stage.APPROVAL}),
            Stage.IMPLEMENTATION,
            guards.approval_recorded,
            "Record the approval act (e.g. DCM No. 400) and its date.",
            effects=record_approval,
        ),
        Transition(
            LifecycleEvent.START_MONITORING,
            frozenset({Stage.IMPLEMENTATION}),
            Stage.MONITORING,
            guards.always,
            "Start periodic monitoring of the action plan.",
        ),
        Transition(
            LifecycleEvent.EXPIRE,
            frozenset({Stage.IMPLEMENTATION, Stage.MONITORING}),
            Stage.EXPIRY,
            guards.may_expire,
            "End the strategy: its period has passed, or it was superseded or terminated.",
            effects=record_expiry,
            announces={"reason": "expiry_reason"},
        ),
    )
}

LIFECYCLE: StateMachine[Stage, LifecycleEvent, Transition] = StateMachine(
    name="lifecycle", states=Stage, initial=Stage.DRAFTING, final=FINAL_STAGES, moves=TRANSITIONS
)


def allowed_events(stage: Stage | str) -> list[str]:
    """Events whose source stages include ``stage``, in table order (guards not evaluated)."""
    return [event.value for event in LIFECYCLE.allowed(stage)]
