"""A plan's reporting cycle, and who is asked to report for which period.

Every institution responsible for a measure that is not cancelled and whose planned window
overlaps a period is asked for a report on that period (contributing institutions feed the
responsible one; they do not report separately).

A cycle spans at most ``MAX_CYCLE_YEARS`` calendar years (see ``periods``); setting one that
would span more is a 422 on ``starts_on``, since a later start is what shortens it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import select
from sqlmodel import Session, col

from workflow.core import NotFound, ValidationFailed
from workflow.lifecycle import Strategy, get_strategy
from workflow.monitoring.models import Measure, ReportingCycle
from workflow.monitoring.plan.periods import MAX_CYCLE_YEARS, Period, cycle_span_years, reporting_periods
from workflow.monitoring.requests import CycleSet


def set_cycle(session: Session, plan_id: int, command: CycleSet, *, today: date, now: datetime) -> ReportingCycle:
    plan = get_strategy(session, plan_id)
    assert plan.id is not None
    cycle = session.get(ReportingCycle, plan.id, populate_existing=True)
    starts_on = command.starts_on or today
    span = cycle_span_years(command.frequency, starts_on, plan.period_start, plan.period_end)
    if span > MAX_CYCLE_YEARS:
        raise ValidationFailed.field("#/starts_on", (
            f"the cycle would span {span} years ({max(plan.period_start, starts_on).year} to "
            f"{plan.period_end.year}); a reporting cycle spans at most {MAX_CYCLE_YEARS}: start it later"
        ))
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


def periods_of(plan: Strategy, cycle: ReportingCycle, *, year: int | None = None) -> list[Period]:
    """The periods the cycle asks for (only those of ``year``, when given)."""
    return reporting_periods(
        cycle.frequency, cycle.due_days, cycle.starts_on, plan.period_start, plan.period_end, year=year
    )


class Scheduled(Protocol):
    """What deciding who reports needs of a measure (a ``Measure`` row, or values read from one)."""

    @property
    def responsible_institution_id(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def planned_start(self) -> date: ...
    @property
    def planned_end(self) -> date: ...


def responsible_for(measures: Iterable[Scheduled], period: Period) -> set[int]:
    return {
        m.responsible_institution_id
        for m in measures
        if m.status != "cancelled" and m.planned_start <= period.end and m.planned_end >= period.start
    }


@dataclass(frozen=True)
class Expected:
    period: Period
    institution_id: int


def expected_of(periods: list[Period], measures: Iterable[Scheduled]) -> list[Expected]:
    """Every (period, institution) asked for: ``responsible_for`` each period, in period order.

    Computed per institution over the union of its measures' windows, so the work grows with
    the answer (periods times institutions), not with periods times measures."""
    windows: dict[int, list[tuple[date, date]]] = {}
    for m in measures:
        if m.status != "cancelled":
            windows.setdefault(m.responsible_institution_id, []).append((m.planned_start, m.planned_end))
    starts, ends = [p.start for p in periods], [p.end for p in periods]
    asked: list[set[int]] = [set() for _ in periods]
    for institution_id, spans in windows.items():
        spans.sort()
        merged: list[tuple[date, date]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        for start, end in merged:  # periods overlapping start..end: end >= start and start <= end
            for index in range(bisect_left(ends, start), bisect_right(starts, end)):
                asked[index].add(institution_id)
    return [
        Expected(period, institution_id)
        for period, institutions in zip(periods, asked, strict=True)
        for institution_id in sorted(institutions)
    ]


def expected_reports(session: Session, plan: Strategy, cycle: ReportingCycle) -> list[Expected]:
    measures = list(session.scalars(select(Measure).where(col(Measure.plan_id) == plan.id)))
    return expected_of(periods_of(plan, cycle), measures)
