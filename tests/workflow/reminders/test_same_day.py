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


def _coordinators(inbox) -> list:
    return [m for m in inbox.messages if m["To"].addresses[0].addr_spec == "coord@example.org"]


LAPSE_WORDS = "Make sure a successor is approved by then"  # the lapse reminder's, not the gap warning's
TOMORROW = datetime(2026, 6, 2, 7, 0, tzinfo=UTC)  # the next send hour, 09:00 in Tirana


@pytest.mark.parametrize("warning_went", ["sent", "sending"])
def test_a_lapse_reminder_after_todays_gap_warning_went_waits_for_the_next_day(pg_engine, mail, warning_went):
    """A gap warning already composed (sent today, or claimed) cannot carry a lapse reminder: the
    reminder would be closed ``merged`` into an email that never said it."""
    settings, inbox = mail
    ids = _lapsing(pg_engine)
    due = _pass(pg_engine, settings.model_copy(update={"reminder_offsets": [7]}), NOW)  # the warnings alone
    (warning,) = [r for r in _rows(pg_engine, ids["coordinator"]) if r.kind == "gap_warning"]
    if warning_went == "sent":
        assert sorted(_send(pg_engine, settings, due, NOW)) == ["sent", "sent"]
        inbox.wait_for(2)
    later = NOW + timedelta(hours=2)  # the reminder offsets change: its 30-day lapse reminder is due now
    if warning_went == "sending":
        with unit_of_work(pg_engine) as s:  # a worker claimed it a moment ago and is composing it
            claimed = s.get(Notification, warning.id)
            claimed.status, claimed.claim_token, claimed.due_at = "sending", "a" * 32, later + timedelta(minutes=5)
    due = _pass(pg_engine, settings, later)
    lapse = next(r for r in _rows(pg_engine, ids["coordinator"]) if r.kind == "deadline_reminder")
    assert lapse.id not in due
    assert (lapse.status, lapse.carrier_id, lapse.due_at) == ("pending", None, TOMORROW)

    if warning_went == "sending":
        with unit_of_work(pg_engine) as s:  # that worker finished: its email went without the reminder's words
            finished = s.get(Notification, warning.id)
            finished.status, finished.claim_token, finished.due_at, finished.sent_at = "sent", None, None, later
    assert lapse.id in _pass(pg_engine, settings, TOMORROW)
    assert _send(pg_engine, settings, [lapse.id], TOMORROW) == ["sent"]
    inbox.wait_for(3 if warning_went == "sent" else 1)  # the two gap warnings of yesterday, if they went
    (said,) = [m for m in _coordinators(inbox) if LAPSE_WORDS in m.get_body(("plain",)).get_content()]
    assert "Both of today's notices" not in said.get_body(("plain",)).get_content()


def test_a_failed_gap_warning_gives_back_the_lapse_reminder_merged_into_it(pg_engine, mail):
    settings, inbox = mail
    ids = _lapsing(pg_engine)
    rows_due = _pass(pg_engine, settings, NOW)
    rows = {r.kind: r for r in _rows(pg_engine, ids["coordinator"])}
    assert rows["gap_warning"].id in rows_due
    lapse, warning = rows["deadline_reminder"], rows["gap_warning"]
    assert (lapse.status, lapse.carrier_id) == ("merged", warning.id)

    inbox.refuse["coord@example.org"] = "550 5.1.1 mailbox unavailable"  # the carrier fails for good
    assert _send(pg_engine, settings, [warning.id], NOW) == ["failed"]
    rows = {r.kind: r for r in _rows(pg_engine, ids["coordinator"])}
    assert rows["gap_warning"].status == "failed"
    assert (rows["deadline_reminder"].status, rows["deadline_reminder"].carrier_id,
            rows["deadline_reminder"].due_at, rows["deadline_reminder"].closed_at) == ("pending", None, NOW, None)

    del inbox.refuse["coord@example.org"]  # the mailbox is back: the lapse reminder goes as itself
    later = NOW + timedelta(minutes=1)
    assert lapse.id in _pass(pg_engine, settings, later)
    assert _send(pg_engine, settings, [lapse.id], later) == ["sent"]
    inbox.wait_for(1)
    (message,) = _coordinators(inbox)
    assert LAPSE_WORDS in message.get_body(("plain",)).get_content()


def test_a_gap_warning_cancelled_by_the_planner_gives_back_the_lapse_reminder(pg_engine, mail):
    """The ledger's cancel (a deadline no longer live, a superseded row) reopens what was merged too."""
    from workflow.reminders.ledger import cancel_stale  # noqa: PLC0415

    settings, _ = mail
    ids = _lapsing(pg_engine)
    _pass(pg_engine, settings, NOW)
    rows = {r.kind: r for r in _rows(pg_engine, ids["coordinator"])}
    with unit_of_work(pg_engine) as s:
        s.get(Notification, rows["gap_warning"].id).claim_token = None  # not queued: the planner may cancel it
    with unit_of_work(pg_engine) as s:
        cancel_stale(s, set(), kinds={rows["gap_warning"].deadline_kind}, now=NOW + timedelta(minutes=1),
                     strategy_ids=[rows["gap_warning"].strategy_id])
    after = {r.kind: r for r in _rows(pg_engine, ids["coordinator"])}
    assert after["gap_warning"].status == "cancelled"
    assert (after["deadline_reminder"].status, after["deadline_reminder"].carrier_id) == ("pending", None)


def test_a_digest_says_the_lapse_reminder_merged_into_a_gap_warning_in_it(pg_engine, mail):
    """A gap warning waiting in a digest with a lapse reminder merged into it: the digest's item says
    both, as the gap warning's single email would."""
    settings, inbox = mail
    ids = _lapsing(pg_engine, "daily")
    _pass(pg_engine, settings, NOW)
    rows = {r.kind: r for r in _rows(pg_engine, ids["coordinator"])}
    warning = rows["gap_warning"]
    assert rows["deadline_reminder"].carrier_id == warning.id
    with unit_of_work(pg_engine) as s:  # its digest holds the warning
        digest = Notification(deadline_key=DIGEST, deadline_kind=DIGEST, strategy_id=warning.strategy_id,
                              due_on=NOW.date(), offset_days=0, kind=DIGEST, contact_id=ids["coordinator"],
                              status="pending", claim_token="queued", due_at=NOW + timedelta(minutes=5),
                              details={"delivery": "daily"}, created_at=NOW)
        s.add(digest)
        s.flush()
        held = s.get(Notification, warning.id)
        held.status, held.carrier_id, held.due_at, held.claim_token = "held", digest.id, None, None
        digest_id = digest.id
    assert _send(pg_engine, settings, [digest_id], NOW) == ["sent"]
    (message,) = inbox.wait_for(1)
    text = message.get_body(("plain",)).get_content()
    assert "and no successor has been approved to take its place" in text and LAPSE_WORDS in text
