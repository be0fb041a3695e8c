"""Consultation deadlines in the reminder ledger: coordinators are reminded before a round closes
(only on offsets within the round), and told about unanswered submissions after it closed until
the last one is answered; the emails name the deadline in English and Albanian."""

from __future__ import annotations

from datetime import UTC, date, datetime

import freezegun
import pytest
from sqlalchemy import select

from tests import factories as f
from tests.workflow.consultation.builders import a_round, answer, closed, in_consultation, people, submission
from workflow.consultation import RoundDeadlines, round_of_key
from workflow.core.db import unit_of_work
from workflow.reminders.models import Notification
from workflow.scheduler.notices import compose_for
from workflow.scheduler.passes import run_pass
from workflow.scheduler.registry import source_for

OPENED = date(2025, 11, 10)  # closes Friday 2025-12-12


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 8, 0, tzinfo=UTC)  # 09:00 in Tirana


def rows(engine, kind: str) -> list[Notification]:
    with unit_of_work(engine) as s:
        return list(s.scalars(select(Notification).where(Notification.deadline_kind == kind)
                              .order_by(Notification.id)))


def tick(engine, settings, day: date) -> None:
    with freezegun.freeze_time(at(day)):
        run_pass(engine, now=at(day), settings=settings)


@pytest.fixture
def world(engine, settings):
    with unit_of_work(engine) as s:
        p = people(s)
        coordinator = f.contact(s, p.institution_id, ["coordinator"], "arta@example.org", language="sq")
        strategy = in_consultation(s, p.institution_id)
        round_ = a_round(s, p.coordinator, strategy.id, settings, today=OPENED, opened_on=OPENED)
    return p, coordinator, strategy.id, round_


def test_the_source_is_registered_for_its_kinds():
    assert isinstance(source_for("round_closes"), RoundDeadlines)
    assert isinstance(source_for("submissions_unanswered"), RoundDeadlines)
    assert round_of_key("consultation:12:closes") == 12 and round_of_key("report:1:2020-Q1:3") is None


def test_coordinators_are_reminded_before_a_round_closes_never_before_it_opened(engine, settings, world):
    _, coordinator, strategy_id, round_ = world
    tick(engine, settings, OPENED)  # the 90-day offset would lie before the opening: not used
    assert rows(engine, "round_closes") == []
    tick(engine, settings, date(2025, 12, 5))
    (row,) = rows(engine, "round_closes")
    assert (row.kind, row.offset_days, row.due_on, row.contact_id, row.strategy_id, row.deadline_key) == (
        "deadline_reminder", 7, date(2025, 12, 12), coordinator, strategy_id, f"consultation:{round_.id}:closes")
    with unit_of_work(engine) as s:
        message = compose_for(settings)(s, s.get(Notification, row.id), at(date(2025, 12, 5)))
    text = message.get_body(("plain",)).get_content()
    assert "Raundi 1 i konsultimit për strategjinë „National Strategy on Migration 2026-2030“ mbyllet pas 7 ditësh" \
        in text
    assert "Afati i mbylljes së raundit të konsultimit: 2025-12-12" in text


def test_after_closing_unanswered_submissions_bring_overdue_notices_until_answered(engine, settings, world):
    p, coordinator, _, round_ = world
    with unit_of_work(engine) as s:
        sid = submission(s, p.coordinator, round_.id, settings, today=date(2025, 11, 20))
        closed(s, p.coordinator, round_, settings)
    tick(engine, settings, date(2025, 12, 12))
    assert rows(engine, "submissions_unanswered") == []  # due on the closing day; notices come after it
    tick(engine, settings, date(2025, 12, 13))  # a Saturday: the first notice waits for Monday
    assert rows(engine, "submissions_unanswered") == []
    tick(engine, settings, date(2025, 12, 15))
    (row,) = rows(engine, "submissions_unanswered")
    assert (row.kind, row.offset_days, row.due_on, row.contact_id) == ("overdue", -1, date(2025, 12, 12), coordinator)
    source = RoundDeadlines()
    with unit_of_work(engine) as s:
        assert source.still_live(s, s.get(Notification, row.id))
        message = compose_for(settings)(s, s.get(Notification, row.id), at(date(2025, 12, 15)))
        text = message.get_body(("plain",)).get_content()
        assert "më 2025-12-12, dhe 1 koment nuk ka ende përgjigje" in text
        answer(s, p.coordinator, sid, settings, today=date(2025, 12, 15))
    with unit_of_work(engine) as s:
        assert not source.still_live(s, s.get(Notification, row.id))
    assert [r.kind for r in rows(engine, "round_closes") if r.status == "pending"] == []


def test_english_wording_of_both_kinds(session):
    from workflow.mail import NotificationContext, render

    before = render("deadline_reminder", "en", NotificationContext(
        strategy_title="Migration 2026-2030", strategy_id=1, deadline_kind="round_closes", due_on=date(2025, 12, 12),
        days=7, recipient_name="Arta", round_number=2))
    assert "Consultation round 2 of Migration 2026-2030 closes in 7 days, on 2025-12-12." in before.text
    assert "Consultation round 2 of <strong>Migration 2026-2030</strong> closes" in before.html
    after = render("overdue", "en", NotificationContext(
        strategy_title="Migration 2026-2030", strategy_id=1, deadline_kind="submissions_unanswered",
        due_on=date(2025, 12, 12), days=-1, recipient_name="Arta", round_number=2, unanswered=3))
    assert "Consultation round 2 of Migration 2026-2030 closed 1 day ago" in after.text
    assert "3 comments still have no answer" in after.text and "3 comments</strong> still have" in after.html
