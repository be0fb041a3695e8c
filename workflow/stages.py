"""The lifecycle of a strategy as data: stages, events and the transition table.

This table is the only place that says which event moves a strategy from where to where.
``workflow.transitions.apply_transition`` is the only code that acts on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Callable

from workflow import guards


class Stage(StrEnum):
    DRAFTING = "drafting"
    CONSULTATION = "consultation"
    APPROVAL = "approval"
    IMPLEMENTATION = "implementation"
    MONITORING = "monitoring"
    EXPIRY = "expiry"


class LifecycleEvent(StrEnum):
    SUBMIT_FOR_CONSULTATION = "submit_for_consultation"
    RETURN_TO_DRAFTING = "return_to_drafting"
    SUBMIT_FOR_APPROVAL = "submit_for_approval"
    APPROVE = "approve"
    START_MONITORING = "start_monitoring"
    EXPIRE = "expire"


FINAL_STAGES = frozenset({Stage.EXPIRY})
IN_FORCE_STAGES = frozenset({Stage.IMPLEMENTATION, Stage.MONITORING})


@dataclass(frozen=True)
class Transition:
    event: LifecycleEvent
    sources: frozenset[Stage]
    target: Stage
    guard: Callable[[guards.GuardInput], None]
    description: str


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
            guards.consultation_long_enough,
            "Submit to the Council of Ministers after a consultation of the minimum length.",
        ),
        Transition(
            LifecycleEvent.APPROVE,
            frozenset({Stage.APPROVAL}),
            Stage.IMPLEMENTATION,
            guards.approval_recorded,
            "Record the approval act (e.g. DCM No. 400) and its date.",
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
        ),
    )
}


def allowed_events(stage: Stage | str) -> list[str]:
    """Events whose source stages include ``stage``, in table order (guards not evaluated)."""
    return [t.event.value for t in TRANSITIONS.values() if Stage(stage) in t.sources]
