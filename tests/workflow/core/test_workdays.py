from datetime import date, timedelta

import pytest

from workflow.core.workdays import add_working_days, working_days_between

MON = date(2025, 1, 6)
FRI = date(2025, 1, 10)
SAT = date(2025, 1, 11)
SUN = date(2025, 1, 12)
NEXT_MON = date(2025, 1, 13)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (MON, MON, 0),
        (MON, MON + timedelta(days=1), 1),
        (MON, FRI, 4),
        (MON, SAT, 5),
        (MON, NEXT_MON, 5),
        (FRI, NEXT_MON, 1),
        (SAT, NEXT_MON, 0),
        (SUN, NEXT_MON, 0),
        (SAT, NEXT_MON + timedelta(days=1), 1),
        (MON, MON + timedelta(weeks=4), 20),
        (date(2025, 1, 8), date(2025, 2, 5), 20),  # Wednesday to Wednesday, four weeks
        (date(2025, 1, 8), date(2025, 1, 17), 7),  # remainder crosses a weekend
        (NEXT_MON, MON, 0),  # end before start
    ],
)
def test_working_days_between_counts_monday_to_friday_in_a_half_open_range(start, end, expected):
    assert working_days_between(start, end) == expected


def test_working_days_between_agrees_with_counting_day_by_day():
    start = date(2024, 12, 20)
    for length in range(0, 60):
        end = start + timedelta(days=length)
        by_hand = sum(1 for i in range(length) if (start + timedelta(days=i)).weekday() < 5)
        assert working_days_between(start, end) == by_hand, end


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (MON, 0, MON),
        (MON, 1, date(2025, 1, 7)),
        (MON, 5, SAT),  # after Mon..Fri, Saturday is the first day with 5 behind it
        (FRI, 1, SAT),
        (SAT, 1, date(2025, 1, 14)),  # the weekend does not count: Monday is the first working day
        (MON, 20, date(2025, 2, 1)),
    ],
)
def test_add_working_days(start, days, expected):
    assert add_working_days(start, days) == expected


def test_add_working_days_is_the_first_day_reaching_the_count():
    start = date(2025, 3, 5)
    for days in range(0, 30):
        result = add_working_days(start, days)
        assert working_days_between(start, result) >= days
        assert result == start or working_days_between(start, result - timedelta(days=1)) < days
