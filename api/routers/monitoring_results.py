"""Monitoring results (JSON, CSV, printable HTML) and alignment coverage."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import Engine

from api.deps import SessionDep, SettingsDep, id_path
from api.problems import responses
from api.routers.monitoring_schemas import CoverageItemOut, CoverageOut, FrameworkItemOut, FrameworkOut, MonitoringOut
from workflow.core import Settings, clock
from workflow.lifecycle import get_strategy
from workflow.monitoring import (
    Monitoring,
    as_csv,
    as_html,
    as_json,
    coverage,
    frameworks,
    list_measures,
    list_objectives,
    monitoring_for,
    scope_ids,
)

router = APIRouter(tags=["monitoring: results"])
StrategyId = Annotated[int, id_path("strategy")]
Year = Annotated[int | None, Query(ge=1900, le=2200, description="Calendar year; default: the last full year.")]
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"



def _result(strategy_id: int, year: int | None, request: Request, settings: Settings) -> Monitoring:
    """No request session: ``monitoring_for`` reads in a short session of its own and gives the
    pooled connection back before it computes."""
    engine: Engine = request.app.state.engine
    return monitoring_for(engine, strategy_id, year=year, today=clock.today(settings.zone))


def _csv(result: Monitoring) -> Response:
    filename = f"monitoring-{result.strategy.id}-{result.year}.csv"
    return Response(as_csv(result), media_type=CSV_MEDIA_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get(
    "/strategies/{strategy_id}/monitoring",
    responses={**responses(404, 422), 200: {"model": MonitoringOut, "content": {"text/csv": {}}}},
)
def monitoring(
    strategy_id: StrategyId, request: Request, settings: SettingsDep, year: Year = None,
    format: Annotated[Literal["json", "csv"], Query(description="`csv` for spreadsheets")] = "json",
) -> Any:
    """Implementation rate of the year (OECD/SIGMA; `to_date` while the year runs), beside it
    everything due by the as-of day with the measures past their planned end, progress to
    target per indicator, reporting timeliness per institution and GCM coverage, for the
    document and its action plans."""
    result = _result(strategy_id, year, request, settings)
    return _csv(result) if format == "csv" else JSONResponse(as_json(result))


@router.get("/strategies/{strategy_id}/monitoring.csv", response_class=Response, responses=responses(404, 422))
def monitoring_csv(strategy_id: StrategyId, request: Request, settings: SettingsDep, year: Year = None) -> Response:
    return _csv(_result(strategy_id, year, request, settings))


@router.get("/strategies/{strategy_id}/monitoring/report", response_class=HTMLResponse, responses=responses(404, 422))
def monitoring_report(
    strategy_id: StrategyId, request: Request, settings: SettingsDep, year: Year = None,
    language: Annotated[Literal["en", "sq"], Query(
        description="The report's language: `en` English (default) or `sq` Albanian; its wording, "
                    "`<html lang>`, dates and numbers follow it."
    )] = "en",
) -> HTMLResponse:
    """A printable monitoring report for the committee to circulate, in English or Albanian."""
    return HTMLResponse(as_html(_result(strategy_id, year, request, settings), language))


@router.get("/strategies/{strategy_id}/alignment", response_model=CoverageOut, responses=responses(404, 422))
def alignment_coverage(strategy_id: StrategyId, session: SessionDep) -> CoverageOut:
    """Which GCM objectives, SDG 10.7 items and MGI domains the document's objectives and measures
    address, and which none does."""
    strategy = get_strategy(session, strategy_id)
    ids = scope_ids(session, strategy)
    owners = ids + ([strategy.parent_id] if strategy.parent_id else [])
    objectives, measures = list_objectives(session, owners), list_measures(session, ids)
    # Rows read from the database: every one has its id.
    objective_tags = [(o.id, o.alignment_tags) for o in objectives if o.id is not None]
    measure_tags = [(m.id, m.alignment_tags) for m in measures if m.id is not None]
    result = coverage(objective_tags, measure_tags)
    return CoverageOut(
        strategy_id=strategy_id,
        addressed={k: [c.tag for c in items if c.addressed] for k, items in result.items()},
        not_addressed={k: [c.tag for c in items if not c.addressed] for k, items in result.items()},
        items={k: [CoverageItemOut(tag=c.tag, label=c.label, objective_ids=list(c.objective_ids),
                                   measure_ids=list(c.measure_ids)) for c in items] for k, items in result.items()},
    )


@router.get("/alignment/frameworks", response_model=list[FrameworkOut])
def alignment_frameworks() -> list[FrameworkOut]:
    """The reference lists shipped with Continuum, with their sources; tags are ``framework:code``."""
    return [
        FrameworkOut(key=f.key, name=f.name, source=f.source,
                     items=[FrameworkItemOut(tag=i.tag, code=i.code, label=i.label) for i in f.items])
        for f in frameworks()
    ]
