"""The gap pass costs about n log n, not n squared (issue 10, item 5: bounded work).

A successor is looked up through an index of who names whom as predecessor, and a group is
scanned once, not once per strategy in it. Counted in operations, not seconds: reads of
``predecessor_id`` and in-force intervals worked out, for a portfolio of n and of 2n strategies.
"""

from __future__ import annotations

import random
from dataclasses import fields
from datetime import date

import pytest

from tests.workflow.gap_builders import DEFAULT_DAYS, approved_history, snap
from workflow.gaps import history
from workflow.gaps.history import StrategySnapshot, StrategyState
from workflow.gaps.rules import AT_RISK, GAP, OK, GapAssessment, assess_gaps, group_key
from workflow.lifecycle import Interval
from workflow.lifecycle.in_force import HasLifecycleDates

AS_OF = date(2026, 1, 5)


class Counted(StrategySnapshot):
    """A snapshot that counts how often its ``predecessor_id`` is read."""

    reads = 0

    def __getattribute__(self, name: str) -> object:
        if name == "predecessor_id":
            type(self).reads += 1
        return super().__getattribute__(name)


def _portfolio(k: int) -> list[StrategySnapshot]:
    """One long chain of k one-year strategies with a year's hole after each (the last lapsed into
    a gap), and k areas with one strategy in force to 2027: at risk, or (every other one) ok with a
    successor in drafting. k even."""
    built = [
        snap((date(2024 - 2 * (k - 1 - i), 1, 1), date(2024 - 2 * (k - 1 - i), 12, 31)), id=i + 1,
             policy_area="long", events=approved_history(date(2024 - 2 * (k - 1 - i), 1, 1)))
        for i in range(k)
    ]
    for j in range(k):
        current = k + 2 * j + 1
        built.append(snap((date(2025, 1, 1), date(2027, 12, 31)), id=current, policy_area=f"area-{j}",
                          events=approved_history(date(2025, 1, 1))))
        if j % 2:
            built.append(snap((date(2028, 1, 1), date(2031, 12, 31)), id=current + 1, policy_area=f"area-{j}",
                              predecessor_id=current))
    return [Counted(**{field.name: getattr(s, field.name) for field in fields(s)}) for s in built]


def _cost(k: int, monkeypatch: pytest.MonkeyPatch) -> int:
    """Reads of ``predecessor_id`` plus in-force intervals worked out, for one gap report."""
    worked_out = [0]
    real = history.in_force_interval

    def counted(state: HasLifecycleDates) -> Interval | None:
        worked_out[0] += 1
        return real(state)

    monkeypatch.setattr(history, "in_force_interval", counted)
    snapshots = _portfolio(k)
    Counted.reads = 0
    entries = assess_gaps(snapshots, as_of=AS_OF, horizon_days=730, default_days=DEFAULT_DAYS)
    statuses = [e.status for e in entries]
    assert [statuses.count(status) for status in (GAP, AT_RISK, OK)] == [1, k // 2, k // 2]
    return Counted.reads + worked_out[0]


def test_a_portfolio_twice_as_big_costs_about_twice_as_much_not_four_times(monkeypatch):
    small, big = _cost(300, monkeypatch), _cost(600, monkeypatch)
    assert big <= 2.5 * small, (small, big)
    assert big <= 20 * 3 * 600, big  # a few reads per strategy (about 3k of them), not one per pair


def _by_definition(assessment: GapAssessment, state: StrategyState) -> StrategyState | None:
    """The successor as the rules define it, by scanning (what the index must answer)."""
    named = [other for other in assessment.states if other.snapshot.predecessor_id == state.id]
    candidates = named or [
        other for other in assessment.groups[group_key(state)]
        if other.period_start > state.period_start and other.snapshot.predecessor_id in (None, state.id)
    ]
    return min(candidates, key=lambda s: (s.period_start, s.id), default=None)


def _gap_by_definition(assessment: GapAssessment, state: StrategyState) -> bool:
    """Whether anything else of the group began by ``as_of`` and runs past the lapse, by scanning."""
    lapse = state.in_force.end
    return not any(
        other is not state and (interval := other.in_force) is not None
        and interval.start <= assessment.as_of and interval.end > lapse
        for other in assessment.groups[group_key(state)]
    )


def test_the_indexed_lookups_answer_what_the_definitions_say():
    rng = random.Random(10)
    day = date(2000, 1, 1).toordinal()
    compared = 0
    for _ in range(300):
        n = rng.randint(1, 20)
        snapshots = []
        for i in range(1, n + 1):
            start = date.fromordinal(day + rng.randint(0, 6000))
            end = date.fromordinal(start.toordinal() + rng.randint(1, 2500))
            approved = date.fromordinal(start.toordinal() + rng.randint(-300, 300))
            expired = date.fromordinal(approved.toordinal() + rng.randint(1, 2500)) if rng.random() < 0.4 else None
            kind = rng.choice(["strategy", "strategy", "action_plan"])
            snapshots.append(snap(
                (start, end), id=i, policy_area=rng.choice(["a", "b"]), kind=kind,
                parent_id=rng.randint(1, n) if kind == "action_plan" else None,
                predecessor_id=rng.choice([None, None, rng.randint(0, n + 1)]),
                events=approved_history(approved, expired_on=expired) if rng.random() < 0.8 else (),
            ))
        as_of = date.fromordinal(day + rng.randint(0, 9000))
        assessment = GapAssessment(snapshots, as_of=as_of, default_days=DEFAULT_DAYS)
        for state in assessment.states:
            assert assessment.successor_of(state) is _by_definition(assessment, state)
            interval = state.in_force
            if interval is not None and interval.end < as_of and state.snapshot.kind == "strategy":
                assert assessment.lapsed_into_gap(state) == _gap_by_definition(assessment, state)
                compared += 1
    assert compared > 100
