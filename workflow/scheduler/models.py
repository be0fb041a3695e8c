"""The scheduler's own state: how far into the outbox it has planned, for which day, with which settings."""

from __future__ import annotations

from sqlalchemy import Column, Integer, String
from sqlmodel import Field, SQLModel


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
