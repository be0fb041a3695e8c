"""`continuum tick`: one pass and its sending, in-process, for cron-only deployments."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from cli.main import main
from tests import factories as f
from tests.smtp_sink import smtp_sink
from workflow.core import clock
from workflow.core.db import unit_of_work
from workflow.core.settings import get_settings
from workflow.reminders.models import Notification


@pytest.fixture
def tick_env(monkeypatch, settings, engine):
    with smtp_sink() as (port, inbox):
        monkeypatch.setenv("CONTINUUM_DATABASE_URL", settings.resolved_database_url)
        monkeypatch.setenv("CONTINUUM_DATA_DIR", str(settings.data_dir))
        monkeypatch.setenv("CONTINUUM_SMTP_PORT", str(port))
        monkeypatch.setenv("CONTINUUM_SEND_HOUR", "0")  # today's reminders are due at any hour the test runs
        get_settings.cache_clear()
        yield engine, inbox
        get_settings.cache_clear()


def _strategy_due(engine, due: date) -> None:
    with unit_of_work(engine) as s:
        moi = f.institution(s)
        f.contact(s, moi, ["coordinator"], "coord@example.org")
        f.strategy(s, moi, period_start=due + timedelta(days=400), period_end=due + timedelta(days=2000),
                   drafting_due=due)


def test_tick_sends_what_is_due_and_a_second_tick_sends_nothing(tick_env, capsys):
    engine, inbox = tick_env
    _strategy_due(engine, clock.today(get_settings().zone) + timedelta(days=1))

    assert main(["tick"]) == 0
    assert "1 sent" in capsys.readouterr().out
    assert main(["tick"]) == 0
    assert "nothing to send" in capsys.readouterr().out

    (message,) = inbox.wait_for(1)
    assert "due tomorrow" in message["Subject"]
    assert len(inbox.messages) == 1


def test_tick_as_of_a_date_acts_as_on_that_day(tick_env, capsys):
    engine, inbox = tick_env
    _strategy_due(engine, date(2031, 3, 31))

    assert main(["tick", "--as-of", "2031-03-01"]) == 0  # 30 days before
    with unit_of_work(engine) as s:
        (row,) = s.scalars(select(Notification)).all()
    assert (row.offset_days, row.status) == (30, "sent")
    assert "due in 30 days" in inbox.wait_for(1)[0]["Subject"]


def test_tick_reports_undelivered_email_with_exit_code_1(tick_env, monkeypatch, capsys):
    from tests.smtp_sink import free_port

    engine, _ = tick_env
    monkeypatch.setenv("CONTINUUM_SMTP_PORT", str(free_port()))
    get_settings.cache_clear()
    _strategy_due(engine, clock.today(get_settings().zone) + timedelta(days=1))
    assert main(["tick"]) == 1
    assert "not delivered" in capsys.readouterr().err


def test_tick_rejects_a_malformed_date(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["tick", "--as-of", "31/03/2031"])
    assert exit_info.value.code == 2
