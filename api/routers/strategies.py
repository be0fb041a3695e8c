"""Strategies and their lifecycle transitions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from api.auth import require_roles
from api.deps import MAX_PAGE_SIZE, IfMatchDep, SessionDep, SettingsDep, id_path, work_and_commit
from api.problems import responses
from api.schemas import Page, StageChangeOut, StrategyOut, stage_change_out
from workflow.access import Principal
from workflow.consultation import RECORDS
from workflow.core import POLICY_AREA_PATTERN, SaneDate, clock, local_date
from workflow.lifecycle import (
    Kind,
    Stage,
    Strategy,
    StrategyCreate,
    StrategyFilter,
    StrategyPatch,
    TransitionRequest,
    consultation_floor_for,
    create_strategy,
    edit_as,
    get_strategy,
    history,
    list_strategies,
    revisions_of,
    transition_as,
)

router = APIRouter(prefix="/strategies", tags=["strategies"])
StrategyId = Annotated[int, id_path("strategy")]
Coordinator = Annotated[Principal, require_roles("coordinator")]


def _render(strategy: Strategy, response: Response) -> StrategyOut:
    response.headers["ETag"] = f'"{strategy.version}"'
    return StrategyOut.of(strategy)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=StrategyOut, responses=responses(422))
def create(
    command: StrategyCreate, principal: Coordinator, session: SessionDep, settings: SettingsDep, response: Response
) -> StrategyOut:
    """A coordinator links (``parent_id``, ``predecessor_id``) only to its own institution's strategies, and
    sets ``min_consultation_days`` below the legal minimum (``CONTINUUM_MIN_CONSULTATION_DAYS``) only as an admin."""
    principal.require_institution(command.lead_institution_id, "lead_institution_id")
    now = clock.now()
    strategy = create_strategy(
        session, command, now=now, actor=principal.name, authorize_link=principal.require_institution,
        consultation_floor=consultation_floor_for(principal.role, settings.min_consultation_days),
        today=local_date(now, settings.zone),
    )
    response.headers["Location"] = f"/strategies/{strategy.id}"
    return _render(strategy, response)


@router.get("", response_model=Page[StrategyOut], responses=responses(422))
def index(
    session: SessionDep,
    policy_area: Annotated[str | None, Query(max_length=80, pattern=POLICY_AREA_PATTERN)] = None,
    stage: Stage | None = None,
    kind: Kind | None = None,
    parent_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    lapsing_before: Annotated[
        SaneDate | None, Query(description="Not yet expired, period ending before this day (YYYY-MM-DD).")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Page[StrategyOut]:
    filters = StrategyFilter(
        policy_area=policy_area,
        stage=stage.value if stage else None,
        kind=kind,
        lapsing_before=lapsing_before,
        parent_id=parent_id,
    )
    rows, total = list_strategies(session, filters, limit=limit, offset=offset)
    return Page(items=[StrategyOut.of(s) for s in rows], total=total, limit=limit, offset=offset)


@router.get("/{strategy_id}", response_model=StrategyOut, responses=responses(404, 422))
def show(strategy_id: StrategyId, session: SessionDep, response: Response) -> StrategyOut:
    return _render(get_strategy(session, strategy_id), response)


@router.patch("/{strategy_id}", response_model=StrategyOut, responses=responses(400, 404, 409, 412, 422))
def edit(
    strategy_id: StrategyId,
    command: StrategyPatch,
    principal: Coordinator,
    session: SessionDep,
    settings: SettingsDep,
    if_match: IfMatchDep,
    response: Response,
) -> StrategyOut:
    """Change metadata and deadlines. ``stage`` is not editable here: fire a transition.
    A coordinator can neither edit another institution's strategy nor hand its own to another, nor name
    another's as the predecessor, nor go below the legal minimum consultation.

    Every change is recorded as a revision (``GET /strategies/{id}/revisions``) effective on ``effective_on``:
    today by default; earlier to import a past edit, but not before the previous revision, and before the
    day the strategy was registered only for an admin. ``GET /gaps?known_on=`` answers with the record as it
    was before the revisions effective after that day."""
    strategy = edit_as(session, principal, strategy_id, command, settings=settings, now=clock.now(), if_match=if_match)
    return _render(strategy, response)


TRANSITION_EXAMPLES = {
    "submit_for_consultation": {"value": {"event": "submit_for_consultation"}},
    "approve": {
        "value": {"event": "approve", "approval_reference": "DCM No. 400", "approved_on": "2019-06-19",
                  "effective_on": "2019-06-19"}
    },
    "return_to_drafting": {"value": {"event": "return_to_drafting", "comment": "Add diaspora consultation results."}},
    "expire_early": {"value": {"event": "expire", "reason": "superseded", "effective_on": "2021-01-01"}},
}


@router.post(
    "/{strategy_id}/transitions", response_model=StrategyOut, responses=responses(400, 404, 409, 412, 422)
)
async def transition(
    strategy_id: StrategyId,
    request: Annotated[TransitionRequest, Body(openapi_examples=TRANSITION_EXAMPLES)],
    session: SessionDep,
    settings: SettingsDep,
    principal: Coordinator,
    if_match: IfMatchDep,
    response: Response,
) -> StrategyOut:
    """The history records the token's name as the actor."""
    strategy = await work_and_commit(session, lambda: transition_as(  # one worker thread: see work_and_commit
        session, principal, strategy_id, request, settings=settings, now=clock.now(), if_match=if_match,
        consultation=RECORDS,
    ))
    return _render(strategy, response)


@router.get("/{strategy_id}/transitions", response_model=list[StageChangeOut], responses=responses(404, 422))
def transitions(strategy_id: StrategyId, session: SessionDep) -> list[StageChangeOut]:
    return [stage_change_out(row) for row in history(session, strategy_id)]


class RevisionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    strategy_id: int
    changes: dict[str, list[Any]] = Field(
        description="Each changed field as `[old, new]`.", examples=[{"approval_due": ["2023-09-30", "2024-03-31"]}]
    )
    effective_on: date = Field(description="When the change was really made.")
    effective_on_approximate: bool = Field(description="`effective_on` is not known exactly.")
    actor: str | None
    recorded_at: datetime


@router.get("/{strategy_id}/revisions", response_model=list[RevisionOut], responses=responses(404, 422))
def revisions(strategy_id: StrategyId, session: SessionDep) -> list[RevisionOut]:
    """Every change made to the strategy's fields (by ``PATCH``), oldest first."""
    return [RevisionOut.model_validate(row) for row in revisions_of(session, strategy_id)]
