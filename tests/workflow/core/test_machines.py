"""Every status machine is a sound table: each state reachable, no traps, nothing leaves a final state."""

from __future__ import annotations

from enum import StrEnum

import pytest

from workflow.core.machines import StateMachine, Step
from workflow.lifecycle.transitions import LIFECYCLE
from workflow.monitoring.statuses import REPORTS, ReportEvent
from workflow.reminders.statuses import NOTIFICATIONS, NotificationEvent

MACHINES = [LIFECYCLE, REPORTS, NOTIFICATIONS]


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.name)
def test_every_table_is_sound(machine):
    assert machine.defects() == []


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.name)
def test_every_event_moves_from_somewhere_to_a_known_state(machine):
    for event, move in machine.moves.items():
        assert move.event is event
        assert move.sources and all(isinstance(s, machine.states) for s in move.sources)
        assert isinstance(move.target, machine.states)


class Light(StrEnum):
    RED = "red"
    GREEN = "green"
    AMBER = "amber"
    BROKEN = "broken"


class Switch(StrEnum):
    GO = "go"
    STOP = "stop"


def test_a_table_with_an_unreachable_state_and_a_trap_is_refused():
    machine = StateMachine(
        name="light",
        states=Light,
        initial=Light.RED,
        final=frozenset({Light.RED}),
        moves={
            Switch.GO: Step(Switch.GO, frozenset({Light.RED}), Light.GREEN),
            Switch.STOP: Step(Switch.STOP, frozenset({Light.AMBER}), Light.RED),
        },
    )
    assert machine.defects() == [
        "light: amber cannot be reached from red",
        "light: broken cannot be reached from red",
        "light: broken is a trap (not final, no way out)",
        "light: green is a trap (not final, no way out)",
        "light: go leaves the final state red",
    ]


def test_allowed_and_sources_follow_table_order():
    assert [e.value for e in LIFECYCLE.allowed("consultation")] == ["return_to_drafting", "submit_for_approval"]
    assert NOTIFICATIONS.sources(NotificationEvent.CLAIM) == ["pending", "sending"]
    assert REPORTS.sources(ReportEvent.SUBMIT) == ["draft", "returned"]
