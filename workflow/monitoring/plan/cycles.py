"""A plan's reporting cycle, and who is asked to report for which period.

Every institution responsible for a measure that is not cancelled and whose planned window
overlaps a period is asked for a report on that period (contributing institutions feed the
responsible one; they do not report separately).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlmodel import Session, col

from workflow.core import NotFound
from workflow.lifecycle import Strategy, get_strategy
from workflow.monitoring.models import Measure, ReportingCycle
from workflow.monitoring.plan.periods import Period, reporting_periods
from workflow.monitoring.requests import CycleSet


def set_cycle(session: Session, plan_id: int, command: CycleSet, *, today: date, now: datetime) -> ReportingCycle:
    plan = get_strategy(session, plan_id)
    assert plan.id is not None
    cycle = session.get(ReportingCycle, plan.id, populate_existing=True)
    starts_on = command.starts_on or today
    if cycle is None:
        cycle = ReportingCycle(plan_id=plan.id, frequency=command.frequency, due_days=command.due_days,
                               starts_on=starts_on, created_at=now, updated_at=now)
    else:
        cycle.frequency, cycle.due_days = command.frequency, command.due_days
        cycle.starts_on, cycle.updated_at = starts_on, now
    session.add(cycle)
    session.flush()
    return cycle


def get_cycle(session: Session, plan_id: int) -> ReportingCycle:
    get_strategy(session, plan_id)
    cycle = session.get(ReportingCycle, plan_id, populate_existing=True)
    if cycle is None:
        raise NotFound(f"strategy {plan_id} has no reporting cycle; PUT one first")
    return cycle


def periods_of(plan: Strategy, cycle: ReportingCycle) -> list[Period]:
    return reporting_periods(cycle.frequency, cycle.due_days, cycle.starts_on, plan.period_start, plan.period_end)


def responsible_for(measures: Iterable[Measure], period: Period) -> set[int]:
    return {
        m.responsible_institution_id
        for m in measures
        if m.status != "cancelled" and m.planned_start <= period.end and m.planned_end >= period.start
    }


@dataclass(frozen=True)
class Expected:
    period: Period
    institution_id: int


def expected_reports(session: Session, plan: Strategy, cycle: ReportingCycle) -> list[Expected]:
    measures = list(session.scalars(select(Measure).where(col(Measure.plan_id) == plan.id)))
    return [
        Expected(period, institution_id)
        for period in periods_of(plan, cycle)
        for institution_id in sorted(responsible_for(measures, period))
    ]
