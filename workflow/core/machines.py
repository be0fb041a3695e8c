"""Status machines as data: the shape every table of moves shares, and the checks they all pass.

A machine names its initial state, its final states and, per event, the states the event may
leave from and the state it leads to. The lifecycle's stages, a progress report's status and a
notification's status are each one such table; the code that changes a status asks its table
whether the move is allowed and where it leads, and never spells a status out itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

S = TypeVar("S", bound=StrEnum)
E = TypeVar("E", bound=StrEnum)
S_co = TypeVar("S_co", bound=StrEnum, covariant=True)
E_co = TypeVar("E_co", bound=StrEnum, covariant=True)


class Move(Protocol[S_co, E_co]):
    """One row of a table: ``event`` moves a status in ``sources`` to ``target``."""

    @property
    def event(self) -> E_co: ...

    @property
    def sources(self) -> frozenset[S_co]: ...

    @property
    def target(self) -> S_co: ...


@dataclass(frozen=True)
class Step(Generic[S, E]):
    """A move with nothing more to say (no guard, no effects)."""

    event: E
    sources: frozenset[S]
    target: S


M = TypeVar("M", bound="Move[Any, Any]")


@dataclass(frozen=True)
class StateMachine(Generic[S, E, M]):
    name: str
    states: type[S]
    initial: S
    final: frozenset[S]
    moves: Mapping[E, M]

    def move(self, event: E) -> M:
        return self.moves[event]

    def allows(self, state: S | str, event: E) -> bool:
        return self.states(state) in self.moves[event].sources

    def allowed(self, state: S | str) -> list[E]:
        """The events that may leave ``state``, in table order (guards not evaluated)."""
        current = self.states(state)
        return [event for event, move in self.moves.items() if current in move.sources]

    def sources(self, event: E) -> list[str]:
        """The states ``event`` may leave from, in the states' declared order (for SQL ``IN``)."""
        return [state.value for state in self.states if state in self.moves[event].sources]

    def reachable(self) -> set[S]:
        seen = {self.initial}
        frontier = [self.initial]
        while frontier:
            state = frontier.pop()
            for move in self.moves.values():
                if state in move.sources and move.target not in seen:
                    seen.add(move.target)
                    frontier.append(move.target)
        return seen

    def traps(self) -> set[S]:
        """States that are not final yet have no way out."""
        leaving = {state for move in self.moves.values() for state in move.sources}
        return {state for state in self.states if state not in self.final and state not in leaving}

    def defects(self) -> list[str]:
        """What is wrong with the table: states no event reaches, states with no way out, moves out of a
        final state. A sound table has none (the tests check every table)."""
        found = [f"{self.name}: {state.value} cannot be reached from {self.initial.value}"
                 for state in self.states if state not in self.reachable()]
        found += [f"{self.name}: {state.value} is a trap (not final, no way out)" for state in sorted(self.traps())]
        found += [f"{self.name}: {move.event.value} leaves the final state {state.value}"
                  for move in self.moves.values() for state in move.sources if state in self.final]
        return found
