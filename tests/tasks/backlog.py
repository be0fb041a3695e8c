"""A send backlog behind a slow SMTP server, with real Celery processes: the scenario that starved
the scheduler (issue #10, item 10), shared by tests/tasks/test_scheduler_backlog.py and
benchmarks/scheduler_backlog.py.

``N`` coordinators of one ministry are each due a reminder at once; an aiosmtpd server takes
``delay`` seconds over every message; ``continuum worker`` and ``continuum beat`` run as they
would be deployed, from the code in ``code_root`` (the working tree, or an exported older
revision for a before/after comparison), on PostgreSQL and Redis. What the passes did is read
back from Celery's result backend (every pass returns the ids it handed out; an expired pass is
stored as REVOKED); the send queue's length is sampled while the backlog drains.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import redis
from sqlalchemy import Engine

from tests import factories as f
from tests.processes import stop_all
from tests.smtp_sink import RecordingHandler, smtp_sink
from workflow.core.db import unit_of_work

SEND_QUEUE = "celery"  # the Redis list kombu keeps the send tasks in (Celery's default queue)
TICK_TASK = "continuum.tick"


@dataclass
class SlowHandler(RecordingHandler):
    """Accepts every message, ``delay`` seconds after its data arrived (each connection on its own)."""

    delay: float = 0.0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


@dataclass(frozen=True)
class PassRecord:
    status: str  # SUCCESS, or REVOKED for a pass discarded as expired
    done_at: datetime
    due: tuple[int, ...]


@dataclass
class Figures:
    rows: int
    tick_seconds: float
    drain_seconds: float  # from the first pass to the last email accepted
    passes_run: int  # passes that ran while the backlog drained (first pass to last email)
    passes_expired: int  # over the whole run
    passes_waiting: int  # still in a queue when the run stopped (never ran)
    max_gap_seconds: float  # the longest time between two passes that ran, within the drain
    enqueued: Counter[int] = field(default_factory=Counter)  # row id -> times a pass handed it out
    peak_queue: int = 0  # the send queue's longest length
    emails: int = 0
    duplicate_emails: int = 0

    @property
    def most_enqueued(self) -> int:
        return max(self.enqueued.values(), default=0)

    @property
    def total_enqueued(self) -> int:
        return sum(self.enqueued.values())

    def table(self) -> dict[str, str]:
        return {
            "rows due at once": str(self.rows),
            "drain time (first pass to last email)": f"{self.drain_seconds:.1f} s",
            "passes expected in the drain (drain / tick)": f"{self.drain_seconds / self.tick_seconds:.1f}",
            "passes run in the drain": str(self.passes_run),
            "passes discarded as expired (whole run)": str(self.passes_expired),
            "passes still queued at the end (never ran)": str(self.passes_waiting),
            "longest gap between passes": f"{self.max_gap_seconds:.1f} s (tick {self.tick_seconds:g} s)",
            "send tasks enqueued (for the rows)": f"{self.total_enqueued} ({len(self.enqueued)})",
            "most times one row was enqueued": str(self.most_enqueued),
            "send queue peak length": str(self.peak_queue),
            "emails accepted (duplicates)": f"{self.emails} ({self.duplicate_emails})",
        }


def seed(engine: Engine, rows: int, today: date) -> None:
    """``rows`` coordinators whose strategy's drafting is due tomorrow: ``rows`` reminders due now."""
    with unit_of_work(engine) as s:
        moi = f.institution(s, "Ministry of Interior")
        for i in range(rows):
            f.contact(s, moi, ["coordinator"], f"coordinator{i}@example.org", name=f"Coordinator {i}")
        f.strategy(s, moi, title="National Strategy for Migration 2031-2035", period_start=date(2031, 1, 1),
                   period_end=date(2035, 12, 31), drafting_due=today + timedelta(days=1))


def pass_records(client: redis.Redis) -> list[PassRecord]:
    """Every scheduler pass the result backend knows of, by completion time."""
    found = []
    for key in client.scan_iter("celery-task-meta-*", count=1000):
        raw = client.get(key)
        if raw is None:
            continue
        meta: dict[str, Any] = json.loads(raw)
        result, status = meta.get("result"), meta.get("status")
        is_pass = isinstance(result, dict) and "due" in result and status == "SUCCESS"
        if not (is_pass or status == "REVOKED"):  # only passes expire: sends carry no expiry
            continue
        due = tuple(result["due"]) if is_pass else ()
        found.append(PassRecord(status, datetime.fromisoformat(meta["date_done"]), due))
    return sorted(found, key=lambda p: p.done_at)


