"""The implementation rate on a worked example, progress to target, and timeliness."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from workflow.monitoring.results.rates import (
    ExpectedReport,
    MeasureFacts,
    implementation_rate,
    progress_to_target,
    timeliness,
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
