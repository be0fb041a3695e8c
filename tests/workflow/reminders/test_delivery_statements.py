"""What sending one email asks of PostgreSQL, pinned per kind of notice: three statements (the
claim, one read for the re-check and the email, the outcome) in two transactions.

Every row is recorded by a real scheduler pass and sent to a real SMTP server; the statements are
counted with a ``before_cursor_execute`` listener, the transactions with the engine's commits.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import freezegun
import pytest
from sqlalchemy import Engine, select

from tests import factories as f
from tests.smtp_sink import smtp_sink
from tests.workflow.consultation.builders import a_round, closed, in_consultation, people, submission
from tests.workflow.monitoring.builders import monitored_plan
from tests.workflow.reminders.counting import Tally, counting
from workflow.core.db import unit_of_work
from workflow.core.settings import Settings
from workflow.lifecycle import StrategyPatch, update_strategy
from workflow.mail import PersistentSmtpTransport
from workflow.reminders import DeliveryResult, Notification
from workflow.reminders.delivery import DATE_PASSED
from workflow.scheduler import run_pass, send_notification

pytestmark = pytest.mark.postgres

SENT = (["UPDATE", "SELECT", "UPDATE"], 2)  # claim .. RETURNING, the one read; then the outcome, committed apart


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 8, 0, tzinfo=UTC)  # 09:00 or 10:00 in Tirana


def _pass(engine: Engine, settings: Settings, now: datetime) -> list[int]:
    with freezegun.freeze_time(now):  # the services some builders call read the clock
        return run_pass(engine, now=now, settings=settings).due


def _send_each(
    engine: Engine, settings: Settings, ids: list[int], now: datetime
) -> list[tuple[Notification, DeliveryResult, Tally]]:
    """Send every row with one persistent transport, counting each send on its own."""
    transport = PersistentSmtpTransport(settings)
    sent = []
    try:
        for row_id in ids:
            with counting(engine) as tally:
                result = send_notification(engine, row_id, clock=lambda: now, transport=transport, settings=settings)
            with unit_of_work(engine) as s:
                row = s.get(Notification, row_id)
            sent.append((row, result, tally))
    finally:
        transport.close()
    return sent


def _cost(tally: Tally) -> tuple[list[str], int]:
    return tally.verbs, tally.commits


@pytest.fixture
def mail(pg_engine: Engine, settings: Settings):
    with smtp_sink() as (port, inbox):
        yield settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port}), inbox


def _strategy_deadlines(engine: Engine) -> None:
    """Drafting due in a week for one strategy, and four days ago for another (one day late on 2026-06-01)."""
    with unit_of_work(engine) as s:
        moi = f.institution(s)
        f.contact(s, moi, ["coordinator"], "coord@example.org")
        f.strategy(s, moi, period_start=date(2027, 1, 1), period_end=date(2030, 12, 31), drafting_due=date(2026, 6, 8))
        f.strategy(s, moi, title="Strategy on Diaspora 2027-2030", period_start=date(2027, 1, 1),
                   period_end=date(2030, 12, 31), drafting_due=date(2026, 5, 29))


def _reports(engine: Engine) -> None:
    monitored_plan(engine)


def _rounds(engine: Engine, settings: Settings) -> None:
    """A round closing on 2025-12-12 and, in another strategy, a round closed in November with a comment unanswered."""
    with unit_of_work(engine) as s:
        p = people(s)
        f.contact(s, p.institution_id, ["coordinator"], "arta@example.org", language="sq")
        open_one = in_consultation(s, p.institution_id)
        a_round(s, p.coordinator, open_one.id, settings, today=date(2025, 11, 10), opened_on=date(2025, 11, 10))
        other = in_consultation(s, p.institution_id, entered=date(2025, 10, 1), title="Strategy on Diaspora 2026-2030")
        round_ = a_round(s, p.coordinator, other.id, settings, today=date(2025, 10, 6), opened_on=date(2025, 10, 6))
        submission(s, p.coordinator, round_.id, settings, today=date(2025, 10, 20))
        closed(s, p.coordinator, round_, settings)


def _lapse(engine: Engine) -> None:
    """A strategy in force lapsing on 2026-12-31 with no successor: gap warnings from 180 days before."""
    today = date(2026, 9, 22)
    with unit_of_work(engine) as s:
        moi = f.institution(s)
        f.contact(s, moi, ["coordinator"], "coord@example.org")
        f.contact(s, moi, ["escalation"], "chief@example.org", name="Deputy Minister")
        strategy = f.strategy(s, moi, title="National Strategy on Migration 2023-2026",
                              period_start=date(2023, 1, 1), period_end=date(2026, 12, 31))
        f.advance(s, strategy.id, "submit_for_consultation", today=today, effective_on=date(2022, 1, 5))
        f.advance(s, strategy.id, "submit_for_approval", today=today, effective_on=date(2022, 3, 2))
        f.advance(s, strategy.id, "approve", today=today, effective_on=date(2022, 6, 1),
                  approval_reference="DCM No. 400", approved_on=date(2022, 6, 1))


Scenario = tuple[Callable[[Engine, Settings], None], date, set[tuple[str, str]]]
SCENARIOS: dict[str, Scenario] = {
    # name: (world, the day of the pass and the sends, the (kind, deadline kind) of the rows it sends)
    "strategy deadlines": (lambda e, s: _strategy_deadlines(e), date(2026, 6, 1),
                           {("deadline_reminder", "drafting_due"), ("overdue", "drafting_due")}),
    "report due": (lambda e, s: _reports(e), date(2020, 4, 23), {("report_due", "report_due")}),
    "report overdue": (lambda e, s: _reports(e), date(2020, 5, 4), {("overdue", "report_due")}),
    "consultation rounds": (_rounds, date(2025, 12, 5),
                            {("deadline_reminder", "round_closes"), ("overdue", "submissions_unanswered")}),
    "gap warning": (lambda e, s: _lapse(e), date(2026, 9, 22), {("gap_warning", "gap")}),
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_sending_one_email_of_each_kind_costs_three_statements_in_two_transactions(pg_engine, mail, scenario):
    settings, inbox = mail
    build, day, kinds = SCENARIOS[scenario]
    build(pg_engine, settings)
    ids = _pass(pg_engine, settings, at(day))

    sent = _send_each(pg_engine, settings, ids, at(day))

    assert {(row.kind, row.deadline_kind) for row, _, _ in sent} == kinds
    assert [result.outcome for _, result, _ in sent] == ["sent"] * len(ids)
    assert [_cost(tally) for _, _, tally in sent] == [SENT] * len(ids)
    assert len(inbox.wait_for(len(ids))) == len(ids)


def test_a_delivery_failed_notice_costs_the_same(pg_engine, mail):
    settings, inbox = mail
    with unit_of_work(pg_engine) as s:
        moi = f.institution(s)
        f.contact(s, moi, ["coordinator"], "coord@example.org")
        f.contact(s, moi, ["escalation"], "chief@example.org", name="Deputy Minister")
        f.strategy(s, moi, period_start=date(2027, 1, 1), period_end=date(2030, 12, 31), drafting_due=date(2026, 6, 8))
    now = at(date(2026, 6, 1))
    inbox.refuse["coord@example.org"] = "550 5.1.1 no such mailbox"
    (refused,) = _pass(pg_engine, settings, now)
    [(_, failed, _)] = _send_each(pg_engine, settings, [refused], now)
    assert failed.outcome == "failed"

    (notice_id,) = _pass(pg_engine, settings, now + timedelta(minutes=1))
    [(notice, result, tally)] = _send_each(pg_engine, settings, [notice_id], now + timedelta(minutes=1))

    assert (notice.kind, result.outcome) == ("delivery_failed", "sent")
    assert _cost(tally) == SENT
    (message,) = inbox.wait_for(1)
    assert "coord@example.org" in message["Subject"]


def test_a_retry_costs_three_statements_and_a_cancellation_one_transaction(pg_engine, mail):
    settings, inbox = mail
    _strategy_deadlines(pg_engine)
    now = at(date(2026, 6, 1))
    inbox.refuse["coord@example.org"] = "451 4.3.0 try again later"
    ids = _pass(pg_engine, settings, now)
    assert [_cost(tally) for _, _, tally in _send_each(pg_engine, settings, ids, now)] == [SENT] * 2

    with unit_of_work(pg_engine) as s:  # the week-ahead deadline moves while its retry waits
        reminder = s.scalars(select(Notification).where(Notification.kind == "deadline_reminder")).one()
        update_strategy(s, reminder.strategy_id, StrategyPatch(drafting_due=date(2026, 7, 1)), now=now, actor="test",
                        today=now.date())
    retry_at = now + timedelta(seconds=settings.smtp_retry_base_seconds)
    [(_, result, tally)] = _send_each(pg_engine, settings, [reminder.id], retry_at)

    assert result.outcome == "cancelled"
    assert _cost(tally) == (["UPDATE", "SELECT", "UPDATE"], 1)


def test_a_reminder_whose_date_has_passed_is_cancelled_without_reading_anything_else(pg_engine, mail):
    settings, _ = mail
    _strategy_deadlines(pg_engine)
    now = at(date(2026, 6, 1))
    ids = _pass(pg_engine, settings, now)
    with unit_of_work(pg_engine) as s:
        reminder = s.scalars(select(Notification).where(Notification.kind == "deadline_reminder")).one()
    [(_, result, tally)] = _send_each(pg_engine, settings, [reminder.id], at(date(2026, 6, 9)))

    assert (result.outcome, result.detail) == ("cancelled", DATE_PASSED)
    assert _cost(tally) == (["UPDATE", "UPDATE"], 1)
    assert reminder.id in ids

