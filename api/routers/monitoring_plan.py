"""Objectives, measures and indicators of a strategy or action plan; its reporting cycle; CSV import.

Changes are for coordinators of the document's lead institution (and admins); reads for anyone. Every
row a change links to (a parent objective, a measure's objective) is authorized against its own
institution too: the services call ``Principal.require_institution`` with the owner of each.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Response, status
from sqlmodel import Session

from api.auth import PrincipalDep
from api.deps import SessionDep, SettingsDep, id_path
from api.problems import responses
from api.routers.monitoring_schemas import (
    CycleOut,
    CycleWithPeriods,
    ImportOut,
    IndicatorOut,
    MeasureOut,
    ObjectiveOut,
    PeriodOut,
)
from workflow.access import Principal
from workflow.core import clock
from workflow.lifecycle import get_strategy
from workflow.monitoring import (
    CycleSet,
    Indicator,
    IndicatorCreate,
    IndicatorPatch,
    Measure,
    MeasureCreate,
    MeasurePatch,
    Objective,
    ObjectiveCreate,
    ObjectivePatch,
    ReportingCycle,
    catalog,
    expected_reports,
    get_cycle,
    import_plan_csv,
    indicators,
    require_plan_editor,
    set_cycle,
)

router = APIRouter(tags=["monitoring: plan"])
StrategyId = Annotated[int, id_path("strategy")]
ObjectiveId = Annotated[int, id_path("objective")]
MeasureId = Annotated[int, id_path("measure")]
IndicatorId = Annotated[int, id_path("indicator")]
WRITE = responses(403, 404, 409, 422)


def _indicator_out(indicator: Indicator) -> IndicatorOut:
    return IndicatorOut.model_validate({**indicator.model_dump(), "level": indicators.level_of(indicator)})


def _may_edit(session: Session, principal: Principal, strategy_id: int) -> None:
    require_plan_editor(principal, get_strategy(session, strategy_id))


# Objectives


@router.post("/strategies/{strategy_id}/objectives", status_code=status.HTTP_201_CREATED, response_model=ObjectiveOut,
             responses=WRITE)
def create_objective(
    strategy_id: StrategyId, command: ObjectiveCreate, session: SessionDep, settings: SettingsDep,
    principal: PrincipalDep,
) -> Objective:
    _may_edit(session, principal, strategy_id)
    objective = catalog.create_objective(
        session, strategy_id, command, now=clock.now(), authorize_link=principal.require_institution,
        settings=settings,
    )
    return objective


@router.get("/strategies/{strategy_id}/objectives", response_model=list[ObjectiveOut], responses=responses(404, 422))
def list_objectives(strategy_id: StrategyId, session: SessionDep) -> list[Objective]:
    return catalog.list_objectives(session, catalog.scope_ids(session, get_strategy(session, strategy_id)))


@router.get("/objectives/{objective_id}", response_model=ObjectiveOut, responses=responses(404, 422))
def show_objective(objective_id: ObjectiveId, session: SessionDep) -> Objective:
    return catalog.get_objective(session, objective_id)


@router.patch("/objectives/{objective_id}", response_model=ObjectiveOut, responses=WRITE)
def edit_objective(
    objective_id: ObjectiveId, command: ObjectivePatch, session: SessionDep, principal: PrincipalDep
) -> Objective:
    _may_edit(session, principal, catalog.get_objective(session, objective_id).strategy_id)
    objective = catalog.update_objective(session, objective_id, command, now=clock.now())
    return objective


@router.delete("/objectives/{objective_id}", status_code=status.HTTP_204_NO_CONTENT, responses=WRITE)
def delete_objective(objective_id: ObjectiveId, session: SessionDep, principal: PrincipalDep) -> Response:
    _may_edit(session, principal, catalog.get_objective(session, objective_id).strategy_id)
    catalog.delete_objective(session, objective_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# Measures


@router.post("/strategies/{strategy_id}/measures", status_code=status.HTTP_201_CREATED, response_model=MeasureOut,
             responses=WRITE)
def create_measure(
    strategy_id: StrategyId, command: MeasureCreate, session: SessionDep, settings: SettingsDep,
    principal: PrincipalDep,
) -> Measure:
    _may_edit(session, principal, strategy_id)
    measure = catalog.create_measure(
        session, strategy_id, command, now=clock.now(), authorize_link=principal.require_institution,
        settings=settings,
    )
    return measure


@router.get("/strategies/{strategy_id}/measures", response_model=list[MeasureOut], responses=responses(404, 422))
def list_measures(strategy_id: StrategyId, session: SessionDep) -> list[Measure]:
    return catalog.list_measures(session, catalog.scope_ids(session, get_strategy(session, strategy_id)))


@router.get("/measures/{measure_id}", response_model=MeasureOut, responses=responses(404, 422))
def show_measure(measure_id: MeasureId, session: SessionDep) -> Measure:
    return catalog.get_measure(session, measure_id)


@router.patch("/measures/{measure_id}", response_model=MeasureOut, responses=WRITE)
def edit_measure(
    measure_id: MeasureId, command: MeasurePatch, session: SessionDep, principal: PrincipalDep
) -> Measure:
    _may_edit(session, principal, catalog.get_measure(session, measure_id).plan_id)
    measure = catalog.update_measure(
        session, measure_id, command, now=clock.now(), authorize_link=principal.require_institution
    )
    return measure


@router.delete("/measures/{measure_id}", status_code=status.HTTP_204_NO_CONTENT, responses=WRITE)
def delete_measure(measure_id: MeasureId, session: SessionDep, principal: PrincipalDep) -> Response:
    _may_edit(session, principal, catalog.get_measure(session, measure_id).plan_id)
    catalog.delete_measure(session, measure_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/strategies/{strategy_id}/measures/import", status_code=status.HTTP_201_CREATED, response_model=ImportOut,
    responses=responses(403, 404, 413, 422),
    openapi_extra={"requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def import_measures(
    strategy_id: StrategyId,
    csv_body: Annotated[bytes, Body(media_type="text/csv")],
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> ImportOut:
    """Import objectives and measures from CSV (see ``workflow.monitoring.plan.importer`` for the columns).
    All rows or none: a 422 lists every bad row and column as ``#/rows/{line}/{column}``.
    The body limit is ``CONTINUUM_MAX_BODY_BYTES`` (413 beyond it), as for every request."""
    _may_edit(session, principal, strategy_id)
    result = import_plan_csv(
        session, strategy_id, csv_body, now=clock.now(), authorize_link=principal.require_institution,
        settings=settings,
    )
    return ImportOut(**vars(result))


# Indicators


@router.post("/objectives/{objective_id}/indicators", status_code=status.HTTP_201_CREATED, response_model=IndicatorOut,
             responses=WRITE)
def create_outcome_indicator(
    objective_id: ObjectiveId, command: IndicatorCreate, session: SessionDep, settings: SettingsDep,
    principal: PrincipalDep,
) -> IndicatorOut:
    _may_edit(session, principal, catalog.get_objective(session, objective_id).strategy_id)
    indicator = indicators.create_indicator(
        session, command, objective_id=objective_id, now=clock.now(), authorize_link=principal.require_institution,
        settings=settings,
    )
    return _indicator_out(indicator)


@router.post("/measures/{measure_id}/indicators", status_code=status.HTTP_201_CREATED, response_model=IndicatorOut,
             responses=WRITE)
def create_output_indicator(
    measure_id: MeasureId, command: IndicatorCreate, session: SessionDep, settings: SettingsDep,
    principal: PrincipalDep,
) -> IndicatorOut:
    _may_edit(session, principal, catalog.get_measure(session, measure_id).plan_id)
    indicator = indicators.create_indicator(
        session, command, measure_id=measure_id, now=clock.now(), authorize_link=principal.require_institution,
        settings=settings,
    )
    return _indicator_out(indicator)


@router.get("/strategies/{strategy_id}/indicators", response_model=list[IndicatorOut], responses=responses(404, 422))
def list_indicators(strategy_id: StrategyId, session: SessionDep) -> list[IndicatorOut]:
    strategy = get_strategy(session, strategy_id)
    return [_indicator_out(i) for i in indicators.indicators_in(session, catalog.scope_ids(session, strategy))]


@router.get("/indicators/{indicator_id}", response_model=IndicatorOut, responses=responses(404, 422))
def show_indicator(indicator_id: IndicatorId, session: SessionDep) -> IndicatorOut:
    return _indicator_out(indicators.get_indicator(session, indicator_id))


@router.patch("/indicators/{indicator_id}", response_model=IndicatorOut, responses=WRITE)
def edit_indicator(
    indicator_id: IndicatorId, command: IndicatorPatch, session: SessionDep, principal: PrincipalDep
) -> IndicatorOut:
    _may_edit(session, principal, indicators.strategy_of(session, indicators.get_indicator(session, indicator_id)))
    indicator = indicators.update_indicator(session, indicator_id, command, now=clock.now())
    return _indicator_out(indicator)


@router.delete("/indicators/{indicator_id}", status_code=status.HTTP_204_NO_CONTENT, responses=WRITE)
def delete_indicator(indicator_id: IndicatorId, session: SessionDep, principal: PrincipalDep) -> Response:
    _may_edit(session, principal, indicators.strategy_of(session, indicators.get_indicator(session, indicator_id)))
    indicators.delete_indicator(session, indicator_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# Reporting cycle


@router.put("/strategies/{strategy_id}/reporting-cycle", response_model=CycleOut, responses=WRITE)
def put_cycle(
    strategy_id: StrategyId, command: CycleSet, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> ReportingCycle:
    _may_edit(session, principal, strategy_id)
    cycle = set_cycle(session, strategy_id, command, today=clock.today(settings.zone), now=clock.now())
    return cycle


@router.get("/strategies/{strategy_id}/reporting-cycle", response_model=CycleWithPeriods, responses=responses(404, 422))
def show_cycle(strategy_id: StrategyId, session: SessionDep) -> CycleWithPeriods:
    """The cycle and every period it asks for, with its due date and the institutions asked."""
    cycle = get_cycle(session, strategy_id)
    by_period: dict[str, PeriodOut] = {}
    for expected in expected_reports(session, get_strategy(session, strategy_id), cycle):
        p = expected.period
        by_period.setdefault(
            p.label, PeriodOut(label=p.label, start=p.start, end=p.end, due_on=p.due_on, institution_ids=[])
        )
        by_period[p.label].institution_ids.append(expected.institution_id)
    return CycleWithPeriods(**CycleOut.model_validate(cycle).model_dump(), periods=list(by_period.values()))
