"""Reporting periods and due dates across year boundaries."""

from __future__ import annotations

from datetime import date

import pytest

from workflow.monitoring.plan.periods import parse_label, period_containing, periods_between, reporting_periods


@pytest.mark.parametrize(
    ("frequency", "day", "label", "start", "end", "due_on"),
    [
        ("quarterly", date(2025, 2, 14), "2025-Q1", date(2025, 1, 1), date(2025, 3, 31), date(2025, 4, 30)),
        ("quarterly", date(2025, 6, 30), "2025-Q2", date(2025, 4, 1), date(2025, 6, 30), date(2025, 7, 30)),
        ("quarterly", date(2025, 7, 1), "2025-Q3", date(2025, 7, 1), date(2025, 9, 30), date(2025, 10, 30)),
        # December's quarter is due in January of the next year.
        ("quarterly", date(2025, 12, 31), "2025-Q4", date(2025, 10, 1), date(2025, 12, 31), date(2026, 1, 30)),
        ("semi_annual", date(2024, 6, 30), "2024-H1", date(2024, 1, 1), date(2024, 6, 30), date(2024, 7, 30)),
        ("semi_annual", date(2024, 7, 1), "2024-H2", date(2024, 7, 1), date(2024, 12, 31), date(2025, 1, 30)),
        ("annual", date(2024, 3, 3), "2024", date(2024, 1, 1), date(2024, 12, 31), date(2025, 1, 30)),
    ],
)
def test_the_period_containing_a_day_and_its_due_date(frequency, day, label, start, end, due_on):
    period = period_containing(frequency, day)
    assert (period.label, period.start, period.end, period.due_on) == (label, start, end, due_on)


def test_due_days_count_from_the_period_end_through_a_leap_february():
    assert period_containing("quarterly", date(2023, 12, 1), due_days=60).due_on == date(2024, 2, 29)
    assert period_containing("quarterly", date(2024, 12, 1), due_days=0).due_on == date(2024, 12, 31)


def test_periods_between_cover_every_overlapping_calendar_period_across_years():
    labels = [p.label for p in periods_between("quarterly", date(2024, 5, 2), date(2026, 2, 1))]
    assert labels == ["2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"]


def test_reporting_starts_with_the_period_that_contains_the_start_day():
    periods = reporting_periods("semi_annual", 30, date(2025, 3, 15), date(2024, 1, 1), date(2026, 12, 31))
    assert [(p.label, p.due_on) for p in periods] == [
        ("2025-H1", date(2025, 7, 30)), ("2025-H2", date(2026, 1, 30)),
        ("2026-H1", date(2026, 7, 30)), ("2026-H2", date(2027, 1, 30)),
    ]


@pytest.mark.parametrize("label", ["2025-Q0", "2025-Q5", "2025-H3", "25-Q1", "2025-q1", "2025-M1", "0999"])
def test_labels_that_name_no_period_are_refused(label):
    with pytest.raises(ValueError):
        parse_label(label)


def test_a_label_names_its_period():
    period = parse_label("2025-Q4", due_days=45)
    assert (period.start, period.end, period.due_on) == (date(2025, 10, 1), date(2025, 12, 31), date(2026, 2, 14))