def waiting_passes(client: redis.Redis) -> int:
    """Scheduler passes published but never run: still in a queue, or reserved by a worker."""
    messages: list[bytes] = list(client.hvals("unacked"))
    for key in client.scan_iter(count=1000):
        if client.type(key) == b"list" and not key.startswith(b"_kombu"):
            messages += client.lrange(key, 0, -1)
    count = 0
    for raw in messages:
        try:
            message = json.loads(raw)
        except ValueError:
            continue
        if isinstance(message, list):  # kombu's unacked entries are [message, exchange, routing key]
            message = message[0]
        if isinstance(message, dict) and message.get("headers", {}).get("task") == TICK_TASK:
            count += 1
    return count


class QueueSampler(threading.Thread):
    """Samples the send queue's length until stopped; ``peak`` is the longest seen."""

    def __init__(self, client: redis.Redis, key: str = SEND_QUEUE) -> None:
        super().__init__(name="queue-sampler", daemon=True)
        self.client, self.key, self.peak = client, key, 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(0.1):
            self.peak = max(self.peak, int(self.client.llen(self.key)))

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=5)


@contextmanager
def processes(commands: list[list[str]], env: dict[str, str], logs: Path, code_root: Path) -> Iterator[None]:
    """Run ``python -m cli COMMAND`` for each command from ``code_root``; stop them all afterwards."""
    logs.mkdir(parents=True, exist_ok=True)
    started = []
    environment = {**os.environ, **env, "PYTHONPATH": str(code_root)}
    for command in commands:
        with (logs / f"{command[0]}.log").open("w") as log:
            started.append(subprocess.Popen([sys.executable, "-m", "cli", *command], cwd=code_root,
                                            env=environment, stdout=log, stderr=subprocess.STDOUT))
    try:
        yield
    finally:
        stop_all(started, timeout=30)


def run_backlog(
    *,
    engine: Engine,
    database_url: str,
    redis_url: str,
    rows: int,
    delay: float,
    tick_seconds: int,
    concurrency: int,
    code_root: Path,
    work_dir: Path,
    today: date,
    timeout: float,
) -> Figures:
    """Seed ``rows`` due reminders, start a worker and beat, wait until every email is accepted."""
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    seed(engine, rows, today)
    handler = SlowHandler(delay=delay)
    with smtp_sink(handler) as (port, inbox):
        env = {
            "CONTINUUM_DATABASE_URL": database_url,
            "CONTINUUM_BROKER_URL": redis_url,
            "CONTINUUM_RESULT_BACKEND": redis_url,
            "CONTINUUM_SMTP_HOST": "127.0.0.1",
            "CONTINUUM_SMTP_PORT": str(port),
            "CONTINUUM_DATA_DIR": str(work_dir / "data"),
            "CONTINUUM_SEND_HOUR": "0",  # today's reminders are due at any hour this runs
            "CONTINUUM_TICK_SECONDS": str(tick_seconds),
        }
        sampler = QueueSampler(client)
        sampler.start()
        try:
            with processes([["worker", "--concurrency", str(concurrency)], ["beat"]], env, work_dir / "logs",
                           code_root):
                inbox.wait_for(rows, timeout=timeout)
                last_email = datetime.now().astimezone()
        finally:
            sampler.stop()
        messages = list(inbox.messages)
    passes, waiting = pass_records(client), waiting_passes(client)
    ran = [p for p in passes if p.status == "SUCCESS"]
    first = ran[0].done_at if ran else last_email
    in_drain = [p.done_at for p in ran if p.done_at <= last_email]
    # The gap after the last pass of the drain runs to the last email: a pass starved until the
    # end shows as one long gap, not as none.
    edges = [*in_drain, last_email]
    gaps = [(b - a).total_seconds() for a, b in zip(edges, edges[1:], strict=False)]
    enqueued: Counter[int] = Counter(i for p in ran for i in p.due)
    ids = Counter(m["Message-ID"] for m in messages)
    return Figures(
        rows=rows,
        tick_seconds=tick_seconds,
        drain_seconds=(last_email - first).total_seconds(),
        passes_run=len(in_drain),
        passes_expired=sum(p.status == "REVOKED" for p in passes),
        passes_waiting=waiting,
        max_gap_seconds=max(gaps, default=0.0),
        enqueued=enqueued,
        peak_queue=sampler.peak,
        emails=len(messages),
        duplicate_emails=sum(n - 1 for n in ids.values()),
    )
