"""Report due dates in the reminder ledger, under a frozen clock: remind, cancel on submission,
overdue and escalation after the due date, never twice."""

from __future__ import annotations

from datetime import UTC, date, datetime

import freezegun
from sqlalchemy import select

from tests.workflow.monitoring.builders import monitored_plan
from workflow.core.db import unit_of_work
from workflow.directory import Institution
from workflow.monitoring.reporting.reports import open_report, submit_report
from workflow.monitoring.requests import ReportOpen
from workflow.reminders.models import Notification
from workflow.scheduler.notices import compose_for
from workflow.scheduler.passes import run_pass

# 2020-Q1 of the plan is due on 2020-04-30 (quarter end + 30 days). 08:00 UTC is 10:00 in Tirane.
DUE = date(2020, 4, 30)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 8, 0, tzinfo=UTC)


def rows(engine) -> list[Notification]:
    with unit_of_work(engine) as s:
        return list(s.scalars(
            select(Notification).where(Notification.deadline_kind == "report_due").order_by(Notification.id)
        ))


def submit(engine, world, day: date) -> None:
    with freezegun.freeze_time(at(day)), unit_of_work(engine) as s:
        report = open_report(s, world.plan_id, ReportOpen(period="2020-Q1", institution_id=world.partner), now=at(day))
        submit_report(s, report.id, actor="cp", today=day, now=at(day))


def test_the_contact_point_is_reminded_before_the_due_date_with_the_period(engine, settings):
    world = monitored_plan(engine)
    with freezegun.freeze_time(at(date(2020, 4, 23))):
        report = run_pass(engine, now=at(date(2020, 4, 23)), settings=settings)
    (row,) = rows(engine)
    assert (row.kind, row.offset_days, row.due_on, row.contact_id) == (
        "report_due", 7, DUE, world.partner_contact_point
    )
    assert (row.strategy_id, row.deadline_key) == (world.plan_id, f"report:{world.plan_id}:2020-Q1:{world.partner}")
    assert report.due == [row.id]
    with unit_of_work(engine) as s:
        message = compose_for(settings)(s, s.get(Notification, row.id), at(date(2020, 4, 23)))
    assert "2020-Q1" in message.get_body(("plain",)).get_content()


def test_no_reminder_offset_reaches_back_before_the_period_closes(engine, settings):
    """The default offsets include 90 days; for a report due 30 days after its quarter that would
    arrive mid-quarter. Only offsets within the due window are used."""
    monitored_plan(engine)
    with freezegun.freeze_time(at(date(2020, 3, 20))):
        run_pass(engine, now=at(date(2020, 3, 20)), settings=settings)
    assert rows(engine) == []
    with freezegun.freeze_time(at(date(2020, 3, 31))):
        run_pass(engine, now=at(date(2020, 3, 31)), settings=settings)
    assert [r.offset_days for r in rows(engine)] == [30]


def test_submitting_the_report_cancels_the_pending_reminder_and_stops_further_ones(engine, settings):
    world = monitored_plan(engine)
    with freezegun.freeze_time(at(date(2020, 4, 23))):
        run_pass(engine, now=at(date(2020, 4, 23)), settings=settings)
    submit(engine, world, date(2020, 4, 24))
    with freezegun.freeze_time(at(date(2020, 4, 29))):
        report = run_pass(engine, now=at(date(2020, 4, 29)), settings=settings)
    assert report.cancelled == 1
    assert [(r.offset_days, r.status) for r in rows(engine)] == [(7, "cancelled")]
    with freezegun.freeze_time(at(date(2020, 5, 8))):
        run_pass(engine, now=at(date(2020, 5, 8)), settings=settings)
    assert len(rows(engine)) == 1  # no overdue notice for a submitted report


def test_a_missing_report_gets_overdue_notices_then_escalates_to_the_lead_institution_once(engine, settings):
    world = monitored_plan(engine)
    with freezegun.freeze_time(at(date(2020, 5, 1))):  # a day late, but Labour Day: the notice waits
        run_pass(engine, now=at(date(2020, 5, 1)), settings=settings)
    assert rows(engine) == []
    with freezegun.freeze_time(at(date(2020, 5, 4))):  # the next working day
        run_pass(engine, now=at(date(2020, 5, 4)), settings=settings)
    (first,) = rows(engine)
    assert (first.kind, first.offset_days, first.escalated) == ("overdue", -1, False)

    for _ in range(2):  # the same moment twice: recorded once
        with freezegun.freeze_time(at(date(2020, 5, 7))):
            run_pass(engine, now=at(date(2020, 5, 7)), settings=settings)
    late = [r for r in rows(engine) if r.offset_days == -7]
    assert all(r.kind == "overdue" and r.escalated for r in late)
    assert sorted(r.contact_id for r in late) == sorted([world.partner_contact_point, world.lead_escalation])


def test_a_report_that_was_never_expected_is_not_chased_for_periods_before_the_cycle_started(engine, settings):
    monitored_plan(engine, starts_on=date(2020, 7, 1))  # 2020-Q1 and Q2 ended before: not asked for
    with freezegun.freeze_time(at(date(2020, 5, 8))):
        run_pass(engine, now=at(date(2020, 5, 8)), settings=settings)
    assert rows(engine) == []


def test_an_overdue_notice_says_whose_report_is_late_and_for_which_period(engine, settings):
    world = monitored_plan(engine)
    with freezegun.freeze_time(at(date(2020, 5, 4))):
        run_pass(engine, now=at(date(2020, 5, 4)), settings=settings)
    (row,) = rows(engine)
    with unit_of_work(engine) as s:
        partner = s.get(Institution, world.partner)
        assert partner is not None
        message = compose_for(settings)(s, s.get(Notification, row.id), at(date(2020, 5, 4)))
    text = message.get_body(("plain",)).get_content()
    assert f"progress report of {partner.name} for 2020-Q1" in str(message["Subject"])
    assert f"Reporting institution: {partner.name}" in text and "Reporting period: 2020-Q1" in text
