"""What ``GET /strategies/{id}/monitoring`` reports: the year's implementation rate, progress to
target per indicator, reporting timeliness per institution and GCM coverage, for a strategy
document and its action plans. Reads the database, computes with ``rates``.

Indicator values count once their report is accepted; the "latest" value for a year is the one
from the accepted report with the latest period ending in or before that year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from workflow.directory import Institution
from workflow.lifecycle import Strategy, get_strategy
from workflow.monitoring.models import Indicator, IndicatorValue, Measure, Objective, ProgressReport, ReportingCycle
from workflow.monitoring.plan.catalog import list_measures, list_objectives, scope_ids
from workflow.monitoring.plan.cycles import expected_reports
from workflow.monitoring.plan.indicators import indicators_in, level_of
from workflow.monitoring.results import rates
from workflow.monitoring.results.alignment import coverage


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
    verdict: str | None  # completed | on_schedule | not_implemented; None when not planned in the year


@dataclass(frozen=True)
class IndicatorRow:
    id: int
    name: str
    level: str
    unit: str
    direction: str
    baseline: Decimal
    baseline_year: int
    target: Decimal
    target_year: int
    latest: Decimal | None
    latest_period: str | None
    progress: rates.Progress


@dataclass(frozen=True)
class TimelinessRow:
    institution_id: int
    institution: str
    result: rates.Timeliness


@dataclass(frozen=True)
class Monitoring:
    strategy: Strategy
    year: int
    as_of: date
    implementation: rates.ImplementationRate
    measures: list[MeasureRow]
    indicators: list[IndicatorRow]
    timeliness: list[TimelinessRow]
    gcm_addressed: list[str]
    gcm_not_addressed: list[str]


def _id(row: Objective | Measure | Indicator) -> int:
    """The primary key of a row read from the database (only a row not yet flushed has none)."""
    assert row.id is not None
    return row.id


def _names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(col(Institution.id), col(Institution.name))).all())


def _latest_values(session: Session, indicator_ids: list[int], year: int) -> dict[int, tuple[Decimal, str]]:
    query = (
        select(col(IndicatorValue.indicator_id), col(IndicatorValue.value), col(ProgressReport.period_label))
        .join(ProgressReport, col(ProgressReport.id) == col(IndicatorValue.report_id))
        .where(col(IndicatorValue.indicator_id).in_(indicator_ids), col(ProgressReport.status) == "accepted",
               col(ProgressReport.period_end) <= date(year, 12, 31))
        .order_by(col(ProgressReport.period_end), col(ProgressReport.reviewed_at))
    )
    return {indicator_id: (value, label) for indicator_id, value, label in session.execute(query)}


def _timeliness(
    session: Session, plans: list[Strategy], year: int, today: date, names: dict[int, str]
) -> list[TimelinessRow]:
    expected: list[rates.ExpectedReport] = []
    for plan in plans:
        cycle = session.get(ReportingCycle, plan.id)
        if cycle is None:
            continue
        submitted = {
            (r.period_label, r.institution_id): r.first_submitted_on
            for r in session.scalars(select(ProgressReport).where(col(ProgressReport.plan_id) == plan.id))
        }
        expected += [
            rates.ExpectedReport(e.institution_id, e.period.label, e.period.due_on,
                                 submitted.get((e.period.label, e.institution_id)))
            for e in expected_reports(session, plan, cycle)
            if e.period.end.year == year
        ]
    return [
        TimelinessRow(t.institution_id, names.get(t.institution_id, "?"), t) for t in rates.timeliness(expected, today)
    ]


def monitoring_for(session: Session, strategy_id: int, *, year: int, today: date) -> Monitoring:
    strategy = get_strategy(session, strategy_id)
    ids = scope_ids(session, strategy)
    plans = [get_strategy(session, i) for i in ids]
    names = _names(session)
    measures = list_measures(session, ids)
    facts = [rates.MeasureFacts(_id(m), m.planned_start, m.planned_end, m.status, m.completed_on) for m in measures]
    implementation = rates.implementation_rate(facts, year)
    measure_rows = [
        MeasureRow(_id(m), m.plan_id, m.code, m.title, names.get(m.responsible_institution_id, "?"), m.status,
                   m.planned_start, m.planned_end, m.completed_on,
                   rates.implementation_verdict(f, year) if rates.planned_in(f, year) else None)
        for m, f in zip(measures, facts, strict=True)
    ]
    scope_with_parent = ids + ([strategy.parent_id] if strategy.parent_id else [])
    indicators = indicators_in(session, scope_with_parent)
    latest = _latest_values(session, [_id(i) for i in indicators], year)
    indicator_rows = []
    for i in indicators:
        found: tuple[Decimal | None, str | None] = latest.get(_id(i), (None, None))
        value, label = found
        indicator_rows.append(IndicatorRow(
            _id(i), i.name, level_of(i), i.unit, i.direction, i.baseline_value, i.baseline_year,
            i.target_value, i.target_year, value, label,
            rates.progress_to_target(i.baseline_value, i.target_value, value),
        ))
    objectives = list_objectives(session, scope_with_parent)
    gcm = coverage(
        [(_id(o), o.alignment_tags) for o in objectives], [(_id(m), m.alignment_tags) for m in measures]
    )["gcm"]
    return Monitoring(
        strategy=strategy, year=year, as_of=today, implementation=implementation, measures=measure_rows,
        indicators=indicator_rows, timeliness=_timeliness(session, plans, year, today, names),
        gcm_addressed=[c.tag for c in gcm if c.addressed], gcm_not_addressed=[c.tag for c in gcm if not c.addressed],
    )


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def as_json(result: Monitoring) -> dict[str, Any]:
    """JSON-ready; exact decimals are strings so no client rounds them through a float."""
    impl = result.implementation
    return {
        "strategy": {"id": result.strategy.id, "title": result.strategy.title, "kind": result.strategy.kind},
        "year": result.year,
        "as_of": result.as_of.isoformat(),
        "implementation": {
            "planned": impl.planned, "completed": impl.completed, "on_schedule": impl.on_schedule,
            "implemented": impl.implemented, "cancelled": impl.cancelled, "rate_percent": _text(impl.rate_percent),
            "not_implemented_measure_ids": list(impl.not_implemented_ids),
        },
        "measures": [
            {"id": m.id, "plan_id": m.plan_id, "code": m.code, "title": m.title,
             "responsible_institution": m.institution, "status": m.status,
             "planned_start": m.planned_start.isoformat(), "planned_end": m.planned_end.isoformat(),
             "completed_on": m.completed_on.isoformat() if m.completed_on else None, "verdict": m.verdict}
            for m in result.measures
        ],
        "indicators": [
            {"id": i.id, "name": i.name, "level": i.level, "unit": i.unit, "direction": i.direction,
             "baseline": {"value": str(i.baseline), "year": i.baseline_year},
             "target": {"value": str(i.target), "year": i.target_year},
             "latest": {"value": _text(i.latest), "period": i.latest_period},
             "progress_percent": _text(i.progress.percent), "progress_state": i.progress.state}
            for i in result.indicators
        ],
        "timeliness": [
            {"institution_id": t.institution_id, "institution": t.institution, "on_time": t.result.on_time,
             "late": t.result.late, "missing": t.result.missing, "not_yet_due": t.result.not_yet_due}
            for t in result.timeliness
        ],
        "gcm_coverage": {"addressed": result.gcm_addressed, "not_addressed": result.gcm_not_addressed},
    }
