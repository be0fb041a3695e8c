"""A daily digest delivered once through a real SMTP server after a worker kill: a real Celery
worker on Redis and PostgreSQL claims the digest and is killed (SIGKILL) while it holds the claim,
in the middle of the SMTP conversation; once the claim's lease has passed, the pass hands the
digest out again and a new worker sends it: the server accepts exactly one digest, with the
digest row's Message-ID, and the digest and its members are closed as sent.

The test process never freezes time (it publishes to real workers); it runs the passes itself,
the one after the kill with its clock past the lease (a worker claims a handed-out row at once).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from tasks.app import SEND_BATCH_TASK, make_celery
from tests import factories as f
from tests.processes import show_logs, stop_all
from tests.services import require_redis
from tests.smtp_sink import RecordingHandler, smtp_sink
from workflow.core import clock
from workflow.core.db import unit_of_work
from workflow.core.settings import Settings
from workflow.mail import message_id_for
from workflow.reminders import DIGEST, Notification
from workflow.scheduler import run_pass
from workflow.scheduler.notices import message_key


class StallingHandler(RecordingHandler):
    """Stalls the first recipient until ``release`` is set (the worker is killed meanwhile), then
    refuses it: that conversation never reaches DATA, so nothing of it is accepted."""

    def __init__(self) -> None:
        super().__init__()
        self.stalled = threading.Event()
        self.release = threading.Event()
        self._first = True

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd API)
        if self._first:
            self._first = False
            self.stalled.set()
            await asyncio.to_thread(self.release.wait, 120)  # the fixture sets it on the way out too
            return "451 4.3.0 the client went away"
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


@pytest.fixture
def workers(postgres_url, pg_engine, tmp_path: Path):
    redis_url = require_redis()
    redis.Redis.from_url(redis_url).flushdb()
    handler = StallingHandler()
    with smtp_sink(handler) as (port, inbox):
        env = {
            **os.environ, "CONTINUUM_DATABASE_URL": postgres_url, "CONTINUUM_BROKER_URL": redis_url,
            "CONTINUUM_RESULT_BACKEND": redis_url, "CONTINUUM_SMTP_HOST": "127.0.0.1",
            "CONTINUUM_SMTP_PORT": str(port), "CONTINUUM_DATA_DIR": str(tmp_path / "data"),
            "CONTINUUM_SEND_HOUR": "0",
        }
        started: list[subprocess.Popen[bytes]] = []

        def start(name: str) -> subprocess.Popen[bytes]:
            with (tmp_path / f"{name}.log").open("w") as log:
                process = subprocess.Popen([sys.executable, "-m", "cli", "worker", "--concurrency", "1"], env=env,
                                           stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            started.append(process)
            return process

        client = make_celery(Settings(_env_file=None, broker_url=redis_url, result_backend=redis_url))
        try:
            yield pg_engine, handler, client, start
        finally:
            handler.release.set()
            stop_all(started, timeout=30)
            show_logs(tmp_path.glob("*.log"))


def test_a_daily_digest_is_delivered_once_after_the_worker_holding_its_claim_is_killed(workers, settings):
    engine, handler, client, start = workers
    settings = settings.model_copy(update={"send_hour": 0})
    today = clock.today(settings.zone)
    with unit_of_work(engine) as s:
        moi = f.institution(s)
        person = f.contact(s, moi, ["coordinator"], "digest@example.org", name="Besa Kola", delivery="daily")
        for title, days in (("Strategy on Migration 2031-2035", 1), ("Strategy on Diaspora 2031-2035", 7)):
            f.strategy(s, moi, title=title, period_start=date(2031, 1, 1), period_end=date(2035, 12, 31),
                       drafting_due=today + timedelta(days=days))
    due = run_pass(engine, now=clock.now(), settings=settings).due
    with unit_of_work(engine) as s:
        digest = s.scalars(select(Notification).where(Notification.kind == DIGEST)).one()
    assert due == [digest.id]

    first = start("worker-1")
    client.send_task(SEND_BATCH_TASK, args=[due])
    assert handler.stalled.wait(timeout=60), "the first worker never reached the SMTP server"
    with unit_of_work(engine) as s:  # it holds the claim, mid-conversation
        held = s.get(Notification, digest.id)
        assert (held.status, held.attempts) == ("sending", 1)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=30)
    handler.release.set()

    start("worker-2")
    # Before the claim's lease ends the pass hands nothing out; after it, the digest once.
    assert run_pass(engine, now=clock.now(), settings=settings).due == []
    later = clock.now() + timedelta(minutes=settings.lease_minutes, seconds=1)
    again = run_pass(engine, now=later, settings=settings).due
    assert again == [digest.id]
    result = client.send_task(SEND_BATCH_TASK, args=[again])
    assert result.get(timeout=60) == {"sent": 1}

    (message,) = handler.wait_for(1, timeout=60)
    assert message["To"].addresses[0].addr_spec == "digest@example.org"
    assert message["Subject"].startswith("Continuum: 2 reminders for ")
    assert message["Message-ID"] == message_id_for(message_key(digest), "localhost")
    # Handed the same id once more, the new worker sends nothing: the claim lets one send.
    assert client.send_task(SEND_BATCH_TASK, args=[again]).get(timeout=60) == {"skipped": 1}
    with unit_of_work(engine) as s:
        rows = s.scalars(select(Notification).where(Notification.contact_id == person)
                         .order_by(Notification.id)).all()
    assert [(r.kind, r.status) for r in rows] == [("deadline_reminder", "sent")] * 2 + [(DIGEST, "sent")]
    assert rows[-1].attempts == 2
    assert len(handler.messages) == 1
