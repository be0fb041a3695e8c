"""Reporting periods and due dates across year boundaries."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from workflow.monitoring.plan import periods as calendar
from workflow.monitoring.plan.cycles import expected_of, responsible_for
from workflow.monitoring.plan.periods import (
    MAX_CYCLE_YEARS,
    parse_label,
    period_containing,
    periods_between,
    reporting_periods,
)


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


# Bounded cycles (issue 10, item 5) -------------------------------------------------------------


def _unbounded(frequency, due_days, starts_on, plan_start, plan_end):
    """The definition before the bound: every period overlapping the plan that ends on or after starts_on."""
    return [p for p in periods_between(frequency, plan_start, plan_end, due_days) if p.end >= starts_on]


@pytest.mark.parametrize("frequency", ["quarterly", "semi_annual", "annual"])
@pytest.mark.parametrize(
    ("starts_on", "plan_start", "plan_end"),
    [
        (date(2020, 1, 1), date(2024, 5, 2), date(2026, 11, 15)),  # cycle set before the plan starts
        (date(2025, 3, 15), date(2024, 1, 1), date(2026, 12, 31)),  # mid-period start
        (date(2026, 12, 1), date(2024, 1, 1), date(2026, 11, 15)),  # after the plan's last day, in its last period
        (date(2027, 2, 1), date(2024, 1, 1), date(2026, 11, 15)),  # after the plan: nothing to ask
        (date(2024, 1, 1), date(2024, 1, 1), date(2073, 12, 31)),  # exactly MAX_CYCLE_YEARS
    ],
)
def test_within_the_bound_a_cycle_asks_for_exactly_the_periods_it_always_did(frequency, starts_on, plan_start,
                                                                            plan_end):
    bounded = reporting_periods(frequency, 30, starts_on, plan_start, plan_end)
    assert bounded == _unbounded(frequency, 30, starts_on, plan_start, plan_end)
    for year in range(2023, 2028):
        assert reporting_periods(frequency, 30, starts_on, plan_start, plan_end, year=year) == [
            p for p in bounded if p.end.year == year
        ]


def test_a_cycle_never_asks_for_more_than_its_bound_whatever_the_plan_period():
    periods = reporting_periods("quarterly", 30, date(1900, 1, 1), date(1900, 1, 1), date(2199, 12, 31))
    assert len(periods) == 4 * MAX_CYCLE_YEARS == 200 and periods[-1].label == "1949-Q4"
    later = reporting_periods("quarterly", 30, date(2025, 2, 1), date(1900, 1, 1), date(2199, 12, 31))
    assert (later[0].label, later[-1].label) == ("2025-Q1", "2074-Q4")
    assert reporting_periods("quarterly", 30, date(1900, 1, 1), date(1900, 1, 1), date(2199, 12, 31), year=2100) == []


def test_the_periods_of_one_year_are_found_without_walking_the_others(monkeypatch):
    calls = []
    real = calendar.period_containing
    monkeypatch.setattr(calendar, "period_containing", lambda *a, **k: calls.append(a) or real(*a, **k))
    periods = reporting_periods("quarterly", 30, date(1925, 1, 1), date(1900, 1, 1), date(2199, 12, 31), year=1960)
    assert [p.label for p in periods] == ["1960-Q1", "1960-Q2", "1960-Q3", "1960-Q4"]
    assert len(calls) <= 6


def test_who_is_asked_to_report_is_worked_out_per_institution_as_it_is_per_period():
    def m(institution, start, end, status="on_track"):
        return SimpleNamespace(responsible_institution_id=institution, status=status,
                               planned_start=date.fromisoformat(start), planned_end=date.fromisoformat(end))

    measures = [
        m(1, "2024-02-01", "2024-05-15"), m(1, "2024-05-10", "2024-08-01"), m(1, "2025-01-01", "2025-01-31"),
        m(2, "2024-10-01", "2025-12-31"), m(3, "2024-01-01", "2025-12-31", "cancelled"),
        m(4, "2023-01-01", "2023-12-31"), m(5, "2024-12-31", "2024-12-31"),
    ]
    periods = periods_between("quarterly", date(2024, 1, 1), date(2025, 12, 31))
    expected = [(e.period.label, e.institution_id) for e in expected_of(periods, measures)]
    assert expected == [(p.label, i) for p in periods for i in sorted(responsible_for(measures, p))]
    assert ("2024-Q3", 1) in expected and ("2024-Q4", 1) not in expected and ("2024-Q4", 5) in expected
    assert not any(i in (3, 4) for _, i in expected)
