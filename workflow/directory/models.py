"""Tables of the directory: institutions and the people (contacts) in them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from workflow.core import instant_field

LANGUAGES = ("en", "sq")


CONTACT_ROLES = ("coordinator", "escalation", "contact_point")
DELIVERY_PREFERENCES = ("immediate", "daily", "weekly")
IMMEDIATE = DELIVERY_PREFERENCES[0]  # one email per reminder: the default, and what escalations always get



class Institution(SQLModel, table=True):
    __tablename__ = "institutions"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(200), nullable=False, unique=True))
    created_at: datetime = instant_field(nullable=False)


def address_key(email: str) -> str:
    """The address as the one-contact-per-address rule compares it: case-folded."""
    return email.lower()


class Contact(SQLModel, table=True):
    """A person of an institution. ``email_key`` (the case-folded address) is unique per institution,
    so nobody is recorded twice and gets every email twice."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("institution_id", "email_key", name="uq_contacts_institution_email"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(200), nullable=False))
    email: str = Field(sa_column=Column(String(320), nullable=False))
    email_key: str = Field(sa_column=Column(String(340), nullable=False))
    institution_id: int = Field(
        sa_column=Column(Integer, ForeignKey("institutions.id"), nullable=False, index=True)
    )
    language: str = Field(sa_column=Column(String(2), nullable=False))
    roles: list[str] = Field(sa_column=Column(JSON, nullable=False))
    # What the person may do in the console when it is not derived from ``roles``: set by an admin
    # (``admin``, or an override such as ``viewer``). See ``workflow.access.people``.
    access_role: str | None = Field(default=None, sa_column=Column(String(20), nullable=True))
    # How the person's reminders reach them: one email each, or a daily or weekly digest.
    delivery: str = Field(
        default="immediate", sa_column=Column(String(10), nullable=False, server_default="immediate")
    )
    # A person who left: no sign-in, no email; ``handover_contact_id`` receives what was theirs.
    deactivated_at: datetime | None = instant_field(nullable=True)
    handover_contact_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("contacts.id"), nullable=True)
    )
    created_at: datetime = instant_field(nullable=False)
    updated_at: datetime = instant_field(nullable=False)
