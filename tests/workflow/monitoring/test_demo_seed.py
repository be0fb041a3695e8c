from datetime import UTC, date, datetime

import pytest

from workflow.core.settings import Settings
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


@pytest.mark.parametrize("today", [date(2026, 12, 1), date(2027, 4, 15), date(2030, 1, 2)])
def test_the_demo_plan_has_a_period_to_report_on_whenever_it_is_loaded(session, today):
    """The README reports on the demo plan's first period: it must exist after the plan's end too."""
    import freezegun

    from workflow.demo import load_portfolio, read_portfolio, seed_demo_monitoring
    from workflow.lifecycle import get_strategy
    from workflow.monitoring.plan.cycles import get_cycle, periods_of

    now = datetime(today.year, today.month, today.day, 9, tzinfo=UTC)
    with freezegun.freeze_time(now):
        load_portfolio(session, read_portfolio(), now=now, today=today, settings=Settings(_env_file=None))
        seeded = seed_demo_monitoring(session, now=now, today=today)
        plan = get_strategy(session, seeded.plan_id)
        assert periods_of(plan, get_cycle(session, seeded.plan_id)), f"no period to report on when loaded on {today}"
