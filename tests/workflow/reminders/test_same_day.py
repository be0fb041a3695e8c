"""The same-day merge on real PostgreSQL and a real SMTP server: a strategy lapsing in 30 days with
no successor has its lapse reminder and its gap warning due the same morning; its coordinator gets
one email saying both, whatever their delivery preference, and the lapse reminder is merged into it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import freezegun
import pytest
from sqlalchemy import Engine, select

from tests import factories as f
from tests.smtp_sink import smtp_sink
from workflow.core.db import unit_of_work
from workflow.core.settings import Settings
from workflow.mail import SmtpTransport
from workflow.reminders import DIGEST, Notification
from workflow.scheduler import run_pass, send_notification

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # Monday, 10:00 in Tirana
LAPSE = date(2026, 7, 1)  # 30 days ahead: a reminder offset and a gap warning offset both fall today


@pytest.fixture
def mail(pg_engine: Engine, settings: Settings):
    with smtp_sink() as (port, inbox):
        yield settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port}), inbox


def _lapsing(engine: Engine, delivery: str = "immediate") -> dict[str, int]:
    today = NOW.date()
    with unit_of_work(engine) as s:
        moi = f.institution(s)
        ids = {"coordinator": f.contact(s, moi, ["coordinator"], "coord@example.org", delivery=delivery),
               "chief": f.contact(s, moi, ["escalation"], "chief@example.org", name="Deputy Minister")}
        strategy = f.strategy(s, moi, title="National Strategy on Migration 2023-2026",
                              period_start=date(2023, 1, 1), period_end=LAPSE)
        f.advance(s, strategy.id, "submit_for_consultation", today=today, effective_on=date(2022, 1, 5))
        f.advance(s, strategy.id, "submit_for_approval", today=today, effective_on=date(2022, 3, 2))
        f.advance(s, strategy.id, "approve", today=today, effective_on=date(2022, 6, 1),
                  approval_reference="DCM No. 400", approved_on=date(2022, 6, 1))
    return ids


def _pass(engine: Engine, settings: Settings, now: datetime) -> list[int]:
    with freezegun.freeze_time(now):
        return run_pass(engine, now=now, settings=settings).due


def _send(engine: Engine, settings: Settings, ids: list[int], now: datetime) -> list[str]:
    transport = SmtpTransport(settings)
    return [send_notification(engine, i, clock=lambda: now, transport=transport, settings=settings).outcome
            for i in ids]


def _rows(engine: Engine, contact_id: int) -> list[Notification]:
    with unit_of_work(engine) as s:
        return list(s.scalars(select(Notification).where(Notification.contact_id == contact_id)
                              .order_by(Notification.id)))


@pytest.mark.parametrize("delivery", ["immediate", "daily"])
def test_a_lapse_reminder_and_a_gap_warning_due_the_same_day_make_one_email(pg_engine, mail, delivery):
    settings, inbox = mail
    ids = _lapsing(pg_engine, delivery)

    due = _pass(pg_engine, settings, NOW)
    rows = _rows(pg_engine, ids["coordinator"])
    by_kind = {r.kind: r for r in rows}
    assert set(by_kind) == {"deadline_reminder", "gap_warning"}  # no digest: nothing else was due for them
    lapse, warning = by_kind["deadline_reminder"], by_kind["gap_warning"]
    assert (lapse.deadline_kind, lapse.status, lapse.carrier_id) == ("period_end", "merged", warning.id)
    assert warning.id in due and lapse.id not in due

    assert sorted(_send(pg_engine, settings, due, NOW)) == ["sent", "sent"]  # the coordinator's, the chief's
    messages = inbox.wait_for(2)
    mine = [m for m in messages if m["To"].addresses[0].addr_spec == "coord@example.org"]
    assert len(mine) == 1
    (message,) = mine
    assert message["Subject"] == "National Strategy on Migration 2023-2026 lapses in 30 days: no successor approved"
    text = message.get_body(("plain",)).get_content()
    assert "Both of today's notices about this lapse, in one email:" in text
    assert "and no successor has been approved to take its place" in text  # the gap warning
    assert "Make sure a successor is approved by then" in text  # the lapse reminder
    chiefs = next(m for m in messages if m["To"].addresses[0].addr_spec == "chief@example.org")
    assert "Both of today's notices" not in chiefs.get_body(("plain",)).get_content()  # only the warning for them

    assert {r.kind: r.status for r in _rows(pg_engine, ids["coordinator"])} == {
        "deadline_reminder": "merged", "gap_warning": "sent"}
    assert [i for i in _pass(pg_engine, settings, NOW + timedelta(minutes=20)) if i in {lapse.id, warning.id}] == []
    assert len(inbox.messages) == 2


def test_a_gap_warning_after_todays_lapse_reminder_waits_for_the_next_day(pg_engine, mail):
    settings, inbox = mail
    ids = _lapsing(pg_engine)
    settings_no_warnings = settings.model_copy(update={"gap_warning_offsets": [7]})  # today: the reminder alone
    due = _pass(pg_engine, settings_no_warnings, NOW)
    (lapse,) = _rows(pg_engine, ids["coordinator"])
    assert _send(pg_engine, settings, [lapse.id], NOW) == ["sent"]

    later = NOW + timedelta(hours=2)  # the warning offsets change: its 30-day warning is due now
    due = _pass(pg_engine, settings, later)
    warning = next(r for r in _rows(pg_engine, ids["coordinator"]) if r.kind == "gap_warning")
    assert warning.id not in due
    assert (warning.status, warning.due_at) == ("pending", datetime(2026, 6, 2, 7, 0, tzinfo=UTC))
    assert len(inbox.wait_for(1)) == 1
    assert warning.id in _pass(pg_engine, settings, datetime(2026, 6, 2, 7, 0, tzinfo=UTC))
    assert not [r for r in _rows(pg_engine, ids["coordinator"]) if r.kind == DIGEST]
