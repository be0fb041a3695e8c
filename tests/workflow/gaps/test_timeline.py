"""Timelines: intervals in force and the holes between them, within a window."""

from __future__ import annotations

from datetime import date

from tests.workflow.gap_builders import approved_history, snap
from workflow.gaps.history import states_on
from workflow.gaps.timeline import Hole, build_timeline, group_states
from workflow.lifecycle.in_force import Interval

AS_OF = date(2025, 1, 1)
MIGRATION = [
    snap((date(2005, 1, 1), date(2010, 12, 31)), id=1,
         events=approved_history(date(2005, 5, 6), expired_on=date(2011, 1, 1))),
    snap((date(2019, 1, 1), date(2022, 12, 31)), id=2,
         events=approved_history(date(2019, 6, 19), expired_on=date(2023, 1, 1))),
    snap((date(2024, 1, 1), date(2030, 12, 31)), id=3, predecessor_id=2, events=approved_history(date(2024, 5, 2))),
    snap((date(2024, 1, 1), date(2026, 12, 31)), id=4, kind="action_plan", parent_id=3,
         events=approved_history(date(2024, 5, 2))),
    snap((date(2031, 1, 1), date(2035, 12, 31)), id=5),  # a draft: never in force
]


def migration_timeline(**kw):
    members = group_states(
        MIGRATION, as_of=kw.pop("as_of", AS_OF), policy_area="migration", kind="strategy", parent_id=None
    )
    return build_timeline(members, as_of=AS_OF, **kw)


def test_the_migration_holes_between_strategies():
    timeline = migration_timeline()
    assert timeline.window == Interval(date(2005, 5, 6), date(2030, 12, 31))
    assert [(s.strategy_id, s.start, s.end) for s in timeline.spans] == [
        (1, date(2005, 5, 6), date(2010, 12, 31)),
        (2, date(2019, 6, 19), date(2022, 12, 31)),
        (3, date(2024, 5, 2), date(2030, 12, 31)),
    ]
    assert timeline.holes == (
        Hole(date(2011, 1, 1), date(2019, 6, 18), 1, 2),
        Hole(date(2023, 1, 1), date(2024, 5, 1), 2, 3),
    )
    assert [h.days for h in timeline.holes] == [3091, 487]
    assert timeline.days_without == 3578
    assert timeline.days_in_force == timeline.window.days - 3578


def test_as_of_in_the_past_shows_an_ongoing_hole_up_to_that_day():
    members = group_states(MIGRATION, as_of=date(2023, 6, 30), policy_area="migration", kind="strategy", parent_id=None)
    timeline = build_timeline(members, as_of=date(2023, 6, 30))
    assert timeline.holes[-1] == Hole(date(2023, 1, 1), date(2023, 6, 30), 2, None)
    assert timeline.holes[-1].days == 181


def test_a_window_cuts_intervals_and_holes():
    timeline = migration_timeline(start=date(2022, 1, 1), end=date(2024, 12, 31))
    assert [(s.strategy_id, s.start, s.end, s.days) for s in timeline.spans] == [
        (2, date(2022, 1, 1), date(2022, 12, 31), 365),
        (3, date(2024, 5, 2), date(2024, 12, 31), 244),
    ]
    assert timeline.holes == (Hole(date(2023, 1, 1), date(2024, 5, 1), 2, 3),)


def test_a_window_inside_a_hole_is_all_hole_and_names_both_sides():
    timeline = migration_timeline(start=date(2015, 1, 1), end=date(2015, 12, 31))
    assert timeline.spans == ()
    assert timeline.holes == (Hole(date(2015, 1, 1), date(2015, 12, 31), 1, 2),)
    assert (timeline.days_in_force, timeline.days_without) == (0, 365)


def test_a_window_starting_before_the_first_strategy_shows_a_leading_hole():
    timeline = migration_timeline(start=date(2005, 1, 1), end=date(2005, 12, 31))
    assert timeline.holes == (Hole(date(2005, 1, 1), date(2005, 5, 5), None, 1),)


def test_overlapping_intervals_leave_no_hole():
    strategies = [
        snap((date(2018, 1, 1), date(2024, 12, 31)), id=1, policy_area="diaspora",
             events=approved_history(date(2018, 3, 1), expired_on=date(2021, 1, 1)), expiry_reason="superseded"),
        snap((date(2020, 6, 1), date(2025, 12, 31)), id=2, policy_area="diaspora",
             events=approved_history(date(2020, 6, 1))),
    ]
    timeline = build_timeline(states_on(strategies, AS_OF), as_of=AS_OF)
    assert timeline.holes == ()
    assert timeline.window == Interval(date(2018, 3, 1), date(2025, 12, 31))


def test_action_plans_are_shown_within_their_strategy_interval():
    parent = next(s for s in states_on(MIGRATION, AS_OF) if s.id == 3)
    plans = group_states(MIGRATION, as_of=AS_OF, policy_area="migration", kind="action_plan", parent_id=3)
    timeline = build_timeline(plans, as_of=AS_OF, frame=parent.in_force)
    assert [(s.strategy_id, s.start, s.end) for s in timeline.spans] == [(4, date(2024, 5, 2), date(2026, 12, 31))]
    assert timeline.holes == (Hole(date(2027, 1, 1), date(2030, 12, 31), 4, None),)


def test_no_intervals_and_no_window_is_an_empty_timeline():
    timeline = build_timeline([], as_of=AS_OF)
    assert (timeline.window, timeline.spans, timeline.holes, timeline.days_in_force) == (None, (), (), 0)


def test_no_intervals_within_a_given_window_is_one_hole():
    timeline = build_timeline([], as_of=AS_OF, start=date(2024, 1, 1), end=date(2024, 12, 31))
    assert timeline.holes == (Hole(date(2024, 1, 1), date(2024, 12, 31), None, None),)
    assert timeline.days_without == 366


def test_a_hole_splits_at_the_as_of_day_into_what_happened_and_what_is_only_foreseen():


    hole = Hole(date(2027, 1, 1), date(2030, 12, 31), after_strategy_id=1, before_strategy_id=None)
    assert hole.split_at(date(2026, 12, 1)) == (None, Interval(date(2027, 1, 1), date(2030, 12, 31)))
    happened, foreseen = hole.split_at(date(2027, 2, 1))
    assert happened == Interval(date(2027, 1, 1), date(2027, 2, 1)) and happened.days == 32
    assert foreseen == Interval(date(2027, 2, 2), date(2030, 12, 31))
    assert hole.split_at(date(2031, 1, 1)) == (Interval(date(2027, 1, 1), date(2030, 12, 31)), None)
