"""The pass hands each due row to the queue once, until its hand-out lease or retry time says otherwise.

The database stays the source of truth: a pass marks what it handed out (``due_at`` moves on by
the hand-out lease), so a row waiting in the queue behind a backlog is not handed out again by
the next pass; a worker claims a handed-out row at once. On SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests import factories as f
from tests.smtp_sink import RecordingHandler, smtp_sink
from workflow.core.db import unit_of_work
from workflow.mail import SmtpTransport
from workflow.reminders.models import Notification
from workflow.scheduler import send_notification
from workflow.scheduler.passes import run_pass

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # 10:00 in Tirane
LEASE = timedelta(minutes=10)  # CONTINUUM_ENQUEUE_LEASE_MINUTES' default


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request):
    return request.getfixturevalue("engine" if request.param == "sqlite" else "pg_engine")


@pytest.fixture
def due_row(db, settings) -> int:
    """One coordinator's reminder, due now."""
    with unit_of_work(db) as s:
        moi = f.institution(s)
        f.contact(s, moi, ["coordinator"], "coord@example.org")
        f.strategy(s, moi, period_start=date(2027, 1, 1), period_end=date(2030, 12, 31), drafting_due=date(2026, 6, 8))
    (row_id,) = run_pass(db, now=NOW, settings=settings).due
    return row_id


def _deliver(engine, settings, row_id: int, at: datetime):
    return send_notification(engine, row_id, clock=lambda: at, transport=SmtpTransport(settings), settings=settings)


def _row(engine, row_id: int) -> Notification:
    with unit_of_work(engine) as s:
        return s.get(Notification, row_id)


def test_a_handed_out_row_is_not_handed_out_again_until_its_lease_passes_unclaimed(db, settings, due_row):
    row = _row(db, due_row)
    assert (row.status, row.claim_token, row.due_at) == ("pending", "queued", NOW + LEASE)
    for later in (timedelta(0), timedelta(seconds=5), LEASE - timedelta(seconds=1)):
        assert run_pass(db, now=NOW + later, settings=settings).due == []
    assert run_pass(db, now=NOW + LEASE, settings=settings).due == [due_row]  # its message was lost
    assert _row(db, due_row).due_at == NOW + 2 * LEASE


def test_a_worker_claims_a_handed_out_row_at_once_and_a_second_message_for_it_is_skipped(db, settings, due_row):
    with smtp_sink() as (port, inbox):
        cfg = settings.model_copy(update={"smtp_port": port})
        assert _deliver(db, cfg, due_row, NOW + timedelta(seconds=1)).outcome == "sent"
        assert _deliver(db, cfg, due_row, NOW + timedelta(seconds=2)).outcome == "skipped"
        assert len(inbox.wait_for(1)) == 1
    row = _row(db, due_row)
    assert (row.status, row.claim_token, row.due_at) == ("sent", None, None)


def test_a_failed_try_is_handed_out_again_at_its_retry_time_not_before(db, settings, due_row):
    handler = RecordingHandler(refuse={"coord@example.org": "451 4.3.0 try again later"})
    with smtp_sink(handler) as (port, _):
        cfg = settings.model_copy(update={"smtp_port": port, "smtp_retry_base_seconds": 30})
        assert _deliver(db, cfg, due_row, NOW).outcome == "retry"
        row = _row(db, due_row)
        assert (row.status, row.claim_token, row.due_at) == ("pending", None, NOW + timedelta(seconds=30))

        assert run_pass(db, now=NOW + timedelta(seconds=29), settings=cfg).due == []
        # A message still queued from before (a duplicate) does not jump the retry time.
        assert _deliver(db, cfg, due_row, NOW + timedelta(seconds=29)).outcome == "skipped"
        assert run_pass(db, now=NOW + timedelta(seconds=30), settings=cfg).due == [due_row]
