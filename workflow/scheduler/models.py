"""The scheduler's own state: how far into the outbox it has planned, for which day, with which settings;
and how its last passes went (``SchedulerHealth``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Float, Integer, String
from sqlmodel import Field, SQLModel

from workflow.core import instant_field


class SchedulerState(SQLModel, table=True):
    """One row (id 1). ``events_through`` is the outbox event the last pass planned through;
    ``planned_for`` names the days it planned everything for (local day and sending day) and
    ``settings_fingerprint`` the settings it planned with: when either differs, a pass plans
    everything again instead of only what changed."""

    __tablename__ = "scheduler_state"

    id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    events_through: int = Field(sa_column=Column(Integer, nullable=False))
    planned_for: str = Field(sa_column=Column(String(40), nullable=False))
    settings_fingerprint: str = Field(sa_column=Column(String(64), nullable=False))


class SchedulerHealth(SQLModel, table=True):
    """One row (id 1): how the last scheduler passes went, for ``GET /metrics`` (``health``).

    Kept apart from ``SchedulerState``, whose writes are the pass's own conditional update of its
    cursor: this row is written after every pass, whether it succeeded or failed."""

    __tablename__ = "scheduler_health"

    id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    last_started_at: datetime | None = instant_field(nullable=True)
    last_duration_seconds: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    last_success_at: datetime | None = instant_field(nullable=True)
    last_failure_at: datetime | None = instant_field(nullable=True)
    failures: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
