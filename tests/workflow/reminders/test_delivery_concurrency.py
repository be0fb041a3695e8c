"""Sending under contention, on real PostgreSQL and a real SMTP server (no Celery needed):
two scheduler passes at the same moment, and a worker that dies after claiming a row."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests import factories as f
from tests.smtp_sink import smtp_sink
from workflow.core.db import unit_of_work
from workflow.core.settings import Settings
from workflow.mail import SmtpTransport
from workflow.reminders.delivery import claim, deliver
from workflow.reminders.models import Notification
from workflow.scheduler import source_for
from workflow.scheduler.notices import compose_for
from workflow.scheduler.passes import run_pass

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # 10:00 in Tirane


@pytest.fixture
def mail(pg_engine):
    with smtp_sink() as (port, inbox):
        settings = Settings(_env_file=None, smtp_host="127.0.0.1", smtp_port=port, lease_minutes=10)
        yield settings, inbox


def _strategy_due_in_a_week(engine) -> None:
    with unit_of_work(engine) as s:
        moi = f.institution(s)
        f.contact(s, moi, ["coordinator"], "one@example.org")
        f.contact(s, moi, ["coordinator"], "two@example.org", name="Besa Kola")
        f.strategy(s, moi, period_start=date(2027, 1, 1), period_end=date(2030, 12, 31), drafting_due=date(2026, 6, 8))


def _in_parallel(count: int, work) -> list:
    barrier, results, errors = threading.Barrier(count), [None] * count, []

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work()
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


def test_two_passes_and_two_senders_at_the_same_moment_send_each_email_once(pg_engine, mail):
    settings, inbox = mail
    _strategy_due_in_a_week(pg_engine)

    reports = _in_parallel(2, lambda: run_pass(pg_engine, now=NOW, settings=settings))
    assert sum(r.recorded for r in reports) == 2  # one row per coordinator, whichever pass won
    due = reports[0].due + reports[1].due
    with unit_of_work(pg_engine) as s:
        assert sorted(due) == sorted(s.scalars(select(Notification.id)))  # each row handed out by one pass

    transport, compose = SmtpTransport(settings), compose_for(settings)
    outcomes = _in_parallel(
        4,
        lambda: [
            deliver(
                pg_engine, i, source_for=source_for, clock=lambda: NOW, transport=transport, compose=compose,
                settings=settings,
            ).outcome
            for i in due
        ],
    )
    assert sorted(o for batch in outcomes for o in batch) == ["sent", "sent"] + ["skipped"] * 6
    assert sorted(m["To"].addresses[0].addr_spec for m in inbox.wait_for(2)) == ["one@example.org", "two@example.org"]
    with unit_of_work(pg_engine) as s:
        assert [r.status for r in s.scalars(select(Notification))] == ["sent", "sent"]
    assert len(inbox.messages) == 2


def test_a_row_claimed_by_a_worker_that_died_is_sent_after_the_lease_once(pg_engine, mail):
    settings, inbox = mail
    _strategy_due_in_a_week(pg_engine)
    report = run_pass(pg_engine, now=NOW, settings=settings)
    victim = report.due[0]
    with unit_of_work(pg_engine) as s:  # the worker claims, commits, and is killed before sending
        assert claim(s, victim, "dead-worker", now=NOW, lease=timedelta(minutes=10)) is not None

    transport, compose = SmtpTransport(settings), compose_for(settings)

    def attempt(at: datetime) -> str:
        return deliver(
            pg_engine, victim, source_for=source_for, clock=lambda: at, transport=transport, compose=compose,
            settings=settings,
        ).outcome

    assert attempt(NOW + timedelta(minutes=9)) == "skipped"
    # Neither the claimed row nor the other one, still queued, is handed out again before its lease ends.
    assert run_pass(pg_engine, now=NOW + timedelta(minutes=9), settings=settings).due == []
    assert sorted(run_pass(pg_engine, now=NOW + timedelta(minutes=10), settings=settings).due) == sorted(report.due)
    assert attempt(NOW + timedelta(minutes=10)) == "sent"
    assert attempt(NOW + timedelta(minutes=11)) == "skipped"
    with unit_of_work(pg_engine) as s:
        row = s.get(Notification, victim)
    assert (row.status, row.attempts) == ("sent", 2)
    assert len(inbox.wait_for(1)) == 1
