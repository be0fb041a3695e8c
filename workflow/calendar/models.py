"""The one-off non-working days a government declares by decision, which no holiday package knows."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Date, String
from sqlmodel import Field, SQLModel

from workflow.core import instant_field


class NonWorkingDay(SQLModel, table=True):
    __tablename__ = "non_working_days"

    day: date = Field(sa_column=Column(Date, primary_key=True))
    name: str = Field(sa_column=Column(String(200), nullable=False))
    declared_by: str = Field(sa_column=Column(String(200), nullable=False))
    created_at: datetime = instant_field(nullable=False)
