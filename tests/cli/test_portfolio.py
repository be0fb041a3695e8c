"""`continuum import FILE` and `continuum export FILE`: one-line summaries, every refused row named
by its key and field on stderr with exit code 1, `-` for standard input and output."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cli.main import main
from tests.workflow.portfolio.builders import document, lapsed, many
from workflow.core.db import new_session
from workflow.core.settings import get_settings
from workflow.lifecycle import Strategy

DEMO_FILE = Path(__file__).parents[2] / "workflow" / "demo" / "portfolio.json"


def strategy_count(engine) -> int:
    with new_session(engine) as session:
        return session.scalar(select(func.count()).select_from(Strategy)) or 0


def test_import_refuses_an_unmigrated_database_in_one_line(cli_env, capsys):
    assert main(["import", str(DEMO_FILE)]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and err.startswith("continuum import: the database") and "continuum migrate" in err


def test_import_the_demo_file_then_again_says_there_is_nothing_to_import(cli_env, engine, capsys):
    assert main(["import", str(DEMO_FILE)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("imported 5 institutions, 10 contacts, 12 strategies (48 stage changes, 0 revisions, "
                          "18 consultation records)")
    assert len(out.strip().splitlines()) == 1

    assert main(["import", str(DEMO_FILE)]) == 0
    assert capsys.readouterr().out == ("nothing to import: every row is in the database already "
                                       "(5 institutions, 10 contacts, 12 strategies)\n")
    assert strategy_count(engine) == 12


def test_a_refused_file_names_every_row_key_and_field_and_writes_nothing(cli_env, engine, tmp_path, capsys):
    doc = document([lapsed("a", 2000, 2004), lapsed("b", 2005, 2009, predecessor="a")])
    doc["strategies"][1]["history"][2]["effective_on"] = "2005-02-30"
    doc["strategies"][0]["kind"] = "plan"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))

    assert main(["import", str(path)]) == 1

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"continuum import: {path}: 2 errors in the portfolio file; nothing was imported",
        "  strategies[0] (key a).kind: Input should be 'strategy' or 'action_plan'",
        "  strategies[1] (key b).history[2].effective_on: must be a date as YYYY-MM-DD: 2005-02-30 is not a day of "
        "the calendar",
    ]
    assert strategy_count(engine) == 0


def test_at_most_fifty_errors_are_shown(cli_env, engine, tmp_path, capsys):
    doc = many(60)
    for row in doc["strategies"]:
        row["lead_institution"] = "Nobody"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))

    assert main(["import", str(path)]) == 1

    lines = capsys.readouterr().err.splitlines()
    assert lines[0].endswith(": 60 errors in the portfolio file; nothing was imported")
    assert len(lines) == 1 + 50 + 1 and lines[-1] == "  ... and 10 more"


def test_a_missing_file_is_one_line(cli_env, engine, capsys):
    assert main(["import", "nowhere.json"]) == 1
    assert capsys.readouterr().err == "continuum import: cannot read nowhere.json: No such file or directory\n"


def test_export_to_a_file_then_import_into_an_empty_database_round_trips(
    cli_env, engine, tmp_path, capsys, monkeypatch: pytest.MonkeyPatch, migrated_sqlite_template
):
    assert main(["demo"]) == 0
    capsys.readouterr()
    first = tmp_path / "portfolio.json"
    assert main(["export", str(first)]) == 0
    assert capsys.readouterr().out == (f"exported 5 institutions, 10 contacts, 12 strategies (48 stage changes, "
                                       f"0 revisions) to {first}\n")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".portfolio")] == []  # no partial file left

    other = tmp_path / "other.db"
    shutil.copy(migrated_sqlite_template, other)
    monkeypatch.setenv("CONTINUUM_DATABASE_URL", f"sqlite:///{other}")
    get_settings.cache_clear()
    assert main(["import", str(first)]) == 0
    capsys.readouterr()
    second = tmp_path / "again.json"
    assert main(["export", str(second)]) == 0
    assert second.read_text() == first.read_text()


def test_dash_is_standard_input_and_output(cli_env, engine, capsys, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(DEMO_FILE.read_bytes())))
    assert main(["import", "-"]) == 0
    capsys.readouterr()

    assert main(["export", "-"]) == 0
    captured = capsys.readouterr()
    assert len(json.loads(captured.out)["strategies"]) == 12
    assert captured.err.startswith("exported 5 institutions, 10 contacts, 12 strategies")


def test_export_into_a_directory_that_does_not_exist_is_one_line(cli_env, engine, capsys):
    assert main(["export", "no/such/dir/portfolio.json"]) == 1
    assert capsys.readouterr().err == ("continuum export: cannot write no/such/dir/portfolio.json: "
                                       "no directory 'no/such/dir'\n")
