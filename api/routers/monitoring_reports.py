"""Progress reports: contact points write and submit their own institution's; coordinators of
the plan's lead institution accept or return them with a comment."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlmodel import Session

from api.auth import PrincipalDep
from api.deps import SessionDep, SettingsDep, id_path
from api.problems import responses
from api.routers.monitoring_schemas import MeasureLineOut, ReportOut, ValueLineOut
from workflow.core import clock
from workflow.lifecycle import get_strategy
from workflow.monitoring import (
    AcceptRequest,
    PeriodLabel,
    ProgressReport,
    ReportContent,
    ReportOpen,
    ReturnRequest,
    reports,
    require_report_author,
    require_report_reviewer,
    scope_ids,
)

router = APIRouter(tags=["monitoring: reports"])
StrategyId = Annotated[int, id_path("strategy")]
ReportId = Annotated[int, id_path("progress report")]
WRITE = responses(403, 404, 409, 422)


def _out(session: Session, report: ProgressReport) -> ReportOut:
    assert report.id is not None  # read from the database or flushed
    measures, values = reports.report_lines(session, report.id)
    return ReportOut.model_validate(report).model_copy(update={
        "measures": [MeasureLineOut.model_validate(m) for m in measures],
        "indicator_values": [ValueLineOut.model_validate(v) for v in values],
    })


@router.post("/strategies/{strategy_id}/reports", status_code=status.HTTP_201_CREATED, response_model=ReportOut,
             responses=WRITE)
def open_report(
    strategy_id: StrategyId, command: ReportOpen, session: SessionDep, principal: PrincipalDep
) -> ReportOut:
    """Start the draft report of an institution for a period (``409`` with ``report_id`` if it exists)."""
    require_report_author(principal, command.institution_id)
    report = reports.open_report(session, strategy_id, command, now=clock.now())
    return _out(session, report)


@router.get("/strategies/{strategy_id}/reports", response_model=list[ReportOut], responses=responses(404, 422))
def list_reports(
    strategy_id: StrategyId,
    session: SessionDep,
    period: Annotated[PeriodLabel | None, Query(description="e.g. 2025-Q1")] = None,
    institution_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> list[ReportOut]:
    ids = scope_ids(session, get_strategy(session, strategy_id))
    return [_out(session, r) for r in reports.list_reports(session, ids, period=period, institution_id=institution_id)]


@router.get("/reports/{report_id}", response_model=ReportOut, responses=responses(404, 422))
def show_report(report_id: ReportId, session: SessionDep) -> ReportOut:
    return _out(session, reports.get_report(session, report_id))


@router.put("/reports/{report_id}", response_model=ReportOut, responses=WRITE)
def write_report(
    report_id: ReportId, content: ReportContent, session: SessionDep, principal: PrincipalDep
) -> ReportOut:
    """Replace the draft's narrative, measure statuses and indicator values (draft or returned only)."""
    require_report_author(principal, reports.get_report(session, report_id).institution_id)
    report = reports.write_report(session, report_id, content, now=clock.now())
    return _out(session, report)


@router.post("/reports/{report_id}/submit", response_model=ReportOut, responses=WRITE)
def submit_report(
    report_id: ReportId, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> ReportOut:
    require_report_author(principal, reports.get_report(session, report_id).institution_id)
    report = reports.submit_report(
        session, report_id, actor=principal.name, today=clock.today(settings.zone), now=clock.now()
    )
    return _out(session, report)


@router.post("/reports/{report_id}/accept", response_model=ReportOut, responses=WRITE)
def accept_report(report_id: ReportId, session: SessionDep, principal: PrincipalDep,
                  command: AcceptRequest | None = None) -> ReportOut:
    require_report_reviewer(principal, get_strategy(session, reports.get_report(session, report_id).plan_id))
    report = reports.accept_report(
        session, report_id, command or AcceptRequest(), actor=principal.name, now=clock.now()
    )
    return _out(session, report)


@router.post("/reports/{report_id}/return", response_model=ReportOut, responses=WRITE)
def return_report(
    report_id: ReportId, command: ReturnRequest, session: SessionDep, principal: PrincipalDep
) -> ReportOut:
    require_report_reviewer(principal, get_strategy(session, reports.get_report(session, report_id).plan_id))
    report = reports.return_report(session, report_id, command, actor=principal.name, now=clock.now())
    return _out(session, report)
