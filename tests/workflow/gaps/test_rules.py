"""Gap statuses as pure functions of recorded strategies, a day and a horizon."""

from __future__ import annotations

from datetime import date

import pytest

from tests.workflow.gap_builders import DEFAULT_DAYS, approved_history, history, snap
from workflow.gaps.rules import AT_RISK, COVERED, GAP, OK, GapEntry, assess_gaps

PERIOD_2019 = (date(2019, 1, 1), date(2022, 12, 31))
PERIOD_2023 = (date(2023, 1, 1), date(2026, 12, 31))
LAPSE = date(2022, 12, 31)


def current(**kw) -> object:
    return snap(PERIOD_2019, id=1, events=approved_history(date(2019, 6, 19)), **kw)


def assess(snapshots, as_of: date, horizon_days: int = 365, **kw) -> dict[int, GapEntry]:
    entries = assess_gaps(snapshots, as_of=as_of, horizon_days=horizon_days, default_days=DEFAULT_DAYS, **kw)
    return {e.strategy_id: e for e in entries}


def test_successor_approved_on_the_lapse_day_covers_it():
    successor = snap(PERIOD_2023, id=2, predecessor_id=1, events=approved_history(LAPSE))
    entry = assess([current(), successor], as_of=LAPSE)[1]
    assert entry.status == COVERED
    assert (entry.successor_id, entry.successor_stage, entry.successor_in_force_from) == (
        2, "implementation", date(2023, 1, 1)
    )
    assert entry.projected_gap_days == 0
    assert entry.gap_days is None


def test_successor_approved_one_day_late_leaves_a_one_day_gap():
    # Recorded as approved on 2022-12-20, by an act dated 2023-01-02: in force a day after lapse + 1.
    events = history(
        ("submit_for_consultation", date(2022, 9, 1)), ("submit_for_approval", date(2022, 11, 1)),
        ("approve", date(2022, 12, 20)),
    )
    successor = snap(PERIOD_2023, id=2, predecessor_id=1, events=events, approved_on=date(2023, 1, 2))

    before = assess([current(), successor], as_of=date(2022, 12, 31))[1]
    assert (before.status, before.projected_gap_days, before.gap_days) == (AT_RISK, 1, None)

    during = assess([current(), successor], as_of=date(2023, 1, 1))
    assert (during[1].status, during[1].gap_days, during[1].successor_in_force_from) == (GAP, 1, date(2023, 1, 2))
    assert 2 not in during

    after = assess([current(), successor], as_of=date(2023, 1, 2))
    assert 1 not in after
    assert after[2].status == OK


def test_lapsing_within_the_horizon_without_a_successor_is_at_risk():
    entry = assess([current()], as_of=date(2022, 6, 1))[1]
    assert entry.status == AT_RISK
    assert entry.successor_id is None and entry.projected_successor_approval is None
    assert entry.lapses_on == LAPSE
    # A whole pipeline started today (285 days at the median) ends 71 days after the lapse.
    assert (entry.days_left, entry.needed_days, entry.projected_gap_days) == (214, 285, 71)


QUICK = {stage: 10 for stage in DEFAULT_DAYS}


@pytest.mark.parametrize(("horizon_days", "status"), [(213, AT_RISK), (212, OK), (0, OK)])
def test_the_horizon_counts_days_from_as_of_to_the_lapse(horizon_days, status):
    # 2022-06-01 + 213 days = 2022-12-31. Stages of 10 days: the pipeline rule does not flag it.
    entries = assess_gaps([current()], as_of=date(2022, 6, 1), horizon_days=horizon_days, default_days=QUICK)
    assert entries[0].status == status
    assert entries[0].risk_rule == ("horizon" if status == AT_RISK else None)


def test_a_pipeline_longer_than_the_time_left_is_at_risk_beyond_the_horizon():
    entry = assess([current()], as_of=date(2022, 6, 1), horizon_days=0)[1]
    assert (entry.status, entry.risk_rule) == (AT_RISK, "pipeline")


def test_lapsing_today_with_a_zero_horizon_is_at_risk():
    assert assess([current()], as_of=LAPSE, horizon_days=0)[1].status == AT_RISK


def test_lapsing_beyond_the_horizon_is_ok_even_without_a_successor():
    entry = assess([current()], as_of=date(2020, 6, 1))[1]
    assert entry.status == OK
    assert entry.successor_id is None


def test_successor_projected_to_be_approved_after_the_lapse_is_at_risk():
    successor = snap(
        PERIOD_2023, id=2, predecessor_id=1, events=history(("submit_for_consultation", date(2022, 10, 1))),
        consultation_due=date(2022, 11, 15), approval_due=date(2023, 3, 1),
    )
    entry = assess([current(), successor], as_of=date(2022, 10, 15))[1]
    assert entry.status == AT_RISK
    assert (entry.successor_stage, entry.projected_successor_approval) == ("consultation", date(2023, 3, 1))
    assert entry.projection_basis == "due_dates"
    assert entry.projected_gap_days == 59  # 2023-01-01 .. 2023-02-28


