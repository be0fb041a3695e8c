"""Progress reports: a contact point drafts and submits; a coordinator accepts or returns it.

draft → submitted → accepted, or submitted → returned → (edited) → submitted again. Status
changes are conditional UPDATEs on the status read, so of an accept and a return racing, one
wins and the other gets 409. Accepting applies the report's measure statuses to the measures
(unless a later period's accepted report already spoke for that measure) and makes its
indicator values count in the results. A caller that shows the report in a form passes the
version it was rendered from (``if_match``): a stale one is refused with ``StaleVersion`` (412).
``report_scope`` says which measures and indicators a report speaks for, for its form and checks.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlmodel import Session, col

from workflow.core import (
    ConcurrentUpdate,
    Conflict,
    FieldError,
    StaleVersion,
    ValidationFailed,
    check_seen_version,
    get_or_not_found,
    record_event,
)
from workflow.directory import Institution
from workflow.lifecycle import get_strategy
from workflow.monitoring.models import Indicator, IndicatorValue, Measure, ProgressReport, ReportMeasureUpdate
from workflow.monitoring.plan.cycles import expected_reports, get_cycle, periods_of
from workflow.monitoring.plan.indicators import indicators_in
from workflow.monitoring.requests import AcceptRequest, ReportContent, ReportOpen, ReturnRequest
from workflow.monitoring.statuses import EDITABLE, REPORTS, ReportEvent, ReportStatus


def get_report(session: Session, report_id: int) -> ProgressReport:
    return get_or_not_found(session, ProgressReport, report_id, "progress report", fresh=True)


def list_reports(session: Session, plan_ids: list[int], *, period: str | None = None,
                 institution_id: int | None = None) -> list[ProgressReport]:
    query = select(ProgressReport).where(col(ProgressReport.plan_id).in_(plan_ids))
    if period is not None:
        query = query.where(col(ProgressReport.period_label) == period)
    if institution_id is not None:
        query = query.where(col(ProgressReport.institution_id) == institution_id)
    return list(session.scalars(query.order_by(col(ProgressReport.period_end), col(ProgressReport.institution_id))))


def editable(report: ProgressReport) -> bool:
    """Whether the report's content may still be written (a draft, or returned for changes)."""
    return report.status in EDITABLE


def moves_allowed(report: ProgressReport) -> list[str]:
    """The status moves the report's status allows now: ``submit``, ``accept``, ``return``."""
    return [str(event) for event in REPORTS.allowed(report.status)]


def report_lines(session: Session, report_id: int) -> tuple[list[ReportMeasureUpdate], list[IndicatorValue]]:
    measures = session.scalars(
        select(ReportMeasureUpdate)
        .where(col(ReportMeasureUpdate.report_id) == report_id)
        .order_by(col(ReportMeasureUpdate.measure_id))
    )
    values = session.scalars(
        select(IndicatorValue)
        .where(col(IndicatorValue.report_id) == report_id)
        .order_by(col(IndicatorValue.indicator_id))
    )
    return list(measures), list(values)


def open_report(session: Session, plan_id: int, command: ReportOpen, *, now: datetime) -> ProgressReport:
    plan = get_strategy(session, plan_id)
    assert plan.id is not None, "a strategy read from the database has an id"
    cycle = get_cycle(session, plan.id)
    if session.get(Institution, command.institution_id) is None:
        raise ValidationFailed.field("#/institution_id", f"no institution with id {command.institution_id}")
    periods = {p.label: p for p in periods_of(plan, cycle)}
    if command.period not in periods:
        listed = ", ".join(periods) or "none"
        raise ValidationFailed.field("#/period", f"not a reporting period of strategy {plan.id}; its periods: {listed}")
    expected = {(e.period.label, e.institution_id) for e in expected_reports(session, plan, cycle)}
    if (command.period, command.institution_id) not in expected:
        raise ValidationFailed.field(
            "#/institution_id",
            f"institution {command.institution_id} is responsible for no measure in {command.period}",
        )
    existing = session.scalar(
        select(col(ProgressReport.id)).where(
            col(ProgressReport.plan_id) == plan.id,
            col(ProgressReport.period_label) == command.period,
            col(ProgressReport.institution_id) == command.institution_id,
        )
    )
    if existing is not None:
        raise Conflict(f"the report exists already: /reports/{existing}", report_id=existing)
    period = periods[command.period]
    report = ProgressReport(
        plan_id=plan.id, institution_id=command.institution_id, period_label=period.label, period_start=period.start,
        period_end=period.end, due_on=period.due_on, status=REPORTS.initial, narrative="", version=1,
        created_at=now, updated_at=now,
    )
    session.add(report)
    session.flush()
    return report


