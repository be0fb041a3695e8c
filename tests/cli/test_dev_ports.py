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
