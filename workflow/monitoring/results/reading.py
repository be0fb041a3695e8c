"""What the monitoring results need from the database, read in one go into plain values.

``read_inputs`` runs a fixed handful of queries whose size is bounded by what the plan may hold
(``plan.limits``, ``plan.periods``): nothing here walks the plan's years. The caller closes the
session right after, so the pooled connection goes back before any computing starts.

Indicator values count once their report is accepted; the "latest" value for a year is the one
from the accepted report with the latest period ending in or before that year (the latest
reviewed, when two such reports cover the same period).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlmodel import Session, col

from workflow.directory import Institution
from workflow.lifecycle import Strategy, get_strategy
from workflow.monitoring.models import IndicatorValue, ProgressReport, ReportingCycle
from workflow.monitoring.plan.catalog import list_measures, list_objectives, scope_ids
from workflow.monitoring.plan.indicators import indicators_in, level_of


@dataclass(frozen=True, slots=True)
class PlanIn:
    id: int
    title: str
    kind: str
    period_start: date
    period_end: date


@dataclass(frozen=True, slots=True)
class MeasureIn:
    id: int
    plan_id: int
    code: str | None
    title: str
    responsible_institution_id: int
    status: str
    planned_start: date
    planned_end: date
    completed_on: date | None
    estimated_cost: Decimal | None
    currency: str | None
    alignment_tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class IndicatorIn:
    id: int
    name: str
    level: str
    unit: str
    direction: str
    baseline: Decimal
    baseline_year: int
    target: Decimal
    target_year: int


@dataclass(frozen=True, slots=True)
class CycleIn:
    plan: PlanIn
    frequency: str
    due_days: int
    starts_on: date


@dataclass(frozen=True)
class Inputs:
    strategy: PlanIn
    measures: list[MeasureIn]
    indicators: list[IndicatorIn]
    latest: dict[int, tuple[Decimal, str]]  # indicator id -> (value, period label)
    objective_tags: list[tuple[int, tuple[str, ...]]]
    cycles: list[CycleIn]
    first_submitted: dict[tuple[int, str, int], date | None]  # (plan, period, institution), periods of the year
    names: dict[int, str]


def _plan(strategy: Strategy) -> PlanIn:
    assert strategy.id is not None, "a strategy read from the database has its id"
    return PlanIn(strategy.id, strategy.title, strategy.kind, strategy.period_start, strategy.period_end)


def _latest_values(session: Session, indicator_ids: list[int], year: int) -> dict[int, tuple[Decimal, str]]:
    """One row per indicator, picked in the database: the value of its latest accepted period."""
    if not indicator_ids:
        return {}
    ranked = (
        select(
            col(IndicatorValue.indicator_id).label("indicator_id"),
            col(IndicatorValue.value).label("value"),
            col(ProgressReport.period_label).label("period_label"),
            func.row_number().over(
                partition_by=col(IndicatorValue.indicator_id),
                order_by=(col(ProgressReport.period_end).desc(), col(ProgressReport.reviewed_at).desc().nulls_last(),
                          col(ProgressReport.id).desc()),
            ).label("rank"),
        )
        .join(ProgressReport, col(ProgressReport.id) == col(IndicatorValue.report_id))
        .where(col(IndicatorValue.indicator_id).in_(indicator_ids), col(ProgressReport.status) == "accepted",
               col(ProgressReport.period_end) <= date(year, 12, 31))
        .subquery()
    )
    query = select(ranked.c.indicator_id, ranked.c.value, ranked.c.period_label).where(ranked.c.rank == 1)
    return {indicator_id: (value, label) for indicator_id, value, label in session.execute(query)}


def read_inputs(session: Session, strategy_id: int, *, year: int) -> Inputs:
    strategy = get_strategy(session, strategy_id)
    ids = scope_ids(session, strategy)
    plans = {p.id: _plan(p) for p in session.scalars(select(Strategy).where(col(Strategy.id).in_(ids)))}
    measures = [
        MeasureIn(m.id, m.plan_id, m.code, m.title, m.responsible_institution_id, m.status, m.planned_start,
                  m.planned_end, m.completed_on, m.estimated_cost, m.currency, tuple(m.alignment_tags))
        for m in list_measures(session, ids) if m.id is not None  # read from the database: every one has its id
    ]
    scope_with_parent = ids + ([strategy.parent_id] if strategy.parent_id else [])
    indicators = [
        IndicatorIn(i.id, i.name, level_of(i), i.unit, i.direction, i.baseline_value, i.baseline_year,
                    i.target_value, i.target_year)
        for i in indicators_in(session, scope_with_parent) if i.id is not None
    ]
    objective_tags = [
        (o.id, tuple(o.alignment_tags)) for o in list_objectives(session, scope_with_parent) if o.id is not None
    ]
    cycles = [
        CycleIn(plans[c.plan_id], c.frequency, c.due_days, c.starts_on)
        for c in session.scalars(
            select(ReportingCycle).where(col(ReportingCycle.plan_id).in_(ids)).order_by(col(ReportingCycle.plan_id))
        )
    ]
    reports = session.execute(
        select(col(ProgressReport.plan_id), col(ProgressReport.period_label), col(ProgressReport.institution_id),
               col(ProgressReport.first_submitted_on))
        .where(col(ProgressReport.plan_id).in_(ids), col(ProgressReport.period_end) >= date(year, 1, 1),
               col(ProgressReport.period_end) <= date(year, 12, 31))
    )
    responsible = sorted({m.responsible_institution_id for m in measures})
    names: dict[int, str] = {
        institution_id: name
        for institution_id, name in session.execute(
            select(col(Institution.id), col(Institution.name)).where(col(Institution.id).in_(responsible))
        )
    }
    return Inputs(
        strategy=_plan(strategy),
        measures=measures,
        indicators=indicators,
        latest=_latest_values(session, [i.id for i in indicators], year),
        objective_tags=objective_tags,
        cycles=cycles,
        first_submitted={(p, label, i): first for p, label, i, first in reports},
        names=names,
    )
