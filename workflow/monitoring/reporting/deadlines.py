"""Report due dates as deadlines in the notification ledger (a ``DeadlineSource``).

For every plan in force with a reporting cycle, each (period, responsible institution) whose
report is not yet submitted is a live deadline keyed ``report:{plan}:{period}:{institution}``.
The scheduler then reminds the institution's contact points before the due date (rows of kind
``report_due``), sends overdue notices after it and escalates late ones to the escalation
contacts of the plan's lead institution (the coordinating committee). Submitting the report
takes the deadline out of the live set, so pending reminders for it are cancelled.

Reminders go out only on offsets within the due window (a 90-day reminder for a report due 30
days after its quarter closes would arrive before there is anything to report).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from workflow.core import Settings
from workflow.lifecycle import IN_FORCE_STAGES, Strategy
from workflow.monitoring.models import Measure, ProgressReport, ReportingCycle
from workflow.monitoring.plan.cycles import expected_reports, periods_of
from workflow.monitoring.plan.periods import parse_label
from workflow.reminders import (
    NEVER,
    REPORT_DUE,
    Deadline,
    LiveDeadline,
    Notification,
    Reading,
    Recheck,
    ReminderPolicy,
    recheck_now,
    reminder_policy,
)

SUBMITTED = ("submitted", "accepted")


def report_deadline_key(plan_id: int, period_label: str, institution_id: int) -> str:
    return f"report:{plan_id}:{period_label}:{institution_id}"


def period_of_key(key: str) -> str | None:
    """The period label in a report deadline key, or None for any other key."""
    parts = key.split(":")
    return parts[2] if len(parts) == 4 and parts[0] == "report" else None


def institution_of_key(key: str) -> int | None:
    """The reporting institution's id in a report deadline key, or None for any other key."""
    parts = key.split(":")
    return int(parts[3]) if len(parts) == 4 and parts[0] == "report" and parts[3].isdigit() else None


def report_policy(
    before: Iterable[int], after: Iterable[int], escalate_after_days: int, due_days: int
) -> ReminderPolicy:
    within = [offset for offset in before if offset <= due_days] or [due_days]
    return ReminderPolicy.of(within, list(after), escalate_after_days)


def _plan_deadlines(session: Session, plan: Strategy, cycle: ReportingCycle) -> Iterator[tuple[Deadline, int]]:
    submitted = {tuple(row) for row in session.execute(
        select(col(ProgressReport.period_label), col(ProgressReport.institution_id))
        .where(col(ProgressReport.plan_id) == plan.id, col(ProgressReport.status).in_(SUBMITTED))
    )}
    assert plan.id is not None
    for expected in expected_reports(session, plan, cycle):
        if (expected.period.label, expected.institution_id) in submitted:
            continue
        key = report_deadline_key(plan.id, expected.period.label, expected.institution_id)
        yield Deadline(key, REPORT_DUE, plan.id, expected.period.due_on), expected.institution_id


def _in_force(plan: Strategy | None) -> bool:
    return plan is not None and plan.stage in {stage.value for stage in IN_FORCE_STAGES}


_CYCLE = aliased(ReportingCycle, name="report_cycle")  # read along with a row being re-checked


class ReportDeadlines:
    kinds = frozenset({REPORT_DUE})

    def live(
        self, session: Session, settings: Settings, *, strategy_ids: Collection[int] | None = None
    ) -> Iterable[LiveDeadline]:
        query = (
            select(Strategy, ReportingCycle)
            .join(ReportingCycle, col(ReportingCycle.plan_id) == col(Strategy.id))
            .order_by(col(Strategy.id))
        )
        if strategy_ids is not None:
            query = query.where(col(Strategy.id).in_(sorted(strategy_ids)))
        rows = session.execute(query)
        for plan, cycle in rows:
            if not _in_force(plan):
                continue
            base = reminder_policy(plan, settings)
            policy = report_policy(base.before, base.after, base.escalate_after_days, cycle.due_days)
            for deadline, institution_id in _plan_deadlines(session, plan, cycle):
                yield LiveDeadline(deadline, institution_id, "contact_point", policy,
                                   escalation_institution_id=plan.lead_institution_id)

    def still_live(self, session: Session, row: Notification) -> bool:
        return recheck_now(session, row, self.recheck(row))

    def recheck(self, row: Notification) -> Recheck:
        """The deadline of ``report:{plan}:{period}:{institution}`` is live while the plan is in force
        with a cycle asking for that period, due that day, the institution is responsible for a
        measure (not cancelled) overlapping it, and its report is not submitted. The period's days
        follow from its label, so all of it is read along with the row: the cycle, and two EXISTS."""
        label, institution_id = period_of_key(row.deadline_key), institution_of_key(row.deadline_key)
        try:
            period = parse_label(label) if label is not None else None
        except ValueError:
            period = None
        if period is None or institution_id is None:
            return NEVER
        if report_deadline_key(row.strategy_id, period.label, institution_id) != row.deadline_key:
            return NEVER  # the key names another plan than the row's
        cycle = _CYCLE
        submitted = exists().where(
            col(ProgressReport.plan_id) == row.strategy_id,
            col(ProgressReport.period_label) == period.label,
            col(ProgressReport.institution_id) == institution_id,
            col(ProgressReport.status).in_(SUBMITTED),
        )
        responsible = exists().where(  # ``responsible_for``, for this one institution and period
            col(Measure.plan_id) == row.strategy_id,
            col(Measure.responsible_institution_id) == institution_id,
            col(Measure.status) != "cancelled",
            col(Measure.planned_start) <= period.end,
            col(Measure.planned_end) >= period.start,
        )

        def extend(query: Select[Any]) -> Select[Any]:
            return query.add_columns(
                cycle, submitted.label("report_submitted"), responsible.label("report_responsible")
            ).outerjoin(cycle, col(cycle.plan_id) == col(Notification.strategy_id))

        def holds(reading: Reading) -> bool:
            plan, found = reading.strategy, reading.values["report_cycle"]
            if plan is None or found is None or not _in_force(plan):
                return False
            if reading.values["report_submitted"] or not reading.values["report_responsible"]:
                return False
            asked = periods_of(plan, found, year=period.start.year)
            return any(p.label == period.label and p.due_on == row.due_on for p in asked)

        return Recheck(holds=holds, extend=extend)
