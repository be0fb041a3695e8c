"""The gap report and timeline against a real (SQLite) database, built through real transitions.

The reference case is Albania's migration strategies: 2005-2010 (approved 2005-05-06),
2019-2022 (DCM No. 400 of 2019-06-19), and 2024-2030 (approved 2024-05-02, two years after
the lapse) with its 2024-2026 action plan.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests import factories as f
from workflow.core.db import unit_of_work
from workflow.core.errors import NotFound, ValidationFailed
from workflow.gaps.queries import gap_report, load_snapshots
from workflow.gaps.rules import GAP, OK
from workflow.gaps.scoped import timeline_report

TODAY = date(2026, 1, 5)


def _approve(session, strategy_id: int, opened: date, submitted: date, approved: date, reference: str) -> None:
    f.advance(session, strategy_id, "submit_for_consultation", today=TODAY, effective_on=opened)
    f.advance(session, strategy_id, "submit_for_approval", today=TODAY, effective_on=submitted)
    f.advance(session, strategy_id, "approve", today=TODAY, effective_on=approved, approved_on=approved,
              approval_reference=reference)


@pytest.fixture
def migration(engine) -> dict[str, int]:
    with unit_of_work(engine) as s:
        moi = f.institution(s)
        first = f.strategy(s, moi, title="Migration 2005-2010", period_start=date(2005, 1, 1),
                           period_end=date(2010, 12, 31))
        _approve(s, first.id, date(2005, 1, 10), date(2005, 3, 1), date(2005, 5, 6), "DCM No. 296")
        f.advance(s, first.id, "expire", today=TODAY, effective_on=date(2011, 1, 1))
        second = f.strategy(s, moi, title="Migration 2019-2022")
        _approve(s, second.id, date(2019, 1, 7), date(2019, 3, 1), date(2019, 6, 19), "DCM No. 400")
        f.advance(s, second.id, "expire", today=TODAY, effective_on=date(2023, 1, 1))
        third = f.strategy(s, moi, title="Migration 2024-2030", period_start=date(2024, 1, 1),
                           period_end=date(2030, 12, 31), predecessor_id=second.id)
        _approve(s, third.id, date(2023, 3, 15), date(2024, 2, 1), date(2024, 5, 2), "DCM No. 329")
        plan = f.strategy(s, moi, title="Migration action plan 2024-2026", kind="action_plan", parent_id=third.id,
                          period_start=date(2024, 1, 1), period_end=date(2026, 12, 31))
        _approve(s, plan.id, date(2023, 3, 15), date(2024, 2, 1), date(2024, 5, 2), "DCM No. 329")
        return {"moi": moi, "first": first.id, "second": second.id, "third": third.id, "plan": plan.id}


def test_as_of_mid_2023_the_2019_strategy_is_a_181_day_gap(session, settings, migration):
    entries = gap_report(session, as_of=date(2023, 6, 30), horizon_days=365, settings=settings)
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.strategy_id, entry.status, entry.lapses_on, entry.gap_days) == (
        migration["second"], GAP, date(2022, 12, 31), 181
    )
    assert (entry.successor_id, entry.successor_stage) == (migration["third"], "consultation")
    # Two completed consultations (50 and 53 days) are too few: the default (45) tops them up. Open
    # 107 days, the consultation has run past all three: what is left is half the default again
    # (23 days), not "today"; then the approval.
    assert (entry.projected_successor_approval, entry.projection_basis) == (date(2023, 9, 27), "defaults")
    assert entry.projection_steps[0].ends_on == date(2023, 7, 23)


def test_in_2026_the_strategy_is_fine_and_its_action_plan_at_risk(session, settings, migration):
    entries = gap_report(session, as_of=TODAY, horizon_days=365, settings=settings)
    assert [(e.strategy_id, e.status) for e in entries] == [(migration["third"], OK), (migration["plan"], "at_risk")]


def test_policy_area_filters_but_medians_use_the_whole_deployment(session, settings, migration):
    assert gap_report(session, as_of=TODAY, horizon_days=365, settings=settings, policy_area="health") == []


def test_snapshots_carry_history_in_recorded_order_and_the_local_creation_day(session, settings, migration):
    snapshots = {s.id: s for s in load_snapshots(session, zone=settings.zone)}
    second = snapshots[migration["second"]]
    assert [row.event for row in second.history] == [
        "submit_for_consultation", "submit_for_approval", "approve", "expire"
    ]
    assert second.created_on == TODAY and second.approved_on == date(2019, 6, 19)


def test_the_migration_timeline_shows_both_holes(session, settings, migration):
    report = timeline_report(session, as_of=TODAY, settings=settings, policy_area="migration")
    holes = [(h.start, h.end, h.days) for h in report.timeline.holes]
    assert holes == [(date(2011, 1, 1), date(2019, 6, 18), 3091), (date(2023, 1, 1), date(2024, 5, 1), 487)]
    assert (report.kind, report.parent_id) == ("strategy", None)


def test_the_action_plan_timeline_of_a_strategy(session, settings, migration):
    report = timeline_report(session, as_of=TODAY, settings=settings, parent_id=migration["third"])
    assert [(s.strategy_id, s.start, s.end) for s in report.timeline.spans] == [
        (migration["plan"], date(2024, 5, 2), date(2026, 12, 31))
    ]
    assert [(h.start, h.end) for h in report.timeline.holes] == [(date(2027, 1, 1), date(2030, 12, 31))]
    assert (report.policy_area, report.kind) == ("migration", "action_plan")


def test_timeline_refuses_unknown_or_unsuitable_parents(session, settings, migration):
    with pytest.raises(NotFound):
        timeline_report(session, as_of=TODAY, settings=settings, parent_id=999)
    with pytest.raises(ValidationFailed):
        timeline_report(session, as_of=TODAY, settings=settings, parent_id=migration["plan"])
    with pytest.raises(ValidationFailed):
        timeline_report(session, as_of=TODAY, settings=settings, parent_id=migration["third"], policy_area="health")
    with pytest.raises(ValidationFailed):
        timeline_report(session, as_of=TODAY, settings=settings)
