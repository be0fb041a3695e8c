"""The stages of a strategy's life and the events that move it. A leaf: it imports nothing of Continuum."""

from __future__ import annotations

from enum import StrEnum


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
