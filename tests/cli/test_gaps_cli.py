"""`continuum gaps`: the demo's gaps as an operator reads them."""

from __future__ import annotations

import pytest

from cli.main import main


def _line(out: str, title_part: str) -> str:
    (line,) = [candidate for candidate in out.splitlines() if title_part in candidate]
    return line


def test_as_of_mid_2023_the_migration_gap_that_opened_on_2023_01_01_shows(demo_loaded, capsys):
    assert main(["gaps", "--as-of", "2023-06-30"]) == 0
    out = capsys.readouterr().out
    migration = _line(out, "2019-2022").split()
    assert migration[-10:-6] == ["migration", "strategy", "2022-12-31", "gap"] and migration[-1] == "181"
    # its successor, in drafting since October 2022: approval forecast at the median, and its range
    assert migration[-5:-1] == ["drafting", "2024-01-29", "(2023-11-29..2024-12-09,", "mixed)"]
    assert out.startswith("Policy gaps as of 2023-06-30")


def test_filters_by_status_and_area(demo_loaded, capsys):
    assert main(["gaps", "--as-of", "2023-06-30", "--policy-area", "migration", "--status", "gap"]) == 0
    out = capsys.readouterr().out
    assert "2019-2022" in out and "diaspora" not in out and out.strip().endswith("1 gap")


def test_on_a_day_before_the_gap_the_strategy_was_in_force(demo_loaded, capsys):
    assert main(["gaps", "--as-of", "2022-06-30", "--policy-area", "migration"]) == 0
    assert _line(capsys.readouterr().out, "2019-2022").split()[-4] == "at_risk"


def test_a_malformed_date_is_a_usage_error(cli_env, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["gaps", "--as-of", "yesterday"])
    assert exit_info.value.code == 2
