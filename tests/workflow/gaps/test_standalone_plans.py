"""Standalone action plans in the gap rules: judged like a strategy, with their own chain."""

from __future__ import annotations

from datetime import date

from tests.workflow.gap_builders import DEFAULT_DAYS, approved_history, snap
from workflow.core import Settings
from workflow.gaps import compute_portfolio, compute_timeline
from workflow.gaps.rules import AT_RISK, COVERED, GAP, OK, GapEntry, assess_gaps

AREA = "anti-trafficking"
NAP_2021 = (date(2021, 1, 1), date(2023, 12, 31))
NAP_2024 = (date(2024, 1, 1), date(2025, 12, 31))


def plan(period, **kw):
    return snap(period, kind="action_plan", policy_area=AREA, **kw)


def assess(snapshots, as_of: date) -> dict[int, GapEntry]:
    entries = assess_gaps(snapshots, as_of=as_of, horizon_days=365, default_days=DEFAULT_DAYS)
    return {e.strategy_id: e for e in entries}


def test_a_standalone_plan_succeeding_another_on_time_leaves_no_gap():
    first = plan(NAP_2021, id=1, events=approved_history(date(2020, 11, 10)))
    second = plan(NAP_2024, id=2, predecessor_id=1, events=approved_history(date(2023, 12, 20)))
    before = assess([first, second], as_of=date(2023, 12, 31))
    assert (before[1].status, before[1].successor_id) == (COVERED, 2)
    after = assess([first, second], as_of=date(2024, 3, 1))
    assert 1 not in after  # no false gap once the first has lapsed
    assert after[2].status == OK


def test_a_standalone_plan_lapsing_with_nothing_in_force_is_a_gap():
    first = plan(NAP_2021, id=1, events=approved_history(date(2020, 11, 10)))
    late = plan(NAP_2024, id=2, predecessor_id=1, events=approved_history(date(2024, 3, 1)))
    entries = assess([first, late], as_of=date(2024, 2, 1))
    assert (entries[1].status, entries[1].gap_days, entries[1].successor_id) == (GAP, 32, 2)
    assert 1 not in assess([first, late], as_of=date(2024, 3, 1))  # its successor has come into force
    assert assess([first], as_of=date(2023, 6, 1))[1].status == AT_RISK


def test_its_successor_is_looked_up_among_standalone_plans_only():
    strategy = snap((date(2024, 1, 1), date(2030, 12, 31)), id=10, policy_area=AREA,
                    events=approved_history(date(2023, 12, 1)))
    inside = plan(NAP_2024, id=11, parent_id=10, events=approved_history(date(2023, 12, 1)))
    first = plan(NAP_2021, id=1, events=approved_history(date(2020, 11, 10)))
    entry = assess([first, strategy, inside], as_of=date(2023, 6, 1))[1]
    assert entry.successor_id is None  # neither the strategy nor a plan inside it succeeds it
    assert entry.status == AT_RISK


def test_a_strategy_followed_by_a_standalone_plan_of_its_area_lapses_into_no_gap():
    strategy = snap((date(2014, 1, 1), date(2017, 12, 31)), id=10, policy_area=AREA,
                    events=approved_history(date(2014, 1, 1)))
    nap = plan((date(2018, 1, 1), date(2020, 12, 31)), id=1, events=approved_history(date(2018, 1, 1)))
    assert 10 not in assess([strategy, nap], as_of=date(2018, 6, 1))
    assert assess([strategy], as_of=date(2018, 6, 1))[10].status == GAP  # without the plan: a gap


def test_a_plan_inside_a_strategy_keeps_its_rules():
    strategy = snap((date(2024, 1, 1), date(2030, 12, 31)), id=10, policy_area=AREA,
                    events=approved_history(date(2024, 1, 1)))
    inside = plan((date(2024, 1, 1), date(2026, 12, 31)), id=11, parent_id=10,
                  events=approved_history(date(2024, 1, 1)))
    standalone = plan((date(2027, 1, 1), date(2028, 12, 31)), id=12, events=approved_history(date(2026, 6, 1)))
    entries = assess([strategy, inside, standalone], as_of=date(2027, 2, 1))
    assert entries[11].status == GAP  # a standalone plan does not cover a plan inside a strategy


def test_the_portfolio_lists_standalone_plans_with_the_strategies_and_counts_them_in_coverage():
    strategy = snap((date(2014, 1, 1), date(2017, 12, 31)), id=10, policy_area=AREA,
                    events=approved_history(date(2014, 1, 1)))
    first = plan((date(2018, 1, 1), date(2020, 12, 31)), id=1, events=approved_history(date(2018, 1, 1)))
    second = plan(NAP_2021, id=2, predecessor_id=1, events=approved_history(date(2020, 11, 10)))
    portfolio = compute_portfolio([strategy, first, second], as_of=date(2022, 6, 1), horizon_days=365,
                                  settings=Settings())
    [area] = portfolio.areas
    assert [(lane.strategy_id, lane.standalone) for lane in area.lanes] == [(10, False), (1, True), (2, True)]
    assert area.coverage.holes == ()  # 2014 to the day: always something in force
    assert {span.strategy_id for span in area.coverage.spans} == {10, 1, 2}


def test_the_area_timeline_counts_standalone_plans_as_coverage():
    strategy = snap((date(2014, 1, 1), date(2017, 12, 31)), id=10, policy_area=AREA,
                    events=approved_history(date(2014, 1, 1)))
    nap = plan((date(2018, 1, 1), date(2020, 12, 31)), id=1, events=approved_history(date(2018, 1, 1)))
    late = plan(NAP_2021, id=2, predecessor_id=1, events=approved_history(date(2021, 3, 1)))
    report = compute_timeline([strategy, nap, late], as_of=date(2022, 1, 1), policy_area=AREA)
    holes = [(h.start, h.end) for h in report.timeline.holes]
    assert holes == [(date(2021, 1, 1), date(2021, 2, 28))]  # only the late approval, not 2018 onwards


def test_a_document_followed_in_time_by_one_of_the_other_kind_is_covered_not_at_risk():
    nap = plan(NAP_2021, id=1, events=approved_history(date(2020, 11, 10)))
    strategy = snap((date(2024, 1, 1), date(2030, 12, 31)), id=10, policy_area=AREA,
                    events=approved_history(date(2023, 12, 1)))
    entry = assess([nap, strategy], as_of=date(2023, 12, 15))[1]
    assert (entry.status, entry.successor_id) == (COVERED, 10)
    old = snap((date(2014, 1, 1), date(2017, 12, 31)), id=20, policy_area=AREA,
               events=approved_history(date(2014, 1, 1)))
    first_plan = plan((date(2018, 1, 1), date(2020, 12, 31)), id=21, events=approved_history(date(2017, 11, 1)))
    assert assess([old, first_plan], as_of=date(2017, 12, 1))[20].status == COVERED
    assert assess([old], as_of=date(2017, 12, 1))[20].status == AT_RISK  # without the plan
