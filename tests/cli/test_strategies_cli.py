"""`continuum strategies`: the table, its filters and its refusals."""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

import pytest

from cli.main import main
from cli.strategies import lapses, period
from cli.table import truncate


def body(out: str) -> list[str]:
    """The table's data rows (without the header and its rule, nor the legend after a blank line)."""
    lines = out.strip().split("\n\n")[0].splitlines()
    assert lines[0].split()[:3] == ["id", "title", "area"]
    return lines[2:]


def test_an_empty_database_says_how_to_get_data(cli_env, engine, capsys):
    assert main(["strategies"]) == 0
    assert "continuum demo" in capsys.readouterr().out


def cells(row: str) -> list[str]:
    return re.split(r"\s{2,}", row.strip())


def test_the_table_lists_every_strategy_grouped_by_area(demo_loaded, capsys):
    assert main(["strategies"]) == 0

    rows = [cells(row) for row in body(capsys.readouterr().out)]
    assert len(rows) == 12
    areas = [row[2] for row in rows]
    assert areas == sorted(areas)
    migration = [row for row in rows if row[2] == "migration"]
    assert [row[5] for row in migration] == ["2005-2010", "2019-2022", "2024-2030", "2024-2026"]
    assert migration[1][4:] == ["expiry", "2019-2022", "2019-06-19", "2022-12-31"]
    assert migration[3][3:5] == ["action_plan", "monitoring"]


def test_the_table_says_which_facts_are_uncertain_and_which_plans_stand_alone(demo_loaded, capsys):
    assert main(["strategies", "--policy-area", "anti-trafficking"]) == 0

    out = capsys.readouterr().out
    rows = {row[1]: row for row in (cells(line) for line in body(out))}
    plan = rows["National Action Plan on the Fight against Trafficking 2021-2023"]
    assert plan[3] == "action_plan (standalone)"
    assert plan[6] == "2020-11-10, act number unknown"  # dated by the source, its number not found
    assert rows["National Action Plan on the Fight against Trafficking 2024-2025"][6] == (
        "~2024-01-01, act number unknown"  # adoption date unknown: assumed, approximate
    )
    assert rows["National Strategy and Action Plan on the Fight against Trafficking 2014-2017"][3] == "strategy"
    assert out.rstrip().endswith("~ the date is approximate")


def test_filters_narrow_by_policy_area_and_stage(demo_loaded, capsys):
    assert main(["strategies", "--policy-area", "diaspora"]) == 0
    rows = body(capsys.readouterr().out)
    assert len(rows) == 2
    assert rows[0].endswith("2020-12-31 superseded")

    assert main(["strategies", "--stage", "monitoring"]) == 0
    rows = body(capsys.readouterr().out)
    assert len(rows) == 2 and all("monitoring" in row for row in rows)

    assert main(["strategies", "--policy-area", "fisheries"]) == 0
    assert capsys.readouterr().out.strip() == "no strategies match these filters"


@pytest.mark.parametrize("argv", [["--stage", "lapsed"], ["--policy-area", "Migration Policy"]])
def test_bad_filters_are_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["strategies", *argv])
    assert exit_info.value.code == 2


def test_an_unmigrated_database_is_refused(cli_env, capsys):
    assert main(["strategies"]) == 1
    assert "run `continuum migrate` first" in capsys.readouterr().err


def test_truncation_keeps_the_years_that_tell_successors_apart():
    title = "National Action Plan on the Fight against Trafficking 2021-2023"
    short = truncate(title, 44)
    assert len(short) == 44 and short.endswith("2021-2023") and "..." in short
    assert truncate("Short title", 44) == "Short title"


def test_period_and_lapse_columns():
    expired_early = SimpleNamespace(
        period_start=date(2018, 1, 1), period_end=date(2024, 12, 31),
        expired_on=date(2021, 1, 1), expiry_reason="superseded",
    )
    assert period(expired_early) == "2018-2024"
    assert lapses(expired_early) == "2020-12-31 superseded"
    running = SimpleNamespace(
        period_start=date(2024, 3, 1), period_end=date(2030, 6, 30), expired_on=None, expiry_reason=None,
    )
    assert period(running) == "2024-03-01..2030-06-30"
    assert lapses(running) == "2030-06-30"
