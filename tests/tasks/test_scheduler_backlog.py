"""The scheduler keeps its beat behind a send backlog, and hands each due row to the queue once.

Real processes (``continuum worker`` and ``continuum beat``), PostgreSQL, Redis and an SMTP
server that takes 0.75 s over every message: 40 reminders due at once keep one worker process
busy for about 30 s, six ticks. The passes must run every tick all the same (none discarded as
expired) and none may hand a row out again while it waits in the queue.
benchmarks/scheduler_backlog.py runs the same scenario at the issue's size, with figures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.services import require_redis
from tests.tasks.backlog import run_backlog
from workflow.core import clock
from workflow.core.settings import Settings

REPO = Path(__file__).resolve().parents[2]
ROWS, DELAY, TICK = 40, 0.75, 5


@pytest.mark.redis
def test_passes_run_every_tick_behind_a_slow_backlog_and_each_row_is_enqueued_once(
    postgres_url, pg_engine, tmp_path
):
    figures = run_backlog(
        engine=pg_engine, database_url=postgres_url, redis_url=require_redis(), rows=ROWS, delay=DELAY,
        tick_seconds=TICK, concurrency=1, code_root=REPO, work_dir=tmp_path,
        today=clock.today(Settings(_env_file=None).zone), timeout=180,
    )
    shown = "\n".join(f"{k}: {v}" for k, v in figures.table().items())
    for log in sorted((tmp_path / "logs").iterdir()):
        print(f"--- {log.name}\n{log.read_text()[-3000:]}")
    print(shown)

    assert figures.drain_seconds >= 4 * TICK, f"the backlog drained too fast to show anything:\n{shown}"
    assert figures.passes_expired == 0 and figures.passes_waiting <= 1, shown  # one may be just published
    assert figures.max_gap_seconds <= 2 * TICK, shown
    assert figures.passes_run >= figures.drain_seconds / TICK - 1, shown
    assert len(figures.enqueued) == ROWS and figures.most_enqueued == 1, shown
    assert (figures.emails, figures.duplicate_emails) == (ROWS, 0), shown
