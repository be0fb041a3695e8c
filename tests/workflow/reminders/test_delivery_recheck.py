"""A row handed to the queue is re-checked when it is sent, against the state then: what changed in
between (a report submitted, a measure cancelled, a cycle changed, a round extended or closed, a
comment answered, a due date moved) cancels it instead of sending it. And a source's re-check,
read in the one SELECT before the send, agrees with the deadlines the source lists as live.

On SQLite and PostgreSQL, with a real SMTP server.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import freezegun
import pytest
from sqlalchemy import select

from tests import factories as f
from tests.smtp_sink import smtp_sink
from tests.workflow.consultation.builders import a_round, answer, closed, in_consultation, people, submission
from tests.workflow.monitoring.builders import monitored_plan
from workflow.consultation import RoundExtend, extend_round
from workflow.core.db import unit_of_work
from workflow.core.settings import Settings
from workflow.lifecycle import StrategyPatch, update_strategy
from workflow.monitoring import CycleSet, MeasurePatch, ReportOpen, set_cycle
from workflow.monitoring.plan.catalog import update_measure
from workflow.monitoring.reporting.reports import open_report, submit_report
from workflow.reminders import Notification
from workflow.scheduler import SOURCES, run_pass, send_notification, source_for

MOVED = "the deadline moved, or the stage advanced"


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 8, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request):
    return request.getfixturevalue("engine" if request.param == "sqlite" else "pg_engine")


@pytest.fixture
def mail(settings: Settings):
    with smtp_sink() as (port, inbox):
        yield settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port}), inbox


def _pass(engine, settings: Settings, day: date) -> list[int]:
    with freezegun.freeze_time(at(day)):
        return run_pass(engine, now=at(day), settings=settings).due


def _send(engine, settings: Settings, ids: list[int], day: date) -> list[tuple[str, str]]:
    from workflow.mail import SmtpTransport

    transport = SmtpTransport(settings)
    results = [send_notification(engine, i, clock=lambda: at(day), transport=transport, settings=settings)
               for i in ids]
    return [(r.outcome, r.detail) for r in results]


def _agrees_with_live(engine, settings: Settings) -> None:
    """Every row's re-check says what its source's live deadlines say."""
    with unit_of_work(engine) as s:
        rows = list(s.scalars(select(Notification).where(Notification.kind != "gap_warning")))
        for source in SOURCES:
            live = {(d.deadline.key, d.deadline.due_on) for d in source.live(s, settings)}
            for row in rows:
                if source_for(row.deadline_kind) is source:
                    assert source.still_live(s, row) == ((row.deadline_key, row.due_on) in live), row


def test_a_report_reminder_is_sent_while_nothing_changed(db, mail):
    settings, inbox = mail
    monitored_plan(db)
    ids = _pass(db, settings, date(2020, 4, 23))
    _agrees_with_live(db, settings)
    assert _send(db, settings, ids, date(2020, 4, 23)) == [("sent", "")]
    assert len(inbox.wait_for(1)) == 1


@pytest.mark.parametrize("change", ["submitted", "measure cancelled", "cycle changed"])
def test_a_report_reminder_is_cancelled_when_what_it_asks_for_changed_after_it_was_queued(db, mail, change):
    settings, inbox = mail
    world = monitored_plan(db)
    day = date(2020, 4, 23)
    ids = _pass(db, settings, day)
    with freezegun.freeze_time(at(day)), unit_of_work(db) as s:
        if change == "submitted":
            report = open_report(s, world.plan_id, ReportOpen(period="2020-Q1", institution_id=world.partner),
                                 now=at(day))
            submit_report(s, report.id, actor="cp", today=day, now=at(day))
        elif change == "measure cancelled":
            update_measure(s, world.measure_id, MeasurePatch(status="cancelled"), now=at(day))
        else:
            set_cycle(s, world.plan_id, CycleSet(frequency="semi_annual", due_days=30, starts_on=date(2020, 1, 1)),
                      today=day, now=at(day))
    _agrees_with_live(db, settings)

    assert _send(db, settings, ids, day) == [("cancelled", MOVED)]
    assert inbox.messages == []


def test_a_round_reminder_is_cancelled_when_the_round_was_extended_or_closed(db, mail):
    settings, inbox = mail
    with unit_of_work(db) as s:
        p = people(s)
        f.contact(s, p.institution_id, ["coordinator"], "arta@example.org")
        extended = in_consultation(s, p.institution_id)
        round_one = a_round(s, p.coordinator, extended.id, settings, today=date(2025, 11, 10),
                            opened_on=date(2025, 11, 10))
        other = in_consultation(s, p.institution_id, title="Strategy on Diaspora 2026-2030")
        round_two = a_round(s, p.coordinator, other.id, settings, today=date(2025, 11, 10),
                            opened_on=date(2025, 11, 10))
    day = date(2025, 12, 5)
    ids = _pass(db, settings, day)
    assert len(ids) == 2
    with unit_of_work(db) as s:
        extend_round(s, p.coordinator, round_one.id,
                     RoundExtend(closes_on=date(2025, 12, 19), reason="More time asked for"),
                     settings=settings, now=at(day))
        closed(s, p.coordinator, s.get(type(round_two), round_two.id), settings)
    _agrees_with_live(db, settings)

    assert _send(db, settings, ids, day) == [("cancelled", MOVED)] * 2
    assert inbox.messages == []


def test_an_unanswered_comments_notice_is_cancelled_once_the_last_comment_is_answered(db, mail):
    """Two closed rounds: one with two comments of which one is answered after the notice was
    queued (still sent), one whose only comment is answered then (cancelled)."""
    settings, inbox = mail
    comments = {}
    with unit_of_work(db) as s:
        p = people(s)
        f.contact(s, p.institution_id, ["coordinator"], "arta@example.org")
        for title, count in (("Strategy on Migration 2026-2030", 2), ("Strategy on Diaspora 2026-2030", 1)):
            strategy = in_consultation(s, p.institution_id, entered=date(2025, 10, 1), title=title)
            round_ = a_round(s, p.coordinator, strategy.id, settings, today=date(2025, 10, 6),
                             opened_on=date(2025, 10, 6))
            comments[title] = [submission(s, p.coordinator, round_.id, settings, today=date(2025, 10, 20 + n))
                               for n in range(count)]
            closed(s, p.coordinator, round_, settings)
    day = date(2025, 12, 5)
    ids = _pass(db, settings, day)
    with unit_of_work(db) as s:
        for first, *_ in comments.values():
            answer(s, p.coordinator, first, settings, today=day)
    _agrees_with_live(db, settings)

    assert sorted(_send(db, settings, ids, day)) == [("cancelled", MOVED), ("sent", "")]
    (message,) = inbox.wait_for(1)
    assert "Strategy on Migration 2026-2030" in message["Subject"]


def test_a_stage_reminder_is_cancelled_when_its_due_date_moved_after_it_was_queued(db, mail):
    settings, inbox = mail
    with unit_of_work(db) as s:
        moi = f.institution(s)
        f.contact(s, moi, ["coordinator"], "coord@example.org")
        strategy = f.strategy(s, moi, period_start=date(2027, 1, 1), period_end=date(2030, 12, 31),
                              drafting_due=date(2026, 6, 8))
    day = date(2026, 6, 1)
    ids = _pass(db, settings, day)
    with unit_of_work(db) as s:
        update_strategy(s, strategy.id, StrategyPatch(drafting_due=date(2026, 6, 30)), now=at(day), actor="test",
                        today=day)
    _agrees_with_live(db, settings)

    assert _send(db, settings, ids, day) == [("cancelled", MOVED)]
    assert inbox.messages == []
