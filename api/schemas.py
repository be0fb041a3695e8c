"""Response bodies. Request bodies are the domain's own request models (``workflow.core.Command`` subclasses)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from workflow.access import access_role_of
from workflow.core import OutboxEvent
from workflow.directory import Contact, Institution
from workflow.lifecycle import StageChange, Strategy, allowed_events, in_force_interval

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class InstitutionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    created_at: datetime


class ContactOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    email: str
    institution_id: int
    language: str
    roles: list[str]
    access_role: str = Field(description="What the person may do in the console (derived from `roles` unless set).")
    access_role_set: bool = Field(description="Whether an admin set `access_role` rather than it being derived.")
    delivery: str = Field(description="How their reminders reach them: `immediate`, `daily` or `weekly`.")
    deactivated_at: datetime | None = Field(
        default=None, description="When they were deactivated (they left); null while active."
    )
    handover_contact_id: int | None = Field(
        default=None, description="Who took over their roles and pending reminders, if anyone."
    )
    created_at: datetime
    updated_at: datetime


class InForce(BaseModel):
    start: date
    end: date
    days: int


class StrategyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    policy_area: str
    kind: str
    parent_id: int | None
    predecessor_id: int | None
    lead_institution_id: int
    period_start: date
    period_end: date
    stage: str
    stage_entered_on: date | None
    drafting_started_on: date = Field(
        description="When drafting began (default: the day it was registered); reports see the strategy from then."
    )
    version: int
    allowed_events: list[str]
    drafting_due: date | None
    consultation_due: date | None
    approval_due: date | None
    approval_reference: str | None
    approval_reference_unknown: bool = Field(
        description="The approval was recorded with its act number unknown (`approval_reference` is then null)."
    )
    approved_on: date | None
    expired_on: date | None
    expiry_reason: str | None
    min_consultation_days: int | None
    reminder_offsets: list[int] | None
    overdue_offsets: list[int] | None
    in_force: InForce | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, strategy: Strategy) -> StrategyOut:
        interval = in_force_interval(strategy)
        return cls.model_validate(
            {
                **strategy.model_dump(),
                "allowed_events": allowed_events(strategy.stage),
                "in_force": InForce(start=interval.start, end=interval.end, days=interval.days) if interval else None,
            }
        )


class StageChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    strategy_id: int
    event: str
    from_stage: str
    to_stage: str
    actor: str
    comment: str | None
    effective_on: date
    effective_on_approximate: bool = Field(description="`effective_on` is not known exactly (imported history).")
    recorded_at: datetime


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    type: str
    strategy_id: int | None
    payload: dict[str, Any]
    occurred_at: datetime


class EventPage(BaseModel):
    items: list[EventOut]
    next_after: int


def institution_out(row: Institution) -> InstitutionOut:
    return InstitutionOut.model_validate(row)


def contact_out(row: Contact) -> ContactOut:
    return ContactOut.model_validate(
        {**row.model_dump(), "access_role": access_role_of(row), "access_role_set": row.access_role is not None}
    )


def stage_change_out(row: StageChange) -> StageChangeOut:
    return StageChangeOut.model_validate(row)


def event_out(row: OutboxEvent) -> EventOut:
    return EventOut.model_validate(row)