IN_APPROVAL = history(("submit_for_consultation", date(2022, 8, 1)), ("submit_for_approval", date(2022, 10, 1)))


def test_successor_projected_in_time_is_ok():
    """In approval since 2022-10-01: history says mid-November at the median, the deadline says
    2022-12-20: the later (the ministry plans no shorter than the history says) is taken."""
    successor = snap(PERIOD_2023, id=2, predecessor_id=1, events=IN_APPROVAL, approval_due=date(2022, 12, 20))
    entry = assess([current(), successor], as_of=date(2022, 10, 15))[1]
    assert entry.status == OK
    assert entry.projected_successor_approval == date(2022, 12, 20)
    assert entry.projected_gap_days == 0


def test_successor_projected_for_the_day_after_the_lapse_is_on_time():
    successor = snap(PERIOD_2023, id=2, predecessor_id=1, events=IN_APPROVAL, approval_due=date(2023, 1, 1))
    assert assess([current(), successor], as_of=date(2022, 10, 15))[1].status == OK


def test_approved_successor_starting_later_than_the_day_after_is_at_risk_with_its_known_gap():
    successor = snap((date(2023, 3, 1), date(2026, 12, 31)), id=2, predecessor_id=1,
                     events=approved_history(date(2022, 9, 1)))
    entry = assess([current(), successor], as_of=date(2022, 10, 1))[1]
    assert (entry.status, entry.projected_gap_days, entry.projected_successor_approval) == (AT_RISK, 59, None)


def test_lapsed_with_nothing_in_force_is_a_gap_counted_to_as_of():
    expired = snap(PERIOD_2019, id=1, events=approved_history(date(2019, 6, 19), expired_on=date(2023, 1, 1)))
    entries = assess([expired], as_of=date(2023, 6, 30))
    assert list(entries) == [1]
    entry = entries[1]
    assert (entry.status, entry.lapses_on, entry.gap_days, entry.stage) == (GAP, LAPSE, 181, "expiry")


def test_a_lapse_not_yet_recorded_as_expiry_is_still_a_gap():
    entry = assess([current()], as_of=date(2023, 1, 1))[1]
    assert (entry.status, entry.gap_days, entry.stage) == (GAP, 1, "implementation")


def test_gap_counts_to_the_approved_successors_start_when_that_is_later():
    successor = snap((date(2023, 9, 1), date(2027, 12, 31)), id=2, predecessor_id=1,
                     events=approved_history(date(2023, 5, 1)))
    entry = assess([current(), successor], as_of=date(2023, 6, 30))[1]
    assert entry.status == GAP
    assert entry.gap_days == 243  # 2023-01-01 .. 2023-08-31
    assert entry.successor_in_force_from == date(2023, 9, 1)


def test_a_gap_reports_the_successor_in_preparation_and_its_projection():
    successor = snap(PERIOD_2023, id=2, predecessor_id=1, events=history(("submit_for_consultation", date(2023, 3, 1))))
    entry = assess([current(), successor], as_of=date(2023, 3, 10))[1]
    assert (entry.status, entry.gap_days, entry.successor_stage) == (GAP, 69, "consultation")
    # Defaults: consultation 45 days from 2023-03-01, then approval 60 days.
    assert entry.projected_successor_approval == date(2023, 6, 14)
    assert entry.projection_basis == "defaults"
    assert [(s.stage.value, s.ends_on, s.basis) for s in entry.projection_steps] == [
        ("consultation", date(2023, 4, 15), "default"),
        ("approval", date(2023, 6, 14), "default"),
    ]


def test_only_the_last_lapse_before_a_hole_is_reported():
    old = snap((date(2005, 1, 1), date(2010, 12, 31)), id=9, events=approved_history(date(2005, 5, 6)))
    entries = assess([old, current()], as_of=date(2023, 6, 30))
    assert list(entries) == [1]


def test_an_overlapping_strategy_in_force_means_no_gap():
    other = snap((date(2020, 1, 1), date(2025, 12, 31)), id=5, events=approved_history(date(2020, 3, 1)))
    entries = assess([current(), other], as_of=date(2023, 6, 30))
    assert list(entries) == [5]


def test_early_supersession_is_covered_and_leaves_no_gap():
    old = snap(
        (date(2018, 1, 1), date(2024, 12, 31)), id=1, policy_area="diaspora",
        events=approved_history(date(2018, 3, 1), expired_on=date(2021, 1, 1)), expiry_reason="superseded",
    )
    new = snap(
        (date(2021, 1, 1), date(2025, 12, 31)), id=2, policy_area="diaspora", predecessor_id=1,
        events=approved_history(date(2020, 12, 15)),
    )
    before = assess([old, new], as_of=date(2020, 12, 31))
    assert before[1].status == COVERED and before[1].lapses_on == date(2024, 12, 31)
    assert 2 not in before  # approved, but not in force yet

    after = assess([old, new], as_of=date(2021, 6, 30))
    assert list(after) == [2]
    assert after[2].status == OK


