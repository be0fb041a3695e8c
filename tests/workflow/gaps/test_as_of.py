"""Reconstructing a strategy's state on a past day from its history's effective dates."""

from __future__ import annotations

from datetime import date

from tests.workflow.gap_builders import DEFAULT_DAYS, approved_history, history, snap
from workflow.gaps.history import state_on
from workflow.gaps.rules import GAP, assess_gaps
from workflow.lifecycle.in_force import Interval

PERIOD = (date(2019, 1, 1), date(2022, 12, 31))
EVENTS = history(
    ("submit_for_consultation", date(2019, 1, 7)),
    ("submit_for_approval", date(2019, 3, 1)),
    ("approve", date(2019, 6, 19)),
    ("start_monitoring", date(2019, 9, 1)),
    ("expire", date(2023, 1, 1)),
)
# Imported in 2026 with history backdated to 2019.
IMPORTED = snap(PERIOD, id=1, events=EVENTS, created_on=date(2026, 1, 5), expiry_reason=None)


def test_before_its_first_effective_row_an_imported_strategy_did_not_exist():
    assert state_on(IMPORTED, date(2019, 1, 6)) is None


def test_each_day_shows_the_stage_reached_by_then():
    stages = {day: state_on(IMPORTED, day).stage for day in (
        date(2019, 1, 7), date(2019, 3, 1), date(2019, 6, 18), date(2019, 6, 19), date(2020, 1, 1), date(2023, 1, 1)
    )}
    assert list(stages.values()) == ["consultation", "approval", "approval", "implementation", "monitoring", "expiry"]
    assert state_on(IMPORTED, date(2019, 6, 18)).stage_entered_on == date(2019, 3, 1)


def test_approval_and_expiry_count_only_once_effective():
    before = state_on(IMPORTED, date(2019, 6, 18))
    assert (before.approved_on, before.in_force) == (None, None)
    approved = state_on(IMPORTED, date(2019, 6, 19))
    assert approved.in_force == Interval(date(2019, 6, 19), date(2022, 12, 31))
    assert approved.expired_on is None
    expired = state_on(IMPORTED, date(2023, 1, 1))
    assert (expired.expired_on, expired.expiry_reason) == (date(2023, 1, 1), "period_ended")


def test_an_early_expiry_shortens_the_interval_only_from_its_effective_day():
    superseded = snap(
        (date(2018, 1, 1), date(2024, 12, 31)), events=approved_history(date(2018, 3, 1), expired_on=date(2021, 1, 1)),
        expiry_reason="superseded",
    )
    assert state_on(superseded, date(2020, 12, 31)).in_force.end == date(2024, 12, 31)
    after = state_on(superseded, date(2021, 1, 1))
    assert (after.in_force.end, after.expiry_reason) == (date(2020, 12, 31), "superseded")


def test_the_approval_act_date_starts_the_interval_even_when_recorded_as_effective_earlier():
    events = history(
        ("submit_for_consultation", date(2022, 9, 1)), ("submit_for_approval", date(2022, 11, 1)),
        ("approve", date(2022, 12, 20)),
    )
    strategy = snap((date(2023, 1, 1), date(2026, 12, 31)), events=events, approved_on=date(2023, 1, 2))
    assert state_on(strategy, date(2022, 12, 19)).approved_on is None
    assert state_on(strategy, date(2022, 12, 20)).in_force == Interval(date(2023, 1, 2), date(2026, 12, 31))


def test_a_draft_without_history_exists_from_the_day_it_was_created():
    draft = snap((date(2027, 1, 1), date(2030, 12, 31)), created_on=date(2026, 1, 5))
    assert state_on(draft, date(2026, 1, 4)) is None
    state = state_on(draft, date(2026, 1, 5))
    assert (state.stage, state.stage_entered_on, state.approved_on) == ("drafting", None, None)


def test_a_draft_created_before_its_first_transition_is_drafting_in_between():
    strategy = snap(PERIOD, events=history(("submit_for_consultation", date(2026, 3, 1))), created_on=date(2026, 1, 5))
    assert state_on(strategy, date(2026, 2, 1)).stage == "drafting"
    assert state_on(strategy, date(2026, 3, 1)).stage == "consultation"


def test_as_of_in_the_past_reports_what_was_recorded_then():
    successor = snap(
        (date(2024, 1, 1), date(2030, 12, 31)), id=2, predecessor_id=1, created_on=date(2026, 1, 5),
        events=history(("submit_for_consultation", date(2023, 10, 2)), ("submit_for_approval", date(2024, 2, 1)),
                       ("approve", date(2024, 5, 2))),
    )
    on = assess_gaps([IMPORTED, successor], as_of=date(2023, 6, 30), horizon_days=365, default_days=DEFAULT_DAYS)
    assert [(e.strategy_id, e.status, e.gap_days, e.successor_id, e.stage) for e in on] == [
        (1, GAP, 181, None, "expiry")
    ]

    later = assess_gaps([IMPORTED, successor], as_of=date(2023, 12, 1), horizon_days=365, default_days=DEFAULT_DAYS)
    assert [(e.strategy_id, e.gap_days, e.successor_id, e.successor_stage) for e in later] == [
        (1, 335, 2, "consultation")
    ]

    now = assess_gaps([IMPORTED, successor], as_of=date(2026, 1, 5), horizon_days=365, default_days=DEFAULT_DAYS)
    assert [(e.strategy_id, e.status) for e in now] == [(2, "ok")]
