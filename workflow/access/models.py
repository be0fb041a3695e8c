"""The access tables: API tokens, one-time sign-in links and browser sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, String
from sqlmodel import Field, SQLModel

from workflow.core import instant_field
from workflow.directory import Contact, Institution  # noqa: F401  (named by their foreign keys)

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


class SignInLink(SQLModel, table=True):
    """A one-time sign-in link emailed to a contact. Only the secret's SHA-256 is stored; the row is
    claimed (``used_at``) by one conditional update, so a link signs in at most once."""

    __tablename__ = "sign_in_links"

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(sa_column=Column(Integer, ForeignKey("contacts.id"), nullable=False, index=True))
    email_key: str = Field(sa_column=Column(String(340), nullable=False, index=True))
    secret_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    created_at: datetime = instant_field(nullable=False)
    expires_at: datetime = instant_field(nullable=False)
    used_at: datetime | None = instant_field(nullable=True)


class WebSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds the secret, the row its hash; what the person may do is
    read from their contact on every request, so a changed role or a removed person takes effect at once."""

    __tablename__ = "web_sessions"

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(sa_column=Column(Integer, ForeignKey("contacts.id"), nullable=False, index=True))
    secret_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    # The address it was opened for: a session ends when an admin changes the person's address.
    email_key: str = Field(sa_column=Column(String(340), nullable=False))
    csrf_token: str = Field(sa_column=Column(String(64), nullable=False))
    created_at: datetime = instant_field(nullable=False)
    expires_at: datetime = instant_field(nullable=False)
    ended_at: datetime | None = instant_field(nullable=True)
