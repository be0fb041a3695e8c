"""The feed tokens' table: one row per feed URL ever issued, for a contact or an institution."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer, String, text
from sqlmodel import Field, SQLModel

from workflow.core import instant_field
from workflow.directory import Contact, Institution  # noqa: F401  (named by its foreign keys)


class CalendarFeed(SQLModel, table=True):
    """A calendar feed's token: only its SHA-256 is kept (as for API tokens), so the URL cannot be
    read back from the database. Exactly one owner; at most one live (unrevoked) feed per owner,
    which the partial unique indexes hold even when two requests create one at once."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (
        CheckConstraint("(contact_id IS NULL) <> (institution_id IS NULL)", name="ck_calendar_feeds_one_owner"),
        Index("uq_calendar_feeds_live_contact", "contact_id", unique=True,
              postgresql_where=text("revoked_at IS NULL"), sqlite_where=text("revoked_at IS NULL")),
        Index("uq_calendar_feeds_live_institution", "institution_id", unique=True,
              postgresql_where=text("revoked_at IS NULL"), sqlite_where=text("revoked_at IS NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    contact_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("contacts.id"), nullable=True)
    )
    institution_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("institutions.id"), nullable=True)
    )
    created_at: datetime = instant_field(nullable=False)
    revoked_at: datetime | None = instant_field(nullable=True)
