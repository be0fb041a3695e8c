"""`continuum demo` keeps using the admin token `make run` printed instead of minting another."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from cli.main import main
from workflow.access import ApiToken, issue_local_admin_token, verify_token
from workflow.core import unit_of_work


def test_demo_reuses_the_running_local_admin_token(cli_env, engine, capsys):
    with unit_of_work(engine) as session:
        printed = issue_local_admin_token(session, datetime.now(UTC))
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "export TOKEN=" not in out and "still works" in out
    with unit_of_work(engine) as session:
        assert verify_token(session, printed, now=datetime.now(UTC))
        assert len(list(session.scalars(select(ApiToken)))) == 1
