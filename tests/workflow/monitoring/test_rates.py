"""The implementation rate on a worked example, progress to target, and timeliness."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from workflow.monitoring.results.rates import (
    ExpectedReport,
    MeasureFacts,
    delivery_by,
    figures_day,
    implementation_rate,
    past_planned_end,
    progress_to_target,
    timeliness,
    year_complete,
)


def test_the_implementation_rate_of_2025_worked_out_by_hand():
    """Seven measures of an action plan; the year is 2025.

    | id | planned            | status      | completed  | in 2025?                                    |
    |  1 | 2025-01..2025-06   | completed   | 2025-05-30 | planned, completed in the year    -> yes    |
    |  2 | 2024-06..2026-12   | on_track    |            | planned, ongoing on schedule      -> yes    |
    |  3 | 2025-03..2025-12   | delayed     |            | planned, behind                   -> no     |
    |  4 | 2025-01..2025-12   | cancelled   |            | planned, cancelled                -> no     |
    |  5 | 2024-01..2024-12   | completed   | 2024-11-01 | not planned in 2025 (ends 2024)   -> out    |
    |  6 | 2025-09..2026-06   | completed   | 2026-02-10 | planned, ran beyond 2025, on time -> yes    |
    |  7 | 2025-01..2025-12   | completed   | 2026-01-15 | planned, due in 2025, finished late -> no   |
    |  8 | 2026-01..2026-12   | not_started |            | not planned in 2025               -> out    |

    Planned: 1, 2, 3, 4, 6, 7 = 6. Implemented: 1 (completed), 2 and 6 (on schedule) = 3.
    Rate: 3 / 6 = 50.0 %.
    """
    measures = [
        MeasureFacts(1, date(2025, 1, 1), date(2025, 6, 30), "completed", date(2025, 5, 30)),
        MeasureFacts(2, date(2024, 6, 1), date(2026, 12, 31), "on_track"),
        MeasureFacts(3, date(2025, 3, 1), date(2025, 12, 31), "delayed"),
        MeasureFacts(4, date(2025, 1, 1), date(2025, 12, 31), "cancelled"),
        MeasureFacts(5, date(2024, 1, 1), date(2024, 12, 31), "completed", date(2024, 11, 1)),
        MeasureFacts(6, date(2025, 9, 1), date(2026, 6, 30), "completed", date(2026, 2, 10)),
        MeasureFacts(7, date(2025, 1, 1), date(2025, 12, 31), "completed", date(2026, 1, 15)),
        MeasureFacts(8, date(2026, 1, 1), date(2026, 12, 31), "not_started"),
    ]
    rate = implementation_rate(measures, 2025)
    assert (rate.planned, rate.completed, rate.on_schedule, rate.cancelled) == (6, 1, 2, 1)
    assert rate.implemented_ids == (1, 2, 6)
    assert rate.not_implemented_ids == (3, 4, 7)
    assert rate.rate_percent == Decimal("50.0")


def test_completing_ahead_of_schedule_counts_in_a_later_planned_year():
    measure = MeasureFacts(1, date(2024, 1, 1), date(2025, 12, 31), "completed", date(2024, 10, 1))
    assert implementation_rate([measure], 2025).rate_percent == Decimal("100.0")


def test_no_planned_measures_means_no_rate_not_zero():
    assert implementation_rate([], 2025).rate_percent is None


def test_the_rate_rounds_half_up_to_one_decimal():
    measures = [
        MeasureFacts(i, date(2025, 1, 1), date(2025, 12, 31), "on_track" if i < 2 else "delayed") for i in range(3)
    ]
    assert implementation_rate(measures, 2025).rate_percent == Decimal("66.7")


@pytest.mark.parametrize(
    ("baseline", "target", "latest", "percent", "state"),
    [
        ("10", "20", "15", "50.0", "in_progress"),
        ("10", "20", "25", "100.0", "achieved"),  # past the target: clamped
        ("10", "20", "5", "0.0", "regressed"),  # worse than the baseline: clamped
        ("7.5", "5", "6.5", "40.0", "in_progress"),  # a decreasing indicator: (6.5-7.5)/(5-7.5)
        ("7.5", "5", "8", "0.0", "regressed"),
        ("7.5", "5", "4.9", "100.0", "achieved"),
        ("0", "3", "1", "33.3", "in_progress"),
        ("0", "3", None, None, "no_data"),
    ],
)
def test_progress_to_target_is_direction_aware_and_clamped(baseline, target, latest, percent, state):
    progress = progress_to_target(Decimal(baseline), Decimal(target), Decimal(latest) if latest else None)
    assert (progress.percent, progress.state) == (Decimal(percent) if percent else None, state)


def test_timeliness_per_institution():
    today = date(2025, 11, 5)
    expected = [
        ExpectedReport(1, "2025-Q1", date(2025, 4, 30), date(2025, 4, 30)),  # on the due day: on time
        ExpectedReport(1, "2025-Q2", date(2025, 7, 30), date(2025, 8, 2)),
        ExpectedReport(1, "2025-Q3", date(2025, 10, 30), None),
        ExpectedReport(2, "2025-Q3", date(2025, 10, 30), date(2025, 10, 1)),
        ExpectedReport(2, "2025-Q4", date(2026, 1, 30), None),
    ]
    first, second = timeliness(expected, today)
    assert (first.institution_id, first.on_time, first.late, first.missing) == (
        1, ["2025-Q1"], ["2025-Q2"], ["2025-Q3"]
    )
    assert (second.on_time, second.missing, second.not_yet_due) == (["2025-Q3"], [], ["2025-Q4"])


# An honest headline (issue 10, item 15): the demo's action plan on 10 February 2026.
DEMO_MEASURES = [
    MeasureFacts(11, date(2024, 6, 1), date(2026, 12, 31), "on_track"),  # 1.1
    MeasureFacts(12, date(2024, 6, 1), date(2024, 12, 31), "completed", date(2024, 11, 15)),  # 1.2
    MeasureFacts(21, date(2024, 9, 1), date(2025, 12, 31), "delayed"),  # 2.1
    MeasureFacts(22, date(2025, 1, 1), date(2025, 6, 30), "not_started"),  # 2.2
    MeasureFacts(31, date(2025, 3, 1), date(2026, 12, 31), "on_track"),  # 3.1
]
FEB_10 = date(2026, 2, 10)


def test_a_running_year_keeps_the_sigma_rate_but_is_to_date_and_its_carried_over_work_stays_in_sight():
    """2026: 1.1 and 3.1 are planned and on track, so SIGMA says 2 of 2 = 100.0 %; 2.1 (delayed)
    and 2.2 (not started) ended in 2025, so SIGMA drops them from 2026. Beside the rate: of the
    3 measures due by 10 February (1.2, 2.1, 2.2) one was delivered, 33.3 %, and 2.1 and 2.2 are
    past their planned end, carried over from before 2026."""
    sigma = implementation_rate(DEMO_MEASURES, 2026)
    assert (sigma.planned, sigma.implemented, sigma.rate_percent) == (2, 2, Decimal("100.0"))
    assert not year_complete(2026, FEB_10) and figures_day(2026, FEB_10) == FEB_10
    due = delivery_by(DEMO_MEASURES, 2026, figures_day(2026, FEB_10))
    assert (due.due, due.delivered, due.rate_percent) == (3, 1, Decimal("33.3"))
    assert due.overdue_ids == (21, 22) and due.carried_over_ids == (21, 22) and due.overdue_cancelled == 0


def test_a_full_year_is_final_and_its_late_measures_are_in_its_own_rate_not_carried_over():
    assert year_complete(2025, FEB_10) and figures_day(2025, FEB_10) == date(2025, 12, 31)
    assert implementation_rate(DEMO_MEASURES, 2025).rate_percent == Decimal("50.0")  # 1.1 and 3.1 of 4: unchanged
    due = delivery_by(DEMO_MEASURES, 2025, date(2025, 12, 31))
    assert (due.due, due.delivered, due.overdue_ids, due.carried_over_ids) == (3, 1, (21, 22), ())


def test_due_by_a_day_counts_a_completion_only_on_or_before_that_day_and_cancelled_work_as_undelivered():
    measures = [
        MeasureFacts(1, date(2024, 1, 1), date(2024, 12, 31), "completed", date(2025, 3, 1)),  # late
        MeasureFacts(2, date(2024, 1, 1), date(2024, 12, 31), "cancelled"),
        MeasureFacts(3, date(2024, 1, 1), date(2025, 12, 31), "completed", date(2024, 6, 1)),  # not due yet
        MeasureFacts(4, date(2024, 1, 1), date(2024, 12, 31), "completed", date(2024, 12, 31)),  # on the day
    ]
    at_year_end = delivery_by(measures, 2024, date(2024, 12, 31))
    assert (at_year_end.due, at_year_end.delivered, at_year_end.overdue_ids) == (3, 1, (1, 2))
    assert at_year_end.overdue_cancelled == 1 and at_year_end.carried_over_ids == ()
    assert delivery_by(measures, 2025, date(2025, 12, 31)).carried_over_ids == (2,)  # 1 was delivered in March
    assert delivery_by([], 2025, date(2025, 12, 31)).rate_percent is None


def test_a_measure_on_its_last_planned_day_is_not_late_yet_during_the_year():
    ends_today = MeasureFacts(7, date(2026, 1, 1), date(2026, 6, 30), "on_track")
    assert not past_planned_end(ends_today, date(2026, 6, 30))
    assert past_planned_end(ends_today, date(2026, 7, 1))
    during = delivery_by([ends_today], 2026, date(2026, 6, 30))
    assert (during.due, during.delivered, during.overdue_ids) == (1, 0, ())
    year_long = MeasureFacts(8, date(2026, 1, 1), date(2026, 12, 31), "on_track")
    at_close = delivery_by([year_long], 2026, date(2026, 12, 31))
    assert at_close.overdue_ids == (8,)
