"""Tables of the directory: institutions and the people (contacts) in them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, String
from sqlmodel import Field, SQLModel

from workflow.core import UTCDateTime

LANGUAGES = ("en", "sq")


CONTACT_ROLES = ("coordinator", "escalation", "contact_point")


def _when(**kwargs: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kwargs)


class Institution(SQLModel, table=True):
    __tablename__ = "institutions"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(200), nullable=False, unique=True))
    created_at: datetime = _when(nullable=False)


class Contact(SQLModel, table=True):
    __tablename__ = "contacts"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(200), nullable=False))
    email: str = Field(sa_column=Column(String(320), nullable=False))
    institution_id: int = Field(
        sa_column=Column(Integer, ForeignKey("institutions.id"), nullable=False, index=True)
    )
    language: str = Field(sa_column=Column(String(2), nullable=False))
    roles: list[str] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = _when(nullable=False)
    updated_at: datetime = _when(nullable=False)