def _documents_of(session: Session, plan_id: int) -> list[int]:
    """What a report on the plan speaks for: the plan and, when the same institution leads it, its strategy.
    A strategy another institution leads is not the plan's: its indicators are reported in its own plans."""
    plan = get_strategy(session, plan_id)
    assert plan.id is not None, "a strategy read from the database has an id"
    parent = get_strategy(session, plan.parent_id) if plan.parent_id is not None else None
    if parent is not None and parent.id is not None and parent.lead_institution_id == plan.lead_institution_id:
        return [plan.id, parent.id]
    return [plan.id]


@dataclass(frozen=True)
class ReportScope:
    """What a report speaks for: the plan's measures its institution is responsible for, and the
    indicators it reports on (outcome indicators of the plan's documents and its measures' own)."""

    measures: list[Measure]
    indicators: list[Indicator]


def report_scope(session: Session, report: ProgressReport) -> ReportScope:
    measures = list(session.scalars(
        select(Measure).where(
            col(Measure.plan_id) == report.plan_id,
            col(Measure.responsible_institution_id) == report.institution_id,
        ).order_by(col(Measure.id))
    ))
    own = {m.id for m in measures}
    indicators = [
        i for i in indicators_in(session, _documents_of(session, report.plan_id))
        if i.measure_id is None or i.measure_id in own
    ]
    return ReportScope(measures, indicators)


def _content_errors(session: Session, report: ProgressReport, content: ReportContent) -> list[FieldError]:
    errors: list[FieldError] = []
    scope = report_scope(session, report)
    own_measures = {m.id for m in scope.measures}
    reportable = {i.id for i in scope.indicators}
    seen: set[int] = set()
    for index, line in enumerate(content.measures):
        pointer = f"#/measures/{index}"
        if line.measure_id not in own_measures:
            errors.append(
                FieldError(
                    f"{pointer}/measure_id", "not a measure of this plan that the institution is responsible for"
                )
            )
        elif line.measure_id in seen:
            errors.append(FieldError(f"{pointer}/measure_id", "appears twice"))
        seen.add(line.measure_id)
        if line.completed_on is not None and line.status != "completed":
            errors.append(FieldError(f"{pointer}/completed_on", "only a completed measure has a completion date"))
    seen = set()
    for index, value in enumerate(content.indicator_values):
        if value.indicator_id not in reportable:
            errors.append(
                FieldError(f"#/indicator_values/{index}/indicator_id", "not an indicator this institution reports on")
            )
        elif value.indicator_id in seen:
            errors.append(FieldError(f"#/indicator_values/{index}/indicator_id", "appears twice"))
        seen.add(value.indicator_id)
    return errors


def check_version(report: ProgressReport, if_match: Collection[int] | None) -> None:
    """``if_match`` holds the versions the caller has seen; None means it did not say."""
    check_seen_version("report", report.version, if_match)


def write_report(session: Session, report_id: int, content: ReportContent, *, now: datetime,
                 if_match: Collection[int] | None = None) -> ProgressReport:
    """Replace a draft's (or returned report's) narrative, measure lines and indicator values."""
    report = get_report(session, report_id)
    check_version(report, if_match)
    if report.status not in EDITABLE:
        raise Conflict(f"a {report.status} report cannot be edited", report_status=report.status)
    errors = _content_errors(session, report, content)
    if errors:
        raise ValidationFailed(errors)
    assert report.id is not None, "a report read from the database has an id"
    _bump(session, report, report.status, now=now, if_match=if_match, narrative=content.narrative)
    session.execute(delete(ReportMeasureUpdate).where(col(ReportMeasureUpdate.report_id) == report.id))
    session.execute(delete(IndicatorValue).where(col(IndicatorValue.report_id) == report.id))
    session.add_all([ReportMeasureUpdate(report_id=report.id, **line.model_dump()) for line in content.measures])
    session.add_all([IndicatorValue(report_id=report.id, **value.model_dump()) for value in content.indicator_values])
    session.flush()
    return get_report(session, report.id)


