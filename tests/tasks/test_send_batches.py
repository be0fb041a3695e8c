"""Sending with a real Celery worker on Redis, PostgreSQL and an SMTP server (aiosmtpd): batches of
ids per task, the one-id task that passes enqueued before, one SMTP connection per worker process
kept across tasks and ended with QUIT when the worker stops."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from tasks import jobs
from tasks.app import SEND_BATCH_TASK, SEND_TASK, make_celery
from tasks.jobs import SEND_BATCH, batches
from tests import factories as f
from tests.services import require_redis
from tests.workflow.mail.smtp_server import RecordingHandler, start_server
from workflow.core import clock
from workflow.core.db import unit_of_work
from workflow.core.settings import Settings
from workflow.reminders import Notification
from workflow.scheduler import run_pass
from workflow.scheduler.passes import PassReport


@pytest.mark.parametrize("count", [0, 1, SEND_BATCH - 1, SEND_BATCH, SEND_BATCH + 1, 45, 2 * SEND_BATCH, 1000])
def test_batches_keep_every_id_once_in_order_in_few_near_equal_runs(count):
    ids = list(range(100, 100 + count))
    cut = batches(ids)
    assert [i for batch in cut for i in batch] == ids
    assert all(0 < len(batch) <= SEND_BATCH for batch in cut)
    assert len(cut) == -(-count // SEND_BATCH)
    assert not cut or max(map(len, cut)) - min(map(len, cut)) <= 1


def test_tick_hands_every_due_id_to_a_batch_task_after_the_pass(monkeypatch):
    due = list(range(1, 46))
    published: list[list[int]] = []
    monkeypatch.setattr(jobs, "engine", lambda: None)
    monkeypatch.setattr(jobs, "run_pass", lambda engine, *, now, settings: PassReport(due=due))
    monkeypatch.setattr(jobs, "is_embedded", lambda url: False)
    monkeypatch.setattr(jobs.send_notifications, "delay", published.append)

    assert jobs.tick()["due"] == due
    assert published == [due[:15], due[15:30], due[30:]]


@pytest.fixture
def worker(postgres_url, pg_engine, tmp_path: Path):
    """``continuum worker --concurrency 1`` against a recording SMTP server; yields the engine, the
    server's handler, a Celery client and a function that stops the worker."""
    redis_url = require_redis()
    redis.Redis.from_url(redis_url).flushdb()
    handler = RecordingHandler()
    server = start_server(handler)
    env = {
        **os.environ, "CONTINUUM_DATABASE_URL": postgres_url, "CONTINUUM_BROKER_URL": redis_url,
        "CONTINUUM_RESULT_BACKEND": redis_url, "CONTINUUM_SMTP_HOST": "127.0.0.1",
        "CONTINUUM_SMTP_PORT": str(server.port), "CONTINUUM_DATA_DIR": str(tmp_path / "data"),
    }
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        process = subprocess.Popen([sys.executable, "-m", "cli", "worker", "--concurrency", "1"], env=env,
                                   stdout=log, stderr=subprocess.STDOUT)

    def stop() -> None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    client = make_celery(Settings(_env_file=None, broker_url=redis_url, result_backend=redis_url))
    try:
        yield pg_engine, handler, client, stop
    finally:
        stop()
        server.stop()
        sys.stdout.write(f"--- worker.log\n{log_path.read_text()[-3000:]}\n")


def _due(engine, settings: Settings, count: int) -> list[int]:
    """``count`` coordinators, each due a reminder now (the pass hands them out)."""
    today = clock.today(settings.zone)
    with unit_of_work(engine) as s:
        moi = f.institution(s)
        for n in range(count):
            f.contact(s, moi, ["coordinator"], f"coordinator{n}@example.org", name=f"Coordinator {n}")
        f.strategy(s, moi, period_start=date(2031, 1, 1), period_end=date(2035, 12, 31),
                   drafting_due=today + timedelta(days=1))
    due = run_pass(engine, now=clock.now(), settings=settings.model_copy(update={"send_hour": 0})).due
    assert len(due) == count
    return due


def test_a_worker_sends_batches_and_single_ids_once_each_over_one_connection_and_quits_on_stop(worker, settings):
    engine, handler, client, stop = worker
    ids = _due(engine, settings, 25)

    first = [client.send_task(SEND_BATCH_TASK, args=[batch]) for batch in batches(ids[:24])]
    single = client.send_task(SEND_TASK, args=[ids[24]])  # a message a pass queued before batches
    assert sorted(result.get(timeout=60)["sent"] for result in first) == [12, 12]
    assert single.get(timeout=60) == "sent"
    again = client.send_task(SEND_BATCH_TASK, args=[ids])  # the same ids once more: nothing is sent twice

    assert again.get(timeout=60) == {"skipped": 25}
    assert sorted(e.rcpt_tos[0] for e in handler.envelopes) == sorted(f"coordinator{n}@example.org" for n in range(25))
    assert handler.greetings == 1  # one connection for every email of the worker's pool process
    with unit_of_work(engine) as s:
        assert set(s.scalars(select(Notification.status))) == {"sent"}
    stop()
    assert handler.quits == 1  # closed with QUIT as the pool process shut down
