"""The notification ledger, read-only: what was sent, what is pending, what failed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from api.deps import MAX_ID, MAX_PAGE_SIZE, SessionDep
from api.problems import responses
from api.schemas import Page
from workflow.reminders import list_notifications

router = APIRouter(tags=["notifications"])


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    strategy_id: int
    deadline_kind: str
    due_on: date
    offset_days: int
    kind: str
    escalated: bool
    contact_id: int
    status: str
    attempts: int
    last_error: str | None
    details: dict[str, Any]
    created_at: datetime
    due_at: datetime | None
    sent_at: datetime | None


@router.get("/notifications", response_model=Page[NotificationOut], responses=responses(422))
def notifications(
    session: SessionDep,
    strategy_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    status: Literal["pending", "sending", "sent", "failed", "cancelled", "held", "merged"] | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Page[NotificationOut]:
    """Newest first. ``offset_days`` is positive before the due date, negative for overdue notices."""
    rows, total = list_notifications(session, strategy_id=strategy_id, status=status, limit=limit, offset=offset)
    return Page(items=[NotificationOut.model_validate(r) for r in rows], total=total, limit=limit, offset=offset)
