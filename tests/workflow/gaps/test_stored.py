"""How the gap report is stored: a key in the report's order made of digits alone (so every collation
sorts it alike), entries that read back as they were written, statuses read with any horizon."""

from __future__ import annotations

import random
from datetime import date, timedelta

from workflow.gaps.forecast import StageStep
from workflow.gaps.rules import AT_RISK, GAP, OK, GapEntry, _report_order
from workflow.gaps.stored import SORT_KEY, at_horizon, entry_json, entry_of, sort_key, status_within
from workflow.lifecycle import Stage

TODAY = date(2026, 6, 1)


def _entry(**fields) -> GapEntry:
    values = {
        "strategy_id": 7, "title": "Migration 2024-2030", "policy_area": "migration", "kind": "strategy",
        "parent_id": None, "stage": "implementation", "in_force_from": date(2024, 5, 2),
        "lapses_on": date(2026, 12, 31), "status": AT_RISK,
    }
    return GapEntry(**{**values, **fields})


def test_the_key_sorts_as_the_report_does_whatever_the_areas():
    rng = random.Random(13)
    areas = ["health", "health-care", "healthcare", "a", "a-b", "ab", "z9", "z-9", "shendetesi", "sh", "9"]
    entries = [
        _entry(strategy_id=rng.randint(1, 10**9), policy_area=rng.choice(areas),
               kind=(kind := rng.choice(["strategy", "action_plan"])),
               parent_id=rng.choice([None, rng.randint(1, 10**6)]) if kind == "action_plan" else None,
               lapses_on=date(2000, 1, 1) + timedelta(days=rng.randint(0, 20_000)))
        for _ in range(2_000)
    ]
    assert sorted(entries, key=sort_key) == sorted(entries, key=_report_order)
    assert all(SORT_KEY.fullmatch(sort_key(e)) for e in entries)
    assert len(sort_key(_entry(policy_area="a" * 80, strategy_id=2**31, parent_id=2**31, kind="action_plan"))) <= 300


def test_an_entry_reads_back_as_it_was_written():
    entry = _entry(successor_id=9, successor_title="Migration 2031-2035", successor_stage="consultation",
                   projected_successor_approval=date(2027, 2, 1), projection_basis="mixed",
                   projection_steps=(StageStep(Stage.CONSULTATION, date(2026, 12, 1), "due_date"),
                                     StageStep(Stage.APPROVAL, date(2027, 2, 1), "default")),
                   projected_gap_days=31, in_force_from_approximate=True)
    assert entry_of(entry_json(entry)) == entry
    gap = _entry(status=GAP, gap_days=181, approval_reference_unknown=True)
    assert entry_of(entry_json(gap)) == gap


def test_a_late_successor_is_at_risk_only_within_the_horizon_read_with():
    late = _entry(lapses_on=TODAY + timedelta(days=100))
    assert status_within(late.status, late.lapses_on, today=TODAY, horizon_days=100) == AT_RISK
    assert status_within(late.status, late.lapses_on, today=TODAY, horizon_days=99) == OK
    assert at_horizon(late, today=TODAY, horizon_days=99).status == OK
    assert at_horizon(late, today=TODAY, horizon_days=365) is late
    assert status_within(GAP, TODAY - timedelta(days=5), today=TODAY, horizon_days=0) == GAP
