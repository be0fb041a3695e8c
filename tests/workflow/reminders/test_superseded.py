"""After downtime only the most recent missed reminder of a deadline reaches a recipient.

A reminder that could not be delivered stays pending (its retry is due later); when a later
offset of the same deadline is recorded for the same recipient, the older one is cancelled in
that same transaction, and a sender re-checks it before sending in case it was being sent
then. On SQLite and PostgreSQL, with a real SMTP server.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests import factories as f
from tests.smtp_sink import RecordingHandler, smtp_sink
from workflow.core.db import unit_of_work
from workflow.mail import SmtpTransport
from workflow.reminders.delivery import claim, deliver
from workflow.reminders.models import Notification
from workflow.scheduler import source_for
from workflow.scheduler.notices import compose_for
from workflow.scheduler.passes import run_pass

DUE = date(2026, 9, 1)
NINETY_BEFORE = datetime(2026, 6, 3, 8, 0, tzinfo=UTC)  # 10:00 in Tirane, 90 days before DUE
ONE_BEFORE = datetime(2026, 8, 31, 8, 0, tzinfo=UTC)  # the day before DUE, after downtime


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request):
    return request.getfixturevalue("engine" if request.param == "sqlite" else "pg_engine")


@pytest.fixture
def moi(db) -> int:
    """A ministry with one coordinator and a strategy whose drafting is due on DUE."""
    with unit_of_work(db) as s:
        moi = f.institution(s)
        f.contact(s, moi, ["coordinator"], "coord@example.org")
        f.strategy(s, moi, title="National Strategy on Migration 2027-2030", period_start=date(2027, 1, 1),
                   period_end=date(2030, 12, 31), drafting_due=DUE)
    return moi


def _deliver(engine, settings, row_id: int, at: datetime):
    return deliver(engine, row_id, source_for=source_for, clock=lambda: at, transport=SmtpTransport(settings),
                   compose=compose_for(settings), settings=settings)


def _rows(engine) -> list[tuple[int, str]]:
    with unit_of_work(engine) as s:
        return [(r.offset_days, r.status) for r in s.scalars(select(Notification).order_by(Notification.offset_days))]


def _undelivered_ninety_day_reminder(db, settings) -> int:
    """The 90-day reminder is recorded and refused by the server: it stays pending, to be retried."""
    refusing = RecordingHandler(refuse={"coord@example.org": "451 4.3.0 try again later"})
    with smtp_sink(refusing) as (port, inbox):
        (row_id,) = run_pass(db, now=NINETY_BEFORE, settings=settings).due
        assert _deliver(db, settings.model_copy(update={"smtp_port": port}), row_id, NINETY_BEFORE).outcome == "retry"
    assert _rows(db) == [(90, "pending")] and inbox.messages == []
    return row_id


def test_recording_a_later_offset_cancels_the_older_pending_one_so_one_reminder_is_sent(db, settings, moi):
    _undelivered_ninety_day_reminder(db, settings)

    report = run_pass(db, now=ONE_BEFORE, settings=settings)  # the scheduler runs again after downtime

    assert _rows(db) == [(1, "pending"), (90, "cancelled")]
    with unit_of_work(db) as s:
        (newest,) = s.scalars(select(Notification).where(Notification.offset_days == 1))
        older = s.scalars(select(Notification).where(Notification.offset_days == 90)).one()
    assert report.due == [newest.id]
    assert (older.due_at, older.claim_token) == (None, None) and "later reminder" in older.last_error
    with smtp_sink() as (port, inbox):
        cfg = settings.model_copy(update={"smtp_port": port})
        outcomes = [_deliver(db, cfg, row_id, ONE_BEFORE).outcome for row_id in (older.id, newest.id)]
        (message,) = inbox.wait_for(1)
    assert outcomes == ["skipped", "sent"]
    assert "tomorrow" in message["Subject"] and len(inbox.messages) == 1


def test_an_older_reminder_being_sent_when_the_later_one_is_recorded_is_cancelled_before_its_retry(
    db, settings, moi
):
    older = _undelivered_ninety_day_reminder(db, settings)
    retry_at = ONE_BEFORE - timedelta(minutes=1)
    with unit_of_work(db) as s:  # a worker holds the old row while the pass records the new one
        assert claim(s, older, "slow-worker", now=retry_at, lease=timedelta(minutes=10)) is not None

    run_pass(db, now=ONE_BEFORE, settings=settings)
    assert _rows(db) == [(1, "pending"), (90, "sending")]  # a claimed row is left to its worker

    with smtp_sink() as (port, inbox):
        cfg = settings.model_copy(update={"smtp_port": port})
        late = ONE_BEFORE + timedelta(minutes=10)  # the lease is over: the old row is claimed again
        result = _deliver(db, cfg, older, late)
        assert (result.outcome, result.detail) == ("cancelled", "a later reminder of this deadline supersedes it")
        assert inbox.messages == []
    assert _rows(db) == [(1, "pending"), (90, "cancelled")]


def test_each_recipient_keeps_its_own_latest_reminder(db, settings, moi):
    """Supersession is per recipient: a colleague added since gets only the later reminder, and
    the first coordinator's older one is cancelled by the first coordinator's later one."""
    older = _undelivered_ninety_day_reminder(db, settings)
    with unit_of_work(db) as s:
        coordinator = s.get(Notification, older).contact_id
        colleague = f.contact(s, moi, ["coordinator"], "deputy@example.org", name="Besa Kola")
    run_pass(db, now=ONE_BEFORE, settings=settings)
    with unit_of_work(db) as s:
        rows = sorted((r.contact_id, r.offset_days, r.status) for r in s.scalars(select(Notification)))
    assert rows == sorted([(coordinator, 90, "cancelled"), (coordinator, 1, "pending"), (colleague, 1, "pending")])
