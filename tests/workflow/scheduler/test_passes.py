"""The scheduler pass against a real (SQLite) database: what it records, cancels and expires."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from tests import factories as f
from workflow.core.db import unit_of_work
from workflow.core.outbox import OutboxEvent
from workflow.lifecycle.models import StageChange, Strategy
from workflow.lifecycle.requests import StrategyPatch
from workflow.lifecycle.strategies import update_strategy
from workflow.reminders.models import Notification
from workflow.scheduler.passes import run_pass

# 2026-06-01 10:00 in Tirane (CEST, UTC+2): after the 09:00 send hour.
NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
TODAY = date(2026, 6, 1)


@pytest.fixture
def world(engine):
    """A ministry with a coordinator, an escalation contact, one with both roles, and another ministry."""
    with unit_of_work(engine) as s:
        moi = f.institution(s)
        other = f.institution(s, "Ministry of Finance")
        ids = {
            "moi": moi,
            "coordinator": f.contact(s, moi, ["coordinator"], "coord@example.org"),
            "escalation": f.contact(s, moi, ["escalation"], "chief@example.org"),
            "both": f.contact(s, moi, ["coordinator", "escalation"], "both@example.org"),
            "outsider": f.contact(s, other, ["coordinator", "escalation"], "other@example.org"),
        }
    return ids


def _in_consultation(engine, moi, due: date) -> int:
    with unit_of_work(engine) as s:
        strategy = f.strategy(s, moi, period_start=date(2027, 1, 1), period_end=date(2030, 12, 31),
                              consultation_due=due)
        f.advance(s, strategy.id, "submit_for_consultation", today=TODAY, effective_on=date(2026, 5, 4))
        return strategy.id


def _rows(engine) -> list[Notification]:
    with unit_of_work(engine) as s:
        return list(s.scalars(select(Notification).order_by(Notification.id)))


def test_a_reminder_is_recorded_once_per_coordinator_and_a_second_pass_adds_nothing(engine, settings, world):
    strategy_id = _in_consultation(engine, world["moi"], date(2026, 6, 8))

    first = run_pass(engine, now=NOW, settings=settings)
    second = run_pass(engine, now=NOW, settings=settings)

    rows = _rows(engine)
    assert {r.contact_id for r in rows} == {world["coordinator"], world["both"]}
    assert all(
        (r.offset_days, r.kind, r.status, r.strategy_id) == (7, "deadline_reminder", "pending", strategy_id)
        for r in rows
    )
    assert first.recorded == 2 and second.recorded == 0
    assert sorted(first.due) == sorted(r.id for r in rows)


def test_nothing_is_due_before_nine_local(engine, settings, world):
    _in_consultation(engine, world["moi"], date(2026, 6, 8))
    early = datetime(2026, 6, 1, 6, 59, tzinfo=UTC)  # 08:59 in Tirane
    report = run_pass(engine, now=early, settings=settings)
    assert [r.offset_days for r in _rows(engine)] == [30, 30]  # yesterday's view: the 30-day one
    assert report.recorded == 2


def test_catch_up_records_only_the_most_recent_missed_offset(engine, settings, world):
    _in_consultation(engine, world["moi"], date(2026, 6, 3))  # 90, 30 and 7 days before all passed
    run_pass(engine, now=NOW, settings=settings)
    assert {r.offset_days for r in _rows(engine)} == {7}


def test_the_late_overdue_notice_is_escalated(engine, settings, world):
    _in_consultation(engine, world["moi"], date(2026, 5, 25))  # due a week ago
    run_pass(engine, now=NOW, settings=settings)
    rows = _rows(engine)
    assert {r.contact_id for r in rows} == {world["coordinator"], world["escalation"], world["both"]}
    assert all(r.kind == "overdue" and r.offset_days == -7 and r.escalated for r in rows)


def test_moving_the_deadline_cancels_the_pending_reminder(engine, settings, world):
    strategy_id = _in_consultation(engine, world["moi"], date(2026, 6, 8))
    run_pass(engine, now=NOW, settings=settings)
    with unit_of_work(engine) as s:
        update_strategy(s, strategy_id, StrategyPatch(consultation_due=date(2026, 9, 30)), now=NOW,
                        today=NOW.date())
    report = run_pass(engine, now=NOW, settings=settings)
    rows = _rows(engine)
    assert report.cancelled == 2
    assert [r.status for r in rows if r.due_on == date(2026, 6, 8)] == ["cancelled", "cancelled"]
    assert report.due == [r.id for r in rows if r.status == "pending"]


def test_advancing_the_stage_cancels_the_pending_reminder(engine, settings, world):
    strategy_id = _in_consultation(engine, world["moi"], date(2026, 6, 8))
    run_pass(engine, now=NOW, settings=settings)
    with unit_of_work(engine) as s:
        f.advance(s, strategy_id, "submit_for_approval", today=TODAY, effective_on=TODAY)
    report = run_pass(engine, now=NOW, settings=settings)
    assert report.cancelled == 2 and report.due == []


def test_per_strategy_offsets_override_the_deployment_default(engine, settings, world):
    with unit_of_work(engine) as s:
        strategy = f.strategy(s, world["moi"], period_start=date(2027, 1, 1), period_end=date(2030, 12, 31),
                              drafting_due=date(2026, 6, 15), reminder_offsets=[14])
    run_pass(engine, now=NOW, settings=settings)
    assert {(r.deadline_kind, r.offset_days) for r in _rows(engine)} == {("drafting_due", 14)}
    assert strategy.id


def _approved(session, moi, **fields) -> Strategy:
    strategy = f.strategy(session, moi, **fields)
    start = fields["period_start"]
    f.advance(session, strategy.id, "submit_for_consultation", today=TODAY, effective_on=date(start.year - 1, 1, 5))
    f.advance(session, strategy.id, "submit_for_approval", today=TODAY, effective_on=date(start.year - 1, 3, 2))
    approved_on = fields.get("_approved_on", date(start.year - 1, 6, 1))
    return f.advance(session, strategy.id, "approve", today=TODAY, effective_on=approved_on,
                     approval_reference="DCM No. 1", approved_on=approved_on)


def test_a_strategy_whose_period_ended_expires_the_day_after(engine, settings, world):
    with unit_of_work(engine) as s:
        strategy_id = _approved(s, world["moi"], period_start=date(2023, 1, 1), period_end=date(2026, 5, 31)).id
    report = run_pass(engine, now=NOW, settings=settings)
    again = run_pass(engine, now=NOW, settings=settings)
    with unit_of_work(engine) as s:
        strategy = s.get(Strategy, strategy_id)
        change = s.scalars(select(StageChange).where(StageChange.event == "expire")).one()
        events = s.scalars(select(OutboxEvent.type).where(OutboxEvent.strategy_id == strategy_id)).all()
    assert report.expired == [strategy_id] and again.expired == []
    assert (strategy.stage, strategy.expired_on, strategy.expiry_reason) == ("expiry", date(2026, 6, 1), "period_ended")
    assert (change.actor, change.effective_on) == ("system", date(2026, 6, 1))
    assert events.count("stage_changed") == 4


def test_an_approved_successor_supersedes_its_predecessor_on_its_start_date(engine, settings, world):
    with unit_of_work(engine) as s:
        old = _approved(s, world["moi"], title="Diaspora 2018-2024", policy_area="diaspora",
                        period_start=date(2018, 1, 1), period_end=date(2027, 12, 31))
        new = _approved(s, world["moi"], title="Diaspora 2026-2030", policy_area="diaspora",
                        period_start=date(2026, 5, 1), period_end=date(2030, 12, 31), predecessor_id=old.id)
    report = run_pass(engine, now=NOW, settings=settings)
    with unit_of_work(engine) as s:
        old_row, new_row = s.get(Strategy, old.id), s.get(Strategy, new.id)
    assert report.expired == [old.id]
    assert (old_row.stage, old_row.expiry_reason, old_row.expired_on) == ("expiry", "superseded", date(2026, 5, 1))
    assert new_row.stage == "implementation"


def test_a_successor_not_yet_started_does_not_supersede(engine, settings, world):
    with unit_of_work(engine) as s:
        old = _approved(s, world["moi"], policy_area="diaspora", period_start=date(2018, 1, 1),
                        period_end=date(2027, 12, 31))
        _approved(s, world["moi"], title="later", policy_area="diaspora", period_start=date(2027, 1, 1),
                  period_end=date(2030, 12, 31), predecessor_id=old.id)
    assert run_pass(engine, now=NOW, settings=settings).expired == []
