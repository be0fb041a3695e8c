"""Gap warnings and gap status changes through the scheduler pass (SQLite, real SMTP)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from tests import factories as f
from tests.smtp_sink import smtp_sink
from workflow.core.db import unit_of_work
from workflow.core.outbox import OutboxEvent
from workflow.mail import SmtpTransport
from workflow.reminders.delivery import deliver
from workflow.reminders.models import Notification
from workflow.scheduler import source_for
from workflow.scheduler.notices import compose_for
from workflow.scheduler.passes import run_pass

NOW = datetime(2026, 9, 22, 8, 0, tzinfo=UTC)  # 10:00 in Tirane; 100 days before 2026-12-31
TODAY = date(2026, 9, 22)


def _approved(session, moi, approved_on: date | None = None, **fields):
    strategy = f.strategy(session, moi, **fields)
    year = fields["period_start"].year
    f.advance(session, strategy.id, "submit_for_consultation", today=TODAY, effective_on=date(year - 1, 1, 5))
    f.advance(session, strategy.id, "submit_for_approval", today=TODAY, effective_on=date(year - 1, 3, 2))
    approved_on = approved_on or date(year - 1, 6, 1)
    return f.advance(session, strategy.id, "approve", today=TODAY, effective_on=approved_on,
                     approval_reference="DCM No. 400", approved_on=approved_on)


def _events(engine, type_: str) -> list[OutboxEvent]:
    with unit_of_work(engine) as s:
        return list(s.scalars(select(OutboxEvent).where(OutboxEvent.type == type_).order_by(OutboxEvent.id)))


def test_a_lapse_without_successor_is_warned_once_to_coordinators_and_escalation(engine, settings):
    with unit_of_work(engine) as s:
        moi = f.institution(s)
        coordinator = f.contact(s, moi, ["coordinator"], "coord@example.org")
        chief = f.contact(s, moi, ["escalation"], "chief@example.org", name="Deputy Minister")
        strategy = _approved(s, moi, title="National Strategy on Migration 2023-2026",
                             period_start=date(2023, 1, 1), period_end=date(2026, 12, 31))

    first = run_pass(engine, now=NOW, settings=settings)
    second = run_pass(engine, now=NOW, settings=settings)

    with unit_of_work(engine) as s:
        rows = list(s.scalars(select(Notification).where(Notification.kind == "gap_warning")))
    assert sorted(r.contact_id for r in rows) == [coordinator, chief]
    assert {(r.offset_days, r.due_on, r.deadline_kind) for r in rows} == {(180, date(2026, 12, 31), "gap")}
    assert second.recorded == 0 and first.recorded >= 2
    (warning,) = _events(engine, "gap_warning")
    assert warning.strategy_id == strategy.id and warning.payload["days_before"] == 180
    (change,) = _events(engine, "gap_status_changed")
    assert (change.payload["from"], change.payload["to"]) == (None, "at_risk")

    with smtp_sink() as (port, inbox):
        mail_settings = settings.model_copy(update={"smtp_port": port})
        for row_id in first.due:
            deliver(engine, row_id, source_for=source_for, clock=lambda: NOW, transport=SmtpTransport(mail_settings),
                    compose=compose_for(mail_settings), settings=mail_settings)
        subjects = {m["Subject"] for m in inbox.wait_for(2)}
    assert "National Strategy on Migration 2023-2026 lapses in 100 days: no successor approved" in subjects


def test_an_approved_successor_covers_the_lapse_cancels_pending_warnings_and_is_announced(engine, settings):
    with unit_of_work(engine) as s:
        moi = f.institution(s)
        f.contact(s, moi, ["coordinator"], "coord@example.org")
        old = _approved(s, moi, period_start=date(2023, 1, 1), period_end=date(2026, 12, 31))
    run_pass(engine, now=NOW, settings=settings)
    with unit_of_work(engine) as s:
        _approved(s, moi, title="National Strategy on Migration 2027-2030", period_start=date(2027, 1, 1),
                  period_end=date(2030, 12, 31), predecessor_id=old.id, approved_on=date(2026, 9, 1))

    report = run_pass(engine, now=NOW, settings=settings)

    with unit_of_work(engine) as s:
        statuses = [r.status for r in s.scalars(select(Notification).where(Notification.kind == "gap_warning"))]
    assert statuses == ["cancelled"] and report.cancelled == 1
    changes = [
        (e.payload["from"], e.payload["to"]) for e in _events(engine, "gap_status_changed") if e.strategy_id == old.id
    ]
    assert changes == [(None, "at_risk"), ("at_risk", "covered")]


def test_the_pipeline_rule_warns_beyond_the_lead_time_once_and_says_why(engine, settings):
    """Three past strategies took about three years from drafting start to approval: a lapse 465 days
    away with no successor is warned about now, not 365 days before it, with the reasons in words."""
    with unit_of_work(engine) as s:
        moi = f.institution(s)
        f.contact(s, moi, ["coordinator"], "coord@example.org")
        for year in (2011, 2015, 2019):
            _approved(s, moi, title=f"Strategy {year}", period_start=date(year, 1, 1),
                      period_end=date(year + 3, 12, 31), drafting_started_on=date(year - 4, 1, 2))
        current = _approved(s, moi, title="Strategy 2023-2027", period_start=date(2023, 1, 1),
                            period_end=date(2027, 12, 31))

    first = run_pass(engine, now=NOW, settings=settings)
    again = run_pass(engine, now=NOW, settings=settings)

    with unit_of_work(engine) as s:
        rows = list(s.scalars(select(Notification).where(Notification.kind == "gap_warning",
                                                         Notification.strategy_id == current.id)))
    assert len(rows) == 1 and rows[0].offset_days > settings.gap_lead_days and again.recorded == 0
    details = rows[0].details
    assert details["risk_rule"] == "pipeline"
    assert details["statement"]["en"][1].startswith("No successor is under way")
    assert details["statement"]["sq"][1].startswith("Nuk ka pasardhës në përgatitje")
    assert first.recorded >= 1
