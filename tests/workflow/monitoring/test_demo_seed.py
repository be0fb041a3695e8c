from datetime import date

import pytest

from workflow.demo.monitoring import previous_quarter_start


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 23), date(2026, 7, 1)),
        (date(2026, 2, 10), date(2025, 10, 1)),
        (date(2026, 1, 1), date(2025, 10, 1)),
        (date(2026, 4, 1), date(2026, 1, 1)),
        (date(2026, 12, 31), date(2026, 7, 1)),
    ],
)
def test_the_demo_chases_reports_from_the_quarter_before_todays(today, expected):
    assert previous_quarter_start(today) == expected
