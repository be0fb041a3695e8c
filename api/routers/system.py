"""Health and the event feed for integrations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import text

from api.deps import MAX_ID, MAX_PAGE_SIZE, SessionDep
from api.problems import responses
from api.schemas import EventPage, event_out
from workflow.core import events_after

router = APIRouter(tags=["system"])


@router.get("/health", responses=responses(503))
def health(session: SessionDep) -> dict[str, str]:
    """Answers 200 when the API can reach its database, 503 (problem+json) when it cannot."""
    session.execute(text("SELECT 1"))
    return {"status": "ok", "database": "ok"}


@router.get("/events", response_model=EventPage, responses=responses(422))
def events(
    session: SessionDep,
    after: Annotated[int, Query(ge=0, le=MAX_ID, description="Return events with an id above this one.")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 100,
) -> EventPage:
    """Domain events in the order they were committed. Pass the returned ``next_after`` to continue."""
    rows = events_after(session, after, limit)
    return EventPage(items=[event_out(r) for r in rows], next_after=rows[-1].id if rows else after)
