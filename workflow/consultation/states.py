"""A consultation round's state as data: opened, possibly extended (it stays open), then closed.

``rounds`` asks this table whether a move is allowed and where it leads; the table also names
each move's domain event and how its refusal reads. ``open`` creates a round in the table's
initial state; it leaves no state, so it is not a row of the table (``OPENING`` describes it),
and the same writer records it, so every history row and event of a round come from one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from workflow.core import StateMachine


class RoundState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class RoundEvent(StrEnum):
    OPEN = "open"
    EXTEND = "extend"
    CLOSE = "close"


@dataclass(frozen=True)
class RoundMove:
    event: RoundEvent
    sources: frozenset[RoundState]
    target: RoundState
    announced_as: str  # the outbox event type
    done: str  # "only an open round can be <done>"


OPENING = RoundMove(RoundEvent.OPEN, frozenset(), RoundState.OPEN, "consultation_round_opened", "opened")

ROUND_MOVES: dict[RoundEvent, RoundMove] = {
    move.event: move
    for move in (
        RoundMove(
            RoundEvent.EXTEND, frozenset({RoundState.OPEN}), RoundState.OPEN, "consultation_round_extended", "extended"
        ),
        RoundMove(
            RoundEvent.CLOSE, frozenset({RoundState.OPEN}), RoundState.CLOSED, "consultation_round_closed", "closed"
        ),
    )
}

ROUNDS: StateMachine[RoundState, RoundEvent, RoundMove] = StateMachine(
    name="consultation round",
    states=RoundState,
    initial=RoundState.OPEN,
    final=frozenset({RoundState.CLOSED}),
    moves=ROUND_MOVES,
)

ROUND_STATES = tuple(state.value for state in RoundState)
ROUND_EVENTS = tuple(event.value for event in RoundEvent)
