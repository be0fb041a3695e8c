"""`continuum dev` with a port taken: one line naming the port and the variable to change, and
nothing started or minted before it (no banner, no token)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cli.main import main
from tests.smtp_sink import free_port
from workflow.access import ApiToken
from workflow.core import new_session


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def _tokens(engine) -> int:
    with new_session(engine) as session:
        return session.scalar(select(func.count()).select_from(ApiToken)) or 0


@pytest.mark.parametrize(
    ("which", "variable", "option"), [("api", "PORT", "--port"), ("smtp", "SMTP_PORT", "--smtp-port")]
)
def test_a_busy_port_is_one_line_naming_it_and_the_variable(cli_env, engine, busy_port, capsys, which, variable,
                                                            option):
    api_port, smtp_port = (busy_port, free_port()) if which == "api" else (free_port(), busy_port)
    assert main(["dev", "--port", str(api_port), "--smtp-port", str(smtp_port)]) == 1
    captured = capsys.readouterr()
    error = captured.err.strip()
    assert "\n" not in error
    assert f"port {busy_port} " in error and f"{variable}=<port> make run" in error and option in error
    assert "TOKEN" not in captured.out and "Continuum is running" not in captured.out
    assert _tokens(engine) == 0


def test_the_makefile_has_a_variable_for_every_port():
    makefile = (Path(__file__).parents[2] / "Makefile").read_text(encoding="utf-8")
    assert "PORT ?= 8000" in " ".join(makefile.split()) and "SMTP_PORT ?= 8025" in makefile
    assert "--port $(PORT) --smtp-port $(SMTP_PORT)" in makefile


def test_a_second_launcher_on_the_same_data_directory_is_refused(cli_env, engine, capsys):
    from cli.dev import _hold_data_dir

    data_dir = cli_env.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    first = _hold_data_dir(data_dir)
    try:
        assert main(["dev", "--port", str(free_port()), "--smtp-port", str(free_port())]) == 1
        error = capsys.readouterr().err
        assert "another `continuum dev`" in error and "DATA_DIR=<dir> make run" in error
        assert _tokens(engine) == 0
    finally:
        first.close()


def test_the_quick_start_token_name_is_reserved(client):
    refused = client.post("/tokens", json={"name": "local-admin-20260101-000000", "role": "admin"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["pointer"] == "#/name"
