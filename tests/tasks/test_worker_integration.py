"""The event-driven half for real: a Celery worker and beat on Redis, PostgreSQL, an SMTP server.

The test process never freezes time (it publishes to a real worker). The worker runs with
CONTINUUM_SEND_HOUR=0 so "today's reminders are due" holds at any hour the suite runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from tasks.app import TICK_TASK, make_celery
from tests import factories as f
from tests.processes import show_logs, stop_all
from tests.services import require_redis
from tests.smtp_sink import smtp_sink
from workflow.core import clock
from workflow.core.db import unit_of_work
from workflow.core.settings import Settings
from workflow.reminders.models import Notification

ZONE = Settings(_env_file=None).zone


@pytest.fixture
def stack(postgres_url, pg_engine, tmp_path: Path):
    redis_url = require_redis()
    redis.Redis.from_url(redis_url).flushdb()
    with smtp_sink() as (port, inbox):
        env = {
            **os.environ,
            "CONTINUUM_DATABASE_URL": postgres_url,
            "CONTINUUM_BROKER_URL": redis_url,
            "CONTINUUM_RESULT_BACKEND": redis_url,
            "CONTINUUM_SMTP_HOST": "127.0.0.1",
            "CONTINUUM_SMTP_PORT": str(port),
            "CONTINUUM_DATA_DIR": str(tmp_path / "data"),
            "CONTINUUM_SEND_HOUR": "0",
            "CONTINUUM_TICK_SECONDS": "5",
        }
        logs = tmp_path / "logs"
        logs.mkdir()
        processes = []
        for command in (["worker", "--concurrency", "1"], ["beat"]):
            with (logs / f"{command[0]}.log").open("w") as log:
                processes.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "cli", *command], env=env, stdout=log, stderr=subprocess.STDOUT
                    )
                )
        client = make_celery(Settings(_env_file=None, broker_url=redis_url, result_backend=redis_url))
        try:
            yield pg_engine, inbox, client
        finally:
            stop_all(processes)
            show_logs(logs.iterdir())


def test_a_deadline_due_tomorrow_produces_the_expected_email_once(stack):
    engine, inbox, client = stack
    today = clock.today(ZONE)
    with unit_of_work(engine) as s:
        moi = f.institution(s)
        coordinator = f.contact(s, moi, ["coordinator"], "coord@example.org", language="sq", name="Arta Hoxha")
        f.contact(s, moi, ["escalation"], "chief@example.org")
        strategy = f.strategy(s, moi, period_start=today + timedelta(days=400), period_end=today + timedelta(days=2000),
                              title="National Strategy for Migration 2027-2032", drafting_due=today + timedelta(days=1))

    (message,) = inbox.wait_for(1, timeout=60)  # beat's next pass finds it, the worker sends it
    assert message["To"] == "Arta Hoxha <coord@example.org>"
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert message["Subject"] == (
        f"National Strategy for Migration 2027-2032: afati i hartimit skadon nesër ({tomorrow})"
    )

    # Two more passes, run by the worker itself, find nothing left to send.
    for _ in range(2):
        result = client.send_task(TICK_TASK).get(timeout=60)
        assert result["due"] == []
    with unit_of_work(engine) as s:
        rows = s.scalars(select(Notification)).all()
    assert [(r.contact_id, r.strategy_id, r.offset_days, r.status) for r in rows] == [
        (coordinator, strategy.id, 1, "sent")
    ]
    assert len(inbox.messages) == 1
