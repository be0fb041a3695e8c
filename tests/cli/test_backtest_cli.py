"""`continuum backtest`: the demo portfolio's lapses replayed month by month, printed as a table with
a summary line, the same figures as `GET /gaps/backtest`."""

from __future__ import annotations

from datetime import date

import pytest

from cli.main import main
from workflow.core import clock
from workflow.core.db import unit_of_work
from workflow.demo import load_portfolio, read_portfolio


@pytest.fixture
def demo(cli_env, engine) -> None:
    with unit_of_work(engine) as s:
        load_portfolio(s, read_portfolio(), now=clock.now(), today=date(2026, 6, 1), settings=cli_env)


def test_backtest_prints_each_lapse_with_its_first_warning_and_forecast_errors(demo, capsys):
    assert main(["backtest", "--policy-area", "migration", "--from", "2008-01", "--to", "2024-12"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Backtest 2008-01 to 2024-12: each month judged with what was known then")
    [row] = [line for line in out if "2019-2022" in line]
    assert "2022-12-31" in row and " gap " in row and "2021-01" in row and "pipeline" in row
    assert "2024-05-02" in row
    assert out[-1].startswith("2 lapses, 2 into a gap; 2 of 2 gaps flagged before the lapse")


def test_backtest_refuses_a_bad_month_in_one_line(cli_env, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["backtest", "--from", "2024-13"])
    assert exit_.value.code == 2
    assert "expected YYYY-MM" in capsys.readouterr().err
