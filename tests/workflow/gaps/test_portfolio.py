"""The portfolio as of a day: every area's lanes, coverage and gap statuses, in one pass."""

from __future__ import annotations

from datetime import date

from tests.workflow.gap_builders import approved_history, history, snap
from workflow.core import Settings
from workflow.gaps import compute_portfolio, compute_timeline

OLD = snap((date(2019, 1, 1), date(2022, 12, 31)), id=1, title="Migration 2019-2022", lead_institution_id=10,
           events=approved_history(date(2019, 6, 19), expired_on=date(2023, 1, 1)))
NEW = snap((date(2024, 1, 1), date(2030, 12, 31)), id=2, title="Migration 2024-2030", predecessor_id=1,
           lead_institution_id=10, created_on=date(2023, 9, 1),
           events=history(("submit_for_consultation", date(2023, 11, 6))))
PLAN = snap((date(2019, 7, 1), date(2020, 12, 31)), id=3, kind="action_plan", parent_id=1, lead_institution_id=11,
            events=approved_history(date(2019, 7, 1), expired_on=date(2021, 1, 1)))
DIASPORA = snap((date(2021, 1, 1), date(2025, 12, 31)), id=4, policy_area="diaspora", lead_institution_id=20,
                events=approved_history(date(2020, 7, 22)))
DEPLOYMENT = [OLD, NEW, PLAN, DIASPORA]


def test_mid_2023_the_area_shows_the_gap_opened_on_new_year(settings: Settings) -> None:
    portfolio = compute_portfolio(DEPLOYMENT, as_of=date(2023, 6, 30), horizon_days=365, settings=settings)
    assert portfolio.policy_areas == ("diaspora", "migration")
    migration = next(a for a in portfolio.areas if a.policy_area == "migration")
    assert [lane.strategy_id for lane in migration.lanes] == [1, 3]  # NEW did not exist yet; the plan follows
    gap = migration.ongoing_gap
    assert gap is not None and (gap.start, gap.end, gap.days) == (date(2023, 1, 1), date(2023, 6, 30), 181)
    old = migration.lanes[0]
    assert old.entry is not None and old.entry.status == "gap" and old.entry.gap_days == 181
    assert migration.coverage == compute_timeline(DEPLOYMENT, as_of=date(2023, 6, 30), policy_area="migration").timeline
    [plans] = migration.plans
    assert plans.parent_id == 1
    assert plans.timeline == compute_timeline(DEPLOYMENT, as_of=date(2023, 6, 30), parent_id=1).timeline
    assert [(h.start, h.end) for h in plans.timeline.holes] == [(date(2019, 6, 19), date(2019, 6, 30)),
                                                                (date(2021, 1, 1), date(2022, 12, 31))]


def test_a_successor_not_approved_yet_is_a_pending_lane(settings: Settings) -> None:
    portfolio = compute_portfolio(DEPLOYMENT, as_of=date(2023, 12, 1), horizon_days=365, settings=settings,
                                  policy_area="migration", kind="strategy")
    [migration] = portfolio.areas
    assert [lane.strategy_id for lane in migration.lanes] == [1, 2]
    new = migration.lanes[1]
    assert (new.approved, new.in_force, new.stage, new.entry) == (False, None, "consultation", None)
    old = migration.lanes[0]
    assert old.entry is not None and old.entry.successor_id == 2 and old.entry.projected_successor_approval


def test_in_2021_the_strategy_is_in_force_and_no_gap_is_open(settings: Settings) -> None:
    portfolio = compute_portfolio(DEPLOYMENT, as_of=date(2021, 6, 30), horizon_days=365, settings=settings)
    migration = next(a for a in portfolio.areas if a.policy_area == "migration")
    assert migration.ongoing_gap is None and migration.coverage.holes == ()
    assert migration.lanes[0].entry is not None and migration.lanes[0].entry.status == "ok"


def test_filters_choose_the_lanes_not_the_coverage(settings: Settings) -> None:
    led = compute_portfolio(DEPLOYMENT, as_of=date(2023, 6, 30), horizon_days=365, settings=settings,
                            lead_institution_id=11)
    [migration] = led.areas  # the diaspora has nothing led by institution 11
    assert [lane.strategy_id for lane in migration.lanes] == [3]
    assert migration.ongoing_gap is not None  # the area's coverage is still that of all its strategies
    plans = compute_portfolio(DEPLOYMENT, as_of=date(2023, 6, 30), horizon_days=365, settings=settings,
                              kind="action_plan")
    assert [(a.policy_area, [lane.strategy_id for lane in a.lanes]) for a in plans.areas] == [("migration", [3])]
    assert plans.policy_areas == ("diaspora", "migration")
    before = compute_portfolio(DEPLOYMENT, as_of=date(1999, 1, 1), horizon_days=365, settings=settings)
    assert before.areas == () and before.policy_areas == ()
