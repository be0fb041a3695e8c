"""The API token table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, String
from sqlmodel import Field, SQLModel

from workflow.core import instant_field
from workflow.directory import Institution  # noqa: F401  (named by its foreign keys)

TOKEN_ROLES = ("admin", "coordinator", "contact_point", "viewer")



class ApiToken(SQLModel, table=True):
    """A bearer token. Only a hash of the secret is stored; ``prefix`` identifies it in listings."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'coordinator', 'contact_point', 'viewer')", name="ck_api_tokens_role"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(200), nullable=False, unique=True))
    role: str = Field(sa_column=Column(String(20), nullable=False))
    institution_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("institutions.id"), nullable=True, index=True)
    )
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    prefix: str = Field(sa_column=Column(String(16), nullable=False))
    created_at: datetime = instant_field(nullable=False)
    expires_at: datetime | None = instant_field(nullable=True)
    revoked_at: datetime | None = instant_field(nullable=True)
    last_used_at: datetime | None = instant_field(nullable=True)
