from datetime import date, timedelta

import pytest

from workflow.access import Principal
from workflow.calendar import (
    WEEKDAYS_ONLY,
    NonWorkingDayCreate,
    WorkingCalendar,
    declare_non_working_day,
    remove_non_working_day,
)
from workflow.core import Forbidden, Settings, clock

MON = date(2025, 1, 6)
FRI = date(2025, 1, 10)
SAT = date(2025, 1, 11)
SUN = date(2025, 1, 12)
NEXT_MON = date(2025, 1, 13)
ALBANIA = WorkingCalendar(country="AL")


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (MON, MON, 0),
        (MON, MON + timedelta(days=1), 1),
        (MON, FRI, 4),
        (MON, SAT, 4),
        (MON, NEXT_MON, 5),
        (FRI, NEXT_MON, 1),
        (SAT, NEXT_MON, 1),
        (SUN, NEXT_MON, 1),
        (SAT, SUN, 0),
        (MON, MON + timedelta(weeks=4), 20),
        (date(2025, 1, 8), date(2025, 2, 5), 20),  # Wednesday to Wednesday, four weeks
        (date(2025, 1, 8), date(2025, 1, 17), 7),  # remainder crosses a weekend
        (NEXT_MON, MON, 0),  # end before start
    ],
)
def test_working_days_are_counted_after_the_opening_day(start, end, expected):
    assert WEEKDAYS_ONLY.working_days_between(start, end) == expected


def by_hand(calendar: WorkingCalendar, start: date, end: date) -> int:
    return sum(1 for i in range(1, (end - start).days + 1) if calendar.is_working_day(start + timedelta(days=i)))


@pytest.mark.parametrize("calendar", [WEEKDAYS_ONLY, ALBANIA, WorkingCalendar("AL", frozenset({date(2024, 12, 24)}))])
def test_counting_agrees_with_counting_day_by_day(calendar):
    start = date(2024, 12, 13)
    for length in range(0, 80):
        end = start + timedelta(days=length)
        assert calendar.working_days_between(start, end) == by_hand(calendar, start, end), end


def test_albanias_public_holidays_and_observed_days_are_not_working_days():
    assert not ALBANIA.is_working_day(date(2025, 12, 25))  # Christmas, a Thursday
    assert not ALBANIA.is_working_day(date(2026, 1, 2))  # the second day of New Year
    assert not ALBANIA.is_working_day(date(2025, 12, 1))  # Liberation Day (29 Nov, a Saturday), observed
    assert not ALBANIA.is_working_day(date(2025, 3, 24))  # Nowruz (22 Mar, a Saturday), observed
    assert ALBANIA.is_working_day(date(2025, 12, 2))
    assert WEEKDAYS_ONLY.is_working_day(date(2025, 12, 25))


def test_a_declared_day_is_not_a_working_day():
    declared = WorkingCalendar("AL", frozenset({date(2025, 12, 24)}))
    assert ALBANIA.is_working_day(date(2025, 12, 24))
    assert not declared.is_working_day(date(2025, 12, 24))
    assert declared.working_days_between(date(2025, 12, 23), date(2025, 12, 26)) == 1  # the 26th alone


def test_twenty_working_days_across_christmas_and_new_year_in_albania():
    opened = date(2025, 12, 15)
    # 16-19 Dec (4), 22-24 (3), 26 (1), 29-31 (3), 5-9 Jan (5), 12-15 (4): 25 Dec, 1-2 Jan are holidays
    assert ALBANIA.add_working_days(opened, 20) == date(2026, 1, 15)
    assert WEEKDAYS_ONLY.add_working_days(opened, 20) == date(2026, 1, 12)
    assert ALBANIA.working_days_between(opened, date(2026, 1, 15)) == 20


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (MON, 0, MON),
        (MON, 1, date(2025, 1, 7)),
        (MON, 5, NEXT_MON),
        (FRI, 1, NEXT_MON),
        (SAT, 1, NEXT_MON),
        (MON, 20, date(2025, 2, 3)),
    ],
)
def test_add_working_days_is_the_nth_working_day_after(start, days, expected):
    assert WEEKDAYS_ONLY.add_working_days(start, days) == expected


def test_add_working_days_and_counting_agree():
    start = date(2025, 11, 20)
    for days in range(0, 45):
        result = ALBANIA.add_working_days(start, days)
        assert ALBANIA.working_days_between(start, result) == days
        assert result == start or ALBANIA.is_working_day(result)


def test_on_or_before_moves_a_non_working_day_back_to_the_previous_working_day():
    assert ALBANIA.on_or_before(date(2025, 12, 2)) == date(2025, 12, 2)
    assert ALBANIA.on_or_before(date(2025, 12, 1)) == date(2025, 11, 27)  # 28 Nov holiday, weekend, 1 Dec observed
    assert ALBANIA.on_or_before(date(2026, 1, 4)) == date(2025, 12, 31)


def test_only_an_admin_changes_the_calendar(session):
    coordinator = Principal(name="arta", role="coordinator", institution_id=1)
    day = NonWorkingDayCreate(day=date(2026, 12, 24), name="Christmas Eve")
    with pytest.raises(Forbidden):
        declare_non_working_day(session, day, Settings(_env_file=None), actor=coordinator, now=clock.now())
    with pytest.raises(Forbidden):
        remove_non_working_day(session, date(2026, 12, 24), actor=coordinator, now=clock.now())
