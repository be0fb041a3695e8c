"""The gap watch table: the last gap status announced per strategy."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, String
from sqlmodel import Field, SQLModel

from workflow.core import instant_field
from workflow.lifecycle import Strategy  # noqa: F401  (named by its foreign keys)


class GapWatch(SQLModel, table=True):
    """The last gap status the scheduler saw per strategy, so a change is announced once."""

    __tablename__ = "gap_watch"

    strategy_id: int = Field(sa_column=Column(Integer, ForeignKey("strategies.id"), primary_key=True))
    status: str = Field(sa_column=Column(String(20), nullable=False))
    changed_at: datetime = instant_field(nullable=False)