def _bump(session: Session, report: ProgressReport, to_status: str, *, now: datetime,
          if_match: Collection[int] | None = None, **values: Any) -> None:
    """Move ``report`` to ``to_status`` only if nobody changed it since it was read."""
    result = session.exec(
        update(ProgressReport)
        .where(col(ProgressReport.id) == report.id, col(ProgressReport.version) == report.version)
        .values(status=to_status, version=report.version + 1, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        if if_match is not None:
            raise StaleVersion("the report changed while this request was applied: reload and retry")
        raise ConcurrentUpdate("the report was changed by another request at the same time; reload and retry")


def submit_report(session: Session, report_id: int, *, actor: str, today: date, now: datetime,
                  if_match: Collection[int] | None = None) -> ProgressReport:
    report = get_report(session, report_id)
    check_version(report, if_match)
    assert report.id is not None, "a report read from the database has an id"
    _move(session, report, ReportEvent.SUBMIT, actor=actor, now=now, if_match=if_match,
          values={"submitted_at": now, "submitted_by": actor, "first_submitted_on": report.first_submitted_on or today})
    return get_report(session, report.id)


def accept_report(
    session: Session, report_id: int, command: AcceptRequest, *, actor: str, now: datetime,
    if_match: Collection[int] | None = None,
) -> ProgressReport:
    report = get_report(session, report_id)
    check_version(report, if_match)
    assert report.id is not None, "a report read from the database has an id"
    _move(session, report, ReportEvent.ACCEPT, actor=actor, now=now, if_match=if_match,
          values={"reviewed_at": now, "reviewed_by": actor, "review_comment": command.comment})
    _apply_measure_lines(session, report, now=now)
    return get_report(session, report.id)


def return_report(
    session: Session, report_id: int, command: ReturnRequest, *, actor: str, now: datetime,
    if_match: Collection[int] | None = None,
) -> ProgressReport:
    report = get_report(session, report_id)
    check_version(report, if_match)
    assert report.id is not None, "a report read from the database has an id"
    _move(session, report, ReportEvent.RETURN, actor=actor, now=now, if_match=if_match,
          values={"reviewed_at": now, "reviewed_by": actor, "review_comment": command.comment},
          announce={"comment": command.comment})
    return get_report(session, report.id)


def _move(
    session: Session,
    report: ProgressReport,
    event: ReportEvent,
    *,
    actor: str,
    now: datetime,
    values: dict[str, Any],
    announce: dict[str, Any] | None = None,
    if_match: Collection[int] | None = None,
) -> None:
    """The one writer of a report's status: the table's check, the conditional update, the event."""
    move = REPORTS.move(event)
    if not REPORTS.allows(report.status, event):
        sources = " or ".join(REPORTS.sources(event))
        raise Conflict(
            f"only a {sources} report can be {move.done}; this one is {report.status}", report_status=report.status
        )
    _bump(session, report, move.target, now=now, if_match=if_match, **values)
    _event(session, move.announced_as, report, actor, now, **(announce or {}))


def _apply_measure_lines(session: Session, report: ProgressReport, *, now: datetime) -> None:
    assert report.id is not None, "a report read from the database has an id"
    lines, _ = report_lines(session, report.id)
    for line in lines:
        newer = session.scalar(
            select(col(ProgressReport.id))
            .join(ReportMeasureUpdate, col(ReportMeasureUpdate.report_id) == col(ProgressReport.id))
            .where(
                col(ReportMeasureUpdate.measure_id) == line.measure_id,
                col(ProgressReport.status) == ReportStatus.ACCEPTED,
                col(ProgressReport.period_end) > report.period_end,
            )
            .limit(1)
        )
        if newer is not None:
            continue  # a later period's accepted report already gave this measure's status
        measure = session.get(Measure, line.measure_id)
        assert measure is not None
        measure.status = line.status
        measure.completed_on = (line.completed_on or report.period_end) if line.status == "completed" else None
        measure.updated_at = now
        session.add(measure)
    session.flush()


def _event(session: Session, type_: str, report: ProgressReport, actor: str, now: datetime, **extra: Any) -> None:
    payload = {"report_id": report.id, "institution_id": report.institution_id, "period": report.period_label,
               "actor": actor, **extra}
    record_event(session, type_, strategy_id=report.plan_id, payload=payload, at=now)
