"""What an operator meets at the terminal: tables that fit it and keep whole titles when piped,
filters that forgive case, a quiet `| head`, names instead of ids, the directory as tables."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from cli.main import main
from cli.table import render_table
from tests.cli.test_strategies_cli import body, cells

LONG = "National Strategy on Migration Governance and its Action Plan 2019-2022"


def test_a_table_fits_the_width_it_is_given_by_cutting_the_title_in_the_middle():
    table = render_table(("id", "title", "area"), [("1", LONG, "migration")], shrink="title", width=50)
    lines = table.splitlines()
    assert max(len(line) for line in lines) <= 50
    assert cells(lines[2])[1].endswith("2019-2022") and "..." in cells(lines[2])[1]


def test_a_wide_terminal_shows_whole_titles():
    table = render_table(("id", "title", "area"), [("1", LONG, "migration")], shrink="title", width=200)
    assert LONG in table


def test_piped_output_keeps_whole_titles(demo_loaded, capsys):
    assert main(["strategies"]) == 0  # capsys is not a terminal
    titles = [cells(row)[1] for row in body(capsys.readouterr().out)]
    assert "National Strategy and Action Plan on the Fight against Trafficking 2014-2017" in titles


def test_the_policy_area_filter_forgives_case(demo_loaded, capsys):
    assert main(["strategies", "--policy-area", "Migration"]) == 0
    rows = body(capsys.readouterr().out)
    assert len(rows) == 4 and all(cells(row)[2] == "migration" for row in rows)
    assert main(["gaps", "--policy-area", "MIGRATION", "--as-of", "2023-06-30"]) == 0
    assert "migration" in capsys.readouterr().out


def test_a_reader_that_goes_away_is_not_an_error(demo_loaded, cli_env):
    env = {**os.environ, "CONTINUUM_DATABASE_URL": cli_env.resolved_database_url}
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "strategies"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # like `| head` that has read enough, before the table is written
    error = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait(timeout=60) == 0, error
    assert "BrokenPipe" not in error and error == ""


def test_tokens_list_names_the_institution(demo_loaded, capsys):
    assert main(["tokens", "create", "--role", "coordinator", "--institution", "Ministry of Interior",
                 "--name", "arta-cli"]) == 0
    capsys.readouterr()
    assert main(["tokens", "list"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if " arta-cli " in f" {line} ")
    assert "Ministry of Interior" in row


def test_institutions_and_contacts_are_listed(demo_loaded, capsys):
    assert main(["institutions"]) == 0
    assert "Ministry of Interior" in capsys.readouterr().out
    assert main(["contacts", "--institution", "ministry of interior"]) == 0
    out = capsys.readouterr().out
    assert "Arta Hoxha" in out and "arta.hoxha@example.org" in out.lower()
    assert main(["contacts", "--institution", "Nowhere"]) == 1
    assert "no institution named 'Nowhere'" in capsys.readouterr().err


def test_dates_on_the_command_line_are_yyyy_mm_dd_and_the_error_says_so(cli_env, capsys):
    for bad in ("20230630", "2023-W26", "30.06.2023", "2023-02-30", "0001-01-01"):
        with pytest.raises(SystemExit) as exit_info:
            main(["gaps", "--as-of", bad])
        assert exit_info.value.code == 2
        error = capsys.readouterr().err
        assert "YYYY-MM-DD" in error or "must lie between 1900-01-01 and 2200-12-31" in error


def test_token_errors_speak_in_command_line_options(demo_loaded, capsys):
    assert main(["tokens", "create", "--role", "coordinator", "--name", "x4"]) == 1
    error = capsys.readouterr().err
    assert "--institution:" in error and "#/" not in error
    coordinator = ["tokens", "create", "--role", "coordinator"]
    assert main([*coordinator, "--name", "x5", "--institution", "Ministry of Interiour"]) == 1
    assert "see `continuum institutions`" in capsys.readouterr().err
    assert main([*coordinator, "--name", "x6", "--institution", "ministry of interior"]) == 0
    assert "acting for Ministry of Interior" in capsys.readouterr().out


def test_choices_forgive_case_and_dashes(demo_loaded, capsys):
    assert main(["strategies", "--stage", "Monitoring"]) == 0
    assert len(body(capsys.readouterr().out)) == 2
    assert main(["gaps", "--as-of", "2023-06-30", "--status", "At-Risk"]) == 0
    assert "at_risk" in capsys.readouterr().out
