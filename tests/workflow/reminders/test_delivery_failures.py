"""What happens when the SMTP server does not accept: retries with backoff, then escalation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests import factories as f
from tests.smtp_sink import RecordingHandler, smtp_sink
from workflow.core.db import unit_of_work
from workflow.mail import SmtpTransport
from workflow.reminders.delivery import deliver
from workflow.reminders.models import Notification
from workflow.reminders.reading import unchanged
from workflow.scheduler import send_notification, source_for
from workflow.scheduler.passes import run_pass

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def world(engine):
    with unit_of_work(engine) as s:
        moi = f.institution(s)
        coordinator = f.contact(s, moi, ["coordinator"], "coord@example.org")
        chief = f.contact(s, moi, ["escalation"], "chief@example.org", name="Deputy Minister")
        f.strategy(s, moi, period_start=date(2027, 1, 1), period_end=date(2030, 12, 31), drafting_due=date(2026, 6, 8))
    return coordinator, chief


def _deliver(engine, settings, row_id: int, at: datetime):
    return send_notification(engine, row_id, clock=lambda: at, transport=SmtpTransport(settings), settings=settings)


def _row(engine, row_id: int) -> Notification:
    with unit_of_work(engine) as s:
        return s.get(Notification, row_id)


def test_temporary_failures_back_off_exponentially_then_fail_and_tell_the_escalation_contacts(engine, settings, world):
    coordinator, chief = world
    handler = RecordingHandler(refuse={"coord@example.org": "451 4.3.0 try again later"})
    with smtp_sink(handler) as (port, inbox):
        cfg = settings.model_copy(update={"smtp_port": port, "smtp_max_attempts": 3, "smtp_retry_base_seconds": 30})
        (row_id,) = run_pass(engine, now=NOW, settings=cfg).due

        first = _deliver(engine, cfg, row_id, NOW)
        assert first.outcome == "retry"
        assert _row(engine, row_id).due_at == NOW + timedelta(seconds=30)
        assert _deliver(engine, cfg, row_id, NOW + timedelta(seconds=29)).outcome == "skipped"  # not due yet

        assert _deliver(engine, cfg, row_id, NOW + timedelta(seconds=30)).outcome == "retry"
        assert _row(engine, row_id).due_at == NOW + timedelta(seconds=90)  # 30 s, then 60 s

        final = _deliver(engine, cfg, row_id, NOW + timedelta(seconds=90))
        assert final.outcome == "failed"
        failed = _row(engine, row_id)
        assert (failed.status, failed.attempts, failed.due_at) == ("failed", 3, None)
        assert "451" in failed.last_error

        report = run_pass(engine, now=NOW + timedelta(seconds=91), settings=cfg)
        with unit_of_work(engine) as s:
            notices = list(s.scalars(select(Notification).where(Notification.kind == "delivery_failed")))
        assert [(n.contact_id, n.status) for n in notices] == [(chief, "pending")]
        assert report.due == [notices[0].id]
        assert _deliver(engine, cfg, notices[0].id, NOW + timedelta(seconds=91)).outcome == "sent"
        (message,) = inbox.wait_for(1)
    assert message["To"].addresses[0].addr_spec == "chief@example.org"
    assert "could not deliver" in message["Subject"] and "coord@example.org" in message["Subject"]
    assert coordinator != chief


def test_a_permanent_refusal_fails_at_once_and_is_never_marked_sent(engine, settings, world):
    handler = RecordingHandler(refuse={"coord@example.org": "550 5.1.1 no such mailbox"})
    with smtp_sink(handler) as (port, inbox):
        cfg = settings.model_copy(update={"smtp_port": port})
        (row_id,) = run_pass(engine, now=NOW, settings=cfg).due
        assert _deliver(engine, cfg, row_id, NOW).outcome == "failed"
    row = _row(engine, row_id)
    assert (row.status, row.attempts, row.sent_at) == ("failed", 1, None)
    assert inbox.messages == []


def test_an_unreachable_server_is_retried_not_lost(engine, settings, world):
    from tests.smtp_sink import free_port

    cfg = settings.model_copy(update={"smtp_port": free_port(), "smtp_timeout_seconds": 2})
    (row_id,) = run_pass(engine, now=NOW, settings=cfg).due
    assert _deliver(engine, cfg, row_id, NOW).outcome == "retry"
    row = _row(engine, row_id)
    assert (row.status, row.attempts, row.sent_at) == ("pending", 1, None)


def test_a_row_that_cannot_be_composed_fails_once_instead_of_retrying_forever(engine, settings, world):
    from jinja2 import UndefinedError

    class Broken:
        def extend(self, row, today):
            return unchanged

        def build(self, reading, now):
            raise UndefinedError("'successor_title' is undefined")

    (row_id,) = run_pass(engine, now=NOW, settings=settings).due
    result = deliver(
        engine, row_id, source_for=source_for, clock=lambda: NOW, transport=SmtpTransport(settings), compose=Broken(),
        settings=settings,
    )
    row = _row(engine, row_id)
    assert result.outcome == "failed" and (row.status, row.due_at) == ("failed", None)
    assert "cannot compose" in row.last_error
    assert run_pass(engine, now=NOW + timedelta(minutes=5), settings=settings).due == []
