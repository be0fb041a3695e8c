"""Daily and weekly digests on real PostgreSQL and a real SMTP server: recorded held, gathered
into one digest row per person and day by the pass, sent once, members closed with it; what stays
immediate; a change of preference strands nothing; the digest step's cost follows what is due."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import freezegun
import pytest
from sqlalchemy import Engine, select

from benchmarks import synthetic
from tests import factories as f
from tests.smtp_sink import smtp_sink
from tests.workflow.reminders.counting import counting
from workflow.core.db import unit_of_work
from workflow.core.settings import Settings
from workflow.directory.contacts import update_contact
from workflow.directory.requests import ContactPatch
from workflow.lifecycle import StrategyPatch, update_strategy
from workflow.mail import SmtpTransport, message_id_for
from workflow.reminders import DIGEST, Notification
from workflow.reminders.digests import next_digest_day
from workflow.scheduler import run_pass, send_notification
from workflow.scheduler.notices import message_key

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # Monday 1 June, 10:00 in Tirana: after the send hour


@pytest.fixture
def mail(pg_engine: Engine, settings: Settings):
    with smtp_sink() as (port, inbox):
        yield settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port}), inbox


def _world(engine: Engine, delivery: str = "daily", language: str = "en") -> dict[str, int]:
    """One coordinator with ``delivery``, another with single emails, and two strategies with a
    drafting reminder due today (one in 7 days, one tomorrow), a third one a week late (escalated)."""
    with unit_of_work(engine) as s:
        moi = f.institution(s)
        ids = {
            "moi": moi,
            "digest": f.contact(s, moi, ["coordinator"], "digest@example.org", name="Besa Kola", delivery=delivery,
                                language=language),
            "single": f.contact(s, moi, ["coordinator"], "single@example.org"),
        }
        for title, due in (("Strategy on Migration 2027-2030", date(2026, 6, 8)),
                           ("Strategy on Diaspora 2027-2030", date(2026, 6, 2))):
            f.strategy(s, moi, title=title, period_start=date(2027, 1, 1), period_end=date(2030, 12, 31),
                       drafting_due=due)
    return ids


def _pass(engine: Engine, settings: Settings, now: datetime) -> list[int]:
    with freezegun.freeze_time(now):
        return run_pass(engine, now=now, settings=settings).due


def _send(engine: Engine, settings: Settings, ids: list[int], now: datetime) -> list[str]:
    transport = SmtpTransport(settings)
    return [send_notification(engine, i, clock=lambda: now, transport=transport, settings=settings).outcome
            for i in ids]


def _rows(engine: Engine, contact_id: int | None = None) -> list[Notification]:
    with unit_of_work(engine) as s:
        query = select(Notification).order_by(Notification.id)
        if contact_id is not None:
            query = query.where(Notification.contact_id == contact_id)
        return list(s.scalars(query))


def _theirs(engine: Engine, contact_id: int, due: list[int]) -> list[int]:
    """The ids in ``due`` of rows for ``contact_id``."""
    mine = {r.id for r in _rows(engine, contact_id)}
    return [i for i in due if i in mine]


def test_a_daily_digest_gathers_the_days_reminders_into_one_email_sent_once(pg_engine, mail):
    settings, inbox = mail
    ids = _world(pg_engine)

    due = _pass(pg_engine, settings, NOW)
    rows = _rows(pg_engine, ids["digest"])
    (digest,) = [r for r in rows if r.kind == DIGEST]
    members = [r for r in rows if r.kind != DIGEST]
    assert len(members) == 2 and all(r.status == "held" and r.carrier_id == digest.id for r in members)
    assert digest.id in due and not {m.id for m in members} & set(due)
    assert len(due) == 3  # the digest, and the other coordinator's two single emails

    assert sorted(_send(pg_engine, settings, due, NOW)) == ["sent"] * 3
    messages = {m["To"].addresses[0].addr_spec: m for m in inbox.wait_for(3)}
    message = messages["digest@example.org"]
    assert message["Subject"] == "Continuum: 2 reminders for Monday 1 June"
    assert message["Message-ID"] == message_id_for(message_key(digest), "localhost")
    text = message.get_body(("plain",)).get_content()
    assert "Hello Besa Kola," in text and "Your daily digest: 2 reminders due today." in text
    # Each item in its single email's words (the diaspora drafting is due tomorrow, the migration one in 7 days).
    assert "1. Strategy on Diaspora 2027-2030: drafting due tomorrow (2026-06-02)" in text
    assert "The drafting deadline of Strategy on Migration 2027-2030 is in 7 days, on 2026-06-08." in text
    assert "<h2" in message.get_body(("html",)).get_content()

    rows = _rows(pg_engine, ids["digest"])
    assert [(r.kind, r.status) for r in rows] == [("deadline_reminder", "sent")] * 2 + [(DIGEST, "sent")]
    assert _pass(pg_engine, settings, NOW + timedelta(minutes=5)) == []
    assert _send(pg_engine, settings, due, NOW + timedelta(minutes=6)) == ["skipped"] * 3
    assert len(inbox.messages) == 3


def test_two_passes_at_once_record_the_digest_once(pg_engine, mail):
    import threading  # noqa: PLC0415

    settings, _ = mail
    ids = _world(pg_engine)
    barrier, reports = threading.Barrier(2), []

    def run() -> None:
        barrier.wait()
        reports.append(run_pass(pg_engine, now=NOW, settings=settings))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    digests = [r for r in _rows(pg_engine, ids["digest"]) if r.kind == DIGEST]
    assert len(digests) == 1
    assert sorted(reports[0].due + reports[1].due).count(digests[0].id) == 1


def test_the_digest_subject_and_items_are_in_the_persons_language(pg_engine, mail):
    settings, inbox = mail
    ids = _world(pg_engine, language="sq")
    due = _pass(pg_engine, settings, NOW)
    digest = next(r for r in _rows(pg_engine, ids["digest"]) if r.kind == DIGEST)
    _send(pg_engine, settings, [digest.id], NOW)
    (message,) = inbox.wait_for(1)
    assert message["Subject"] == "Continuum: 2 kujtesa për të hënën, 1 qershor"
    text = message.get_body(("plain",)).get_content()
    assert "Përmbledhja juaj ditore: 2 kujtesa për sot." in text
    assert "afati i hartimit skadon nesër (2026-06-02)" in text
    assert digest.id in due


def test_escalations_stay_immediate_for_someone_who_takes_digests(pg_engine, mail):
    settings, _ = mail
    with unit_of_work(pg_engine) as s:
        moi = f.institution(s)
        person = f.contact(s, moi, ["coordinator"], "digest@example.org", delivery="weekly")
        f.strategy(s, moi, period_start=date(2027, 1, 1), period_end=date(2030, 12, 31),
                   drafting_due=date(2026, 5, 25))  # a week late: the escalated overdue notice
    due = _pass(pg_engine, settings, NOW)
    (row,) = _rows(pg_engine, person)
    assert (row.kind, row.escalated, row.status, row.carrier_id) == ("overdue", True, "pending", None)
    assert due == [row.id]


def test_a_member_that_no_longer_applies_is_dropped_and_a_digest_with_none_left_is_cancelled(pg_engine, mail):
    settings, inbox = mail
    ids = _world(pg_engine)
    due = _pass(pg_engine, settings, NOW)
    digest = next(r for r in _rows(pg_engine, ids["digest"]) if r.kind == DIGEST)
    with unit_of_work(pg_engine) as s:  # one deadline moves before the digest is sent
        migration = next(r for r in _rows(pg_engine, ids["digest"]) if r.due_on == date(2026, 6, 8))
        update_strategy(s, migration.strategy_id, StrategyPatch(drafting_due=date(2026, 9, 30)), now=NOW,
                        actor="test", today=NOW.date())
    assert _send(pg_engine, settings, [digest.id], NOW) == ["sent"]
    (message,) = inbox.wait_for(1)
    assert message["Subject"] == "Continuum: 1 reminder for Monday 1 June"
    assert "Migration" not in message.get_body(("plain",)).get_content()
    statuses = {r.due_on: r.status for r in _rows(pg_engine, ids["digest"]) if r.kind != DIGEST}
    assert statuses == {date(2026, 6, 2): "sent", date(2026, 6, 8): "cancelled"}

    # The next day: a new reminder, whose deadline moves too before its digest goes.
    with unit_of_work(pg_engine) as s:
        other = next(r for r in _rows(pg_engine, ids["digest"]) if r.due_on == date(2026, 6, 2))
        update_strategy(s, other.strategy_id, StrategyPatch(drafting_due=date(2026, 6, 9)), now=NOW,
                        actor="test", today=NOW.date())
    later = NOW + timedelta(days=1)
    due = _pass(pg_engine, settings, later)
    second = next(r for r in _rows(pg_engine, ids["digest"]) if r.kind == DIGEST and r.id != digest.id)
    with unit_of_work(pg_engine) as s:
        update_strategy(s, other.strategy_id, StrategyPatch(drafting_due=date(2026, 10, 9)), now=later,
                        actor="test", today=later.date())
    assert second.id in due
    assert _send(pg_engine, settings, [second.id], later) == ["cancelled"]
    assert len(inbox.messages) == 1


def test_a_weekly_digest_waits_for_the_weekday_with_everything_since(pg_engine, mail):
    settings, inbox = mail
    settings = settings.model_copy(update={"digest_weekday": 3})  # Thursday
    ids = _world(pg_engine, delivery="weekly")
    assert next_digest_day("weekly", date(2026, 6, 1), 3) == date(2026, 6, 4)
    assert next_digest_day("weekly", date(2026, 6, 4), 3) == date(2026, 6, 11)
    assert next_digest_day("daily", date(2026, 6, 4), 3) == date(2026, 6, 5)

    _pass(pg_engine, settings, NOW)
    held = _rows(pg_engine, ids["digest"])
    assert [r.kind for r in held] == ["deadline_reminder"] * 2
    thursday = datetime(2026, 6, 4, 7, 0, tzinfo=UTC)  # 09:00 in Tirana
    assert {r.due_at for r in held} == {thursday}
    assert not _theirs(pg_engine, ids["digest"], _pass(pg_engine, settings, thursday - timedelta(minutes=1)))

    due = _pass(pg_engine, settings, thursday)
    digest = next(r for r in _rows(pg_engine, ids["digest"]) if r.kind == DIGEST)
    assert digest.id in due and digest.due_on == date(2026, 6, 4)
    assert _send(pg_engine, settings, [digest.id], thursday) == ["sent"]
    (message,) = inbox.wait_for(1)
    assert message["Subject"] == "Continuum: 2 reminders for Thursday 4 June"
    text = message.get_body(("plain",)).get_content()
    assert "Your weekly digest: 2 reminders that fell due since the last one." in text
    # What they say on Thursday: the diaspora drafting (due on Tuesday) is now late, the other in 4 days.
    assert "Strategy on Diaspora 2027-2030 passed 2 days ago, on 2026-06-02: it is now 2 days overdue." in text
    assert "is in 4 days, on 2026-06-08" in text


def test_changing_the_preference_strands_no_held_reminder(pg_engine, mail):
    settings, inbox = mail
    settings = settings.model_copy(update={"digest_weekday": 3})
    ids = _world(pg_engine, delivery="weekly")
    _pass(pg_engine, settings, NOW)
    assert {r.status for r in _rows(pg_engine, ids["digest"])} == {"held"}

    soon = NOW + timedelta(minutes=10)
    with unit_of_work(pg_engine) as s:  # back to single emails: the held rows are due at once
        update_contact(s, ids["digest"], ContactPatch(delivery="immediate"), now=soon)
    due = _theirs(pg_engine, ids["digest"], _pass(pg_engine, settings, soon + timedelta(minutes=1)))
    rows = _rows(pg_engine, ids["digest"])
    assert [(r.kind, r.status) for r in rows] == [("deadline_reminder", "pending")] * 2
    assert sorted(due) == [r.id for r in rows]
    assert _send(pg_engine, settings, due, soon + timedelta(minutes=1)) == ["sent", "sent"]
    assert len(inbox.wait_for(2)) == 2


def test_from_weekly_to_daily_the_held_reminders_go_in_the_next_daily_digest(pg_engine, mail):
    settings, _ = mail
    settings = settings.model_copy(update={"digest_weekday": 3})
    ids = _world(pg_engine, delivery="weekly")
    _pass(pg_engine, settings, NOW)
    with unit_of_work(pg_engine) as s:
        update_contact(s, ids["digest"], ContactPatch(delivery="daily"), now=NOW + timedelta(minutes=10))
    due = _theirs(pg_engine, ids["digest"], _pass(pg_engine, settings, NOW + timedelta(minutes=11)))
    digest = next(r for r in _rows(pg_engine, ids["digest"]) if r.kind == DIGEST)
    assert due == [digest.id] and digest.due_on == date(2026, 6, 1)


def test_what_falls_due_after_the_days_digest_waits_for_the_next_one(pg_engine, mail):
    settings, _ = mail
    ids = _world(pg_engine)
    first = _pass(pg_engine, settings, NOW)
    assert first
    with unit_of_work(pg_engine) as s:
        f.strategy(s, ids["moi"], title="Strategy on Energy 2027-2030", period_start=date(2027, 1, 1),
                   period_end=date(2030, 12, 31), drafting_due=date(2026, 6, 3))
    afternoon = NOW + timedelta(hours=4)
    _pass(pg_engine, settings, afternoon)
    late = next(r for r in _rows(pg_engine, ids["digest"]) if r.due_on == date(2026, 6, 3))
    assert (late.status, late.carrier_id) == ("held", None)
    assert late.due_at == datetime(2026, 6, 2, 7, 0, tzinfo=UTC)  # tomorrow's digest, 09:00 in Tirana


def _digest_step_statements(engine: Engine, settings: Settings, strategies: int) -> int:
    """The statements of a pass that plans two new strategies and sends their reminders in a digest,
    beside a portfolio of ``strategies`` whose own reminders went out in the pass before."""
    synthetic.build(engine, strategies=strategies, today=NOW.date(), now=NOW)
    run_pass(engine, now=NOW, settings=settings)
    ids = _world(engine)
    with counting(engine) as tally:
        due = run_pass(engine, now=NOW + timedelta(minutes=1), settings=settings).due
    digest = next(r for r in _rows(engine, ids["digest"]) if r.kind == DIGEST)
    assert digest.id in due
    return sum(1 for statement in tally.statements if "notifications" in statement)


# Measured: the ledger's statements of that pass (planning two strategies, the due read, the
# digest's people, its insert, linking its members, the hand-out), the same for both sizes.
DIGEST_PASS = 8


def test_the_digest_step_costs_what_is_due_not_the_portfolio(pg_engine, settings):
    assert _digest_step_statements(pg_engine, settings, 25) == DIGEST_PASS


def test_the_digest_step_costs_the_same_with_ten_times_the_portfolio(pg_engine, settings):
    assert _digest_step_statements(pg_engine, settings, 250) == DIGEST_PASS
