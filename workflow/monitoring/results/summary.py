"""What ``GET /strategies/{id}/monitoring`` reports: the year's implementation rate (OECD/SIGMA,
labelled "to date" while the year runs), beside it everything due by the as-of day with the
measures past their planned end, progress to target per indicator, reporting timeliness per
institution and GCM coverage, for a strategy document and its action plans.

``monitoring_for`` reads what it needs (``reading``) in a session of its own, closes it so the
pooled connection goes back, and only then computes (``rates``): a heavy read never holds a
connection while it computes. ``as_json`` prints each number with its unit's precision
(``units``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine

from workflow.core import new_session
from workflow.monitoring.plan.cycles import expected_of
from workflow.monitoring.plan.periods import reporting_periods
from workflow.monitoring.results import rates, units
from workflow.monitoring.results.alignment import coverage
from workflow.monitoring.results.reading import Inputs, PlanIn, read_inputs


@dataclass(frozen=True)
class MeasureRow:
    id: int
    plan_id: int
    code: str | None
    title: str
    institution: str
    status: str
    planned_start: date
    planned_end: date
    completed_on: date | None
    estimated_cost: str | None  # with the currency's decimals
    currency: str | None
    verdict: str | None  # completed | on_schedule | not_implemented; None when not planned in the year
    past_planned_end: bool  # due by the figures' day and not completed by then


@dataclass(frozen=True)
class IndicatorRow:
    id: int
    name: str
    level: str
    unit: str
    direction: str
    baseline: str  # baseline, target and latest share the indicator's precision
    baseline_year: int
    target: str
    target_year: int
    latest: str | None
    latest_period: str | None
    progress: rates.Progress


@dataclass(frozen=True)
class TimelinessRow:
    institution_id: int
    institution: str
    result: rates.Timeliness


@dataclass(frozen=True)
class Monitoring:
    strategy: PlanIn
    year: int
    as_of: date  # the day the results were asked on
    complete: bool  # the year is over: its figures are final, not "to date"
    figures_as_of: date  # 31 December of the year once it is over, else ``as_of``
    implementation: rates.ImplementationRate
    delivery: rates.Delivery
    measures: list[MeasureRow]
    indicators: list[IndicatorRow]
    timeliness: list[TimelinessRow]
    gcm_addressed: list[str]
    gcm_not_addressed: list[str]

    @property
    def to_date(self) -> bool:
        return not self.complete


def _timeliness(inputs: Inputs, year: int, today: date) -> list[TimelinessRow]:
    expected: list[rates.ExpectedReport] = []
    for cycle in inputs.cycles:
        plan = cycle.plan
        periods = reporting_periods(cycle.frequency, cycle.due_days, cycle.starts_on, plan.period_start,
                                    plan.period_end, year=year)
        measures = [m for m in inputs.measures if m.plan_id == plan.id]
        expected += [
            rates.ExpectedReport(e.institution_id, e.period.label, e.period.due_on,
                                 inputs.first_submitted.get((plan.id, e.period.label, e.institution_id)))
            for e in expected_of(periods, measures)
        ]
    return [
        TimelinessRow(t.institution_id, inputs.names.get(t.institution_id, "?"), t)
        for t in rates.timeliness(expected, today)
    ]


def compute(inputs: Inputs, *, year: int, today: date) -> Monitoring:
    """The results from values already read: pure, no database."""
    figures_day = rates.figures_day(year, today)
    facts = [rates.MeasureFacts(m.id, m.planned_start, m.planned_end, m.status, m.completed_on)
             for m in inputs.measures]
    measure_rows = [
        MeasureRow(m.id, m.plan_id, m.code, m.title, inputs.names.get(m.responsible_institution_id, "?"), m.status,
                   m.planned_start, m.planned_end, m.completed_on, units.money(m.estimated_cost, m.currency),
                   m.currency, rates.implementation_verdict(f, year) if rates.planned_in(f, year) else None,
                   rates.past_planned_end(f, figures_day))
        for m, f in zip(inputs.measures, facts, strict=True)
    ]
    indicator_rows = []
    for i in inputs.indicators:
        found: tuple[Decimal | None, str | None] = inputs.latest.get(i.id, (None, None))
        value, label = found
        decimals = units.shared_places((i.baseline, i.target, value))
        indicator_rows.append(IndicatorRow(
            i.id, i.name, i.level, i.unit, i.direction, units.fixed(i.baseline, decimals) or "", i.baseline_year,
            units.fixed(i.target, decimals) or "", i.target_year, units.fixed(value, decimals), label,
            rates.progress_to_target(i.baseline, i.target, value),
        ))
    gcm = coverage(inputs.objective_tags, [(m.id, m.alignment_tags) for m in inputs.measures])["gcm"]
    return Monitoring(
        strategy=inputs.strategy, year=year, as_of=today, complete=rates.year_complete(year, today),
        figures_as_of=figures_day, implementation=rates.implementation_rate(facts, year),
        delivery=rates.delivery_by(facts, year, figures_day), measures=measure_rows, indicators=indicator_rows,
        timeliness=_timeliness(inputs, year, today),
        gcm_addressed=[c.tag for c in gcm if c.addressed], gcm_not_addressed=[c.tag for c in gcm if not c.addressed],
    )


def monitoring_for(engine: Engine, strategy_id: int, *, year: int | None, today: date) -> Monitoring:
    """Read (``NotFound`` for an unknown strategy), give the connection back, then compute. Without a
    ``year``: the last full year, the one a monitoring report is written about."""
    year = today.year - 1 if year is None else year
    with new_session(engine) as session:
        inputs = read_inputs(session, strategy_id, year=year)
    return compute(inputs, year=year, today=today)


def _percent(value: Decimal | None) -> str | None:
    return units.fixed(value, 1)


def as_json(result: Monitoring) -> dict[str, Any]:
    """JSON-ready; exact decimals are strings so no client rounds them through a float."""
    impl, due = result.implementation, result.delivery
    return {
        "strategy": {"id": result.strategy.id, "title": result.strategy.title, "kind": result.strategy.kind},
        "year": result.year,
        "as_of": result.as_of.isoformat(),
        "implementation": {
            "complete": result.complete, "to_date": result.to_date, "as_of": result.figures_as_of.isoformat(),
            "planned": impl.planned, "completed": impl.completed, "on_schedule": impl.on_schedule,
            "implemented": impl.implemented, "cancelled": impl.cancelled, "rate_percent": _percent(impl.rate_percent),
            "not_implemented_measure_ids": list(impl.not_implemented_ids),
        },
        "due_by_as_of": {
            "as_of": due.as_of.isoformat(), "due": due.due, "delivered": due.delivered,
            "rate_percent": _percent(due.rate_percent), "past_planned_end": due.overdue,
            "past_planned_end_measure_ids": list(due.overdue_ids),
            "carried_over_measure_ids": list(due.carried_over_ids), "past_planned_end_cancelled": due.overdue_cancelled,
        },
        "measures": [
            {"id": m.id, "plan_id": m.plan_id, "code": m.code, "title": m.title,
             "responsible_institution": m.institution, "status": m.status,
             "planned_start": m.planned_start.isoformat(), "planned_end": m.planned_end.isoformat(),
             "completed_on": m.completed_on.isoformat() if m.completed_on else None,
             "estimated_cost": m.estimated_cost, "currency": m.currency, "verdict": m.verdict,
             "past_planned_end": m.past_planned_end}
            for m in result.measures
        ],
        "indicators": [
            {"id": i.id, "name": i.name, "level": i.level, "unit": i.unit, "direction": i.direction,
             "baseline": {"value": i.baseline, "year": i.baseline_year},
             "target": {"value": i.target, "year": i.target_year},
             "latest": {"value": i.latest, "period": i.latest_period},
             "progress_percent": _percent(i.progress.percent), "progress_state": i.progress.state}
            for i in result.indicators
        ],
        "timeliness": [
            {"institution_id": t.institution_id, "institution": t.institution, "on_time": t.result.on_time,
             "late": t.result.late, "missing": t.result.missing, "not_yet_due": t.result.not_yet_due}
            for t in result.timeliness
        ],
        "gcm_coverage": {"addressed": result.gcm_addressed, "not_addressed": result.gcm_not_addressed},
    }
