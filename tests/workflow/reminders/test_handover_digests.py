"""Contact turnover between two people who take daily digests, on SQLite and PostgreSQL and through a
real SMTP server: the leaver's digest of today, made and waiting, is not the handover contact's (who
has one of that day already); it is cancelled, and its reminder goes to the handover contact in their
next digest, never stranded in a cancelled digest."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from tests import factories as f
from tests.smtp_sink import smtp_sink
from workflow.access import Principal
from workflow.core.db import unit_of_work
from workflow.directory import ContactDeactivate
from workflow.mail import SmtpTransport
from workflow.reminders import DIGEST, deactivate_contact
from workflow.reminders.models import Notification
from workflow.scheduler import run_pass, send_notification

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # Monday, 10:00 in Tirane, after the send hour
TOMORROW = datetime(2026, 6, 2, 7, 0, tzinfo=UTC)  # the next send hour
ADMIN = Principal(name="test-admin", role="admin", institution_id=None)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request):
    return request.getfixturevalue("engine" if request.param == "sqlite" else "pg_engine")


def _rows(db) -> list[Notification]:
    with unit_of_work(db) as s:
        return list(s.scalars(select(Notification).order_by(Notification.id)))


def _send_due(db, settings, at: datetime) -> list[str]:
    transport = SmtpTransport(settings)
    return [send_notification(db, i, clock=lambda: at, transport=transport, settings=settings).outcome
            for i in run_pass(db, now=at, settings=settings).due]


def test_the_leavers_waiting_digest_is_cancelled_and_its_reminders_go_to_the_handovers_next_digest(db, settings):
    with unit_of_work(db) as s:
        moi = f.institution(s)
        leaver = f.contact(s, moi, ["coordinator"], "leaver@example.org", name="Arta Hoxha", delivery="daily")
        handover = f.contact(s, moi, ["contact_point"], "next@example.org", name="Besa Kola", delivery="daily")
        f.strategy(s, moi, title="Strategy on Water 2027-2030", period_start=date(2027, 1, 1),
                   period_end=date(2030, 12, 31), drafting_due=date(2026, 6, 8))
    (digest_id,) = run_pass(db, now=NOW, settings=settings).due  # the leaver's digest, handed to the queue
    (reminder,) = [r for r in _rows(db) if r.kind != DIGEST]
    assert (reminder.contact_id, reminder.status, reminder.carrier_id) == (leaver, "held", digest_id)
    with unit_of_work(db) as s:  # the handover contact had their digest of today already
        s.execute(insert(Notification).values(
            deadline_key=DIGEST, deadline_kind=DIGEST, strategy_id=reminder.strategy_id, due_on=NOW.date(),
            offset_days=0, kind=DIGEST, contact_id=handover, status="sent", attempts=1, details={"delivery": "daily"},
            created_at=NOW, sent_at=NOW, closed_at=NOW))

    at = NOW + timedelta(minutes=1)
    with unit_of_work(db) as s:
        turnover = deactivate_contact(s, leaver, ContactDeactivate(handover_contact_id=handover), principal=ADMIN,
                                      now=at, today=at.date())
    assert (turnover.reminders_moved, turnover.reminders_cancelled) == (1, 0)
    rows = {r.id: r for r in _rows(db)}
    assert rows[digest_id].status == "cancelled"
    moved = rows[reminder.id]
    assert (moved.contact_id, moved.status, moved.carrier_id, moved.due_at) == (handover, "held", None, at)

    with smtp_sink() as (port, inbox):
        cfg = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})
        later_today = NOW + timedelta(minutes=cfg.enqueue_lease_minutes + 2)
        assert _send_due(db, cfg, later_today) == []  # today's digest of theirs went: tomorrow's takes it
        assert _send_due(db, cfg, TOMORROW) == ["sent"]
        (message,) = inbox.wait_for(1)
    assert message["To"].addresses[0].addr_spec == "next@example.org"
    assert message["Subject"].startswith("Continuum: 1 reminder for ")
    assert "Strategy on Water 2027-2030" in message.get_body(("plain",)).get_content()
    final = {r.id: r for r in _rows(db)}
    assert (final[reminder.id].status, final[reminder.id].contact_id) == ("sent", handover)
    assert final[final[reminder.id].carrier_id].contact_id == handover