def test_an_explicit_predecessor_link_wins_over_the_next_by_period_start():
    next_by_start = snap((date(2022, 6, 1), date(2025, 12, 31)), id=2, policy_area="health")
    linked = snap(PERIOD_2023, id=3, predecessor_id=1, events=approved_history(date(2022, 5, 1)), policy_area="health")
    entries = assess([current(policy_area="health"), next_by_start, linked], as_of=date(2022, 6, 1))
    assert (entries[1].successor_id, entries[1].status) == (3, COVERED)


def test_the_next_by_period_start_is_the_successor_unless_it_names_another_predecessor():
    other_chain = snap((date(2015, 1, 1), date(2018, 12, 31)), id=7)
    claimed = snap(PERIOD_2023, id=2, predecessor_id=7, events=approved_history(date(2022, 5, 1)))
    free = snap((date(2023, 6, 1), date(2027, 12, 31)), id=3)
    entries = assess([current(), other_chain, claimed, free], as_of=date(2022, 6, 1))
    assert (entries[1].successor_id, entries[1].successor_stage, entries[1].status) == (3, "drafting", AT_RISK)


def test_successors_are_looked_up_within_the_same_area_and_kind():
    elsewhere = snap(PERIOD_2023, id=2, policy_area="health", events=approved_history(date(2022, 5, 1)))
    assert assess([current(), elsewhere], as_of=date(2022, 6, 1))[1].successor_id is None


def test_policy_area_filters_the_result():
    health = snap(PERIOD_2023, id=2, policy_area="health", events=approved_history(date(2022, 5, 1)))
    assert list(assess([current(), health], as_of=date(2023, 6, 30), policy_area="health")) == [2]


def test_approved_but_not_yet_started_is_not_listed():
    future = snap(PERIOD_2023, id=2, policy_area="health", events=approved_history(date(2022, 5, 1)))
    assert assess([future], as_of=date(2022, 6, 1)) == {}


# Action plans: 2024-2030 strategy with a 2024-2026 action plan.
STRATEGY_2024 = (date(2024, 1, 1), date(2030, 12, 31))
PLAN_2024 = (date(2024, 1, 1), date(2026, 12, 31))


def _strategy_with_plan(**plan_kw):
    strategy = snap(STRATEGY_2024, id=10, events=approved_history(date(2024, 5, 2)))
    plan = snap(PLAN_2024, id=11, kind="action_plan", parent_id=10,
                events=approved_history(date(2024, 5, 2), **plan_kw))
    return strategy, plan


def test_an_action_plan_lapsing_inside_its_strategy_without_a_successor_plan_is_at_risk():
    entries = assess(list(_strategy_with_plan()), as_of=date(2026, 3, 1))
    assert (entries[11].status, entries[11].parent_id, entries[11].kind) == (AT_RISK, 10, "action_plan")
    assert entries[10].status == OK


def test_an_action_plan_is_covered_by_the_next_plan_of_the_same_strategy():
    strategy, plan = _strategy_with_plan()
    other_strategy = snap((date(2027, 1, 1), date(2030, 12, 31)), id=20, policy_area="health")
    foreign_plan = snap((date(2027, 1, 1), date(2028, 12, 31)), id=21, kind="action_plan", parent_id=20,
                        policy_area="health", events=approved_history(date(2026, 1, 10)))
    assert assess([strategy, plan, other_strategy, foreign_plan], as_of=date(2026, 3, 1))[11].status == AT_RISK

    next_plan = snap((date(2027, 1, 1), date(2028, 12, 31)), id=12, kind="action_plan", parent_id=10,
                     events=approved_history(date(2026, 12, 1)))
    entries = assess([strategy, plan, next_plan], as_of=date(2026, 12, 15))
    assert (entries[11].status, entries[11].successor_id) == (COVERED, 12)


def test_an_action_plan_ending_with_its_strategy_needs_no_successor():
    strategy = snap(STRATEGY_2024, id=10, events=approved_history(date(2024, 5, 2)))
    last_plan = snap((date(2029, 1, 1), date(2030, 12, 31)), id=11, kind="action_plan", parent_id=10,
                     events=approved_history(date(2028, 12, 1)))
    entries = assess([strategy, last_plan], as_of=date(2030, 6, 1))
    assert (entries[11].status, entries[11].successor_id) == (OK, None)
    assert entries[10].status == AT_RISK


def test_an_action_plan_lapsed_while_its_strategy_is_in_force_is_a_gap():
    entries = assess(list(_strategy_with_plan()), as_of=date(2027, 1, 31))
    assert (entries[11].status, entries[11].gap_days) == (GAP, 31)


def test_an_action_plan_lapsed_together_with_its_strategy_is_not_a_separate_gap():
    strategy = snap((date(2024, 1, 1), date(2026, 12, 31)), id=10, events=approved_history(date(2024, 5, 2)))
    plan = snap(PLAN_2024, id=11, kind="action_plan", parent_id=10, events=approved_history(date(2024, 5, 2)))
    entries = assess([strategy, plan], as_of=date(2027, 1, 31))
    assert list(entries) == [10]
    assert entries[10].status == GAP
