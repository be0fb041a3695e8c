"""Tables of the lifecycle core. The schema itself comes from the Alembic migrations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from workflow.db_types import UTCDateTime

KINDS = ("strategy", "action_plan")
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


class Strategy(SQLModel, table=True):
    """A strategy or an action plan, with its place in the lifecycle.

    ``stage_entered_on`` is the effective date of the last transition (None while the first
    drafting stage has no recorded start); ``expired_on``/``expiry_reason`` come from ``expire``.
    """

    __tablename__ = "strategies"
    __table_args__ = (
        CheckConstraint("period_end > period_start", name="ck_strategies_period_order"),
        CheckConstraint("version >= 1", name="ck_strategies_version_positive"),
        Index("ix_strategies_area_period_end", "policy_area", "period_end"),
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(sa_column=Column(String(300), nullable=False))
    policy_area: str = Field(sa_column=Column(String(80), nullable=False))
    kind: str = Field(sa_column=Column(String(20), nullable=False))
    parent_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("strategies.id"), nullable=True, index=True)
    )
    predecessor_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("strategies.id"), nullable=True, index=True)
    )
    lead_institution_id: int = Field(
        sa_column=Column(Integer, ForeignKey("institutions.id"), nullable=False, index=True)
    )
    period_start: date
    period_end: date
    stage: str = Field(sa_column=Column(String(20), nullable=False, index=True))
    stage_entered_on: date | None = None
    version: int = Field(default=1, nullable=False)
    drafting_due: date | None = None
    consultation_due: date | None = None
    approval_due: date | None = None
    approval_reference: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    approved_on: date | None = None
    expired_on: date | None = None
    expiry_reason: str | None = Field(default=None, sa_column=Column(String(20), nullable=True))
    min_consultation_days: int | None = None
    reminder_offsets: list[int] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    overdue_offsets: list[int] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = _when(nullable=False)
    updated_at: datetime = _when(nullable=False)


class StageChange(SQLModel, table=True):
    """One row of a strategy's history: which event moved it, by whom, effective when."""

    __tablename__ = "stage_changes"

    id: int | None = Field(default=None, primary_key=True)
    strategy_id: int = Field(
        sa_column=Column(Integer, ForeignKey("strategies.id"), nullable=False, index=True)
    )
    event: str = Field(sa_column=Column(String(40), nullable=False))
    from_stage: str = Field(sa_column=Column(String(20), nullable=False))
    to_stage: str = Field(sa_column=Column(String(20), nullable=False))
    actor: str = Field(sa_column=Column(String(200), nullable=False))
    comment: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    effective_on: date
    recorded_at: datetime = _when(nullable=False)


class OutboxEvent(SQLModel, table=True):
    """A domain event, written in the same transaction as the change it reports.

    Ids increase in commit order (see ``workflow.outbox``), so ``after=ID`` paging never skips.
    """

    __tablename__ = "events"

    id: int | None = Field(default=None, primary_key=True)
    type: str = Field(sa_column=Column(String(60), nullable=False))
    strategy_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True, index=True))
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    occurred_at: datetime = _when(nullable=False)


NOTIFICATION_STATUSES = ("pending", "sending", "sent", "failed", "cancelled")
ACTIVE_NOTIFICATION_STATUSES = ("pending", "sending")


class Notification(SQLModel, table=True):
    """The ledger: every email Continuum intends to send, one row per recipient.

    Unique on (deadline, due date, offset, recipient), so planning the same reminder twice,
    from two scheduler passes at once, records it once. ``due_at`` is when a worker should act
    on the row next: the send time while ``pending``, the lease expiry while ``sending``, and
    empty once it is final; the partial index on it keeps the due query proportional to the
    rows due.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("deadline_key", "due_on", "offset_days", "contact_id", name="uq_notifications_once"),
        Index(
            "ix_notifications_due",
            "due_at",
            postgresql_where=text("status IN ('pending', 'sending')"),
            sqlite_where=text("status IN ('pending', 'sending')"),
        ),
        CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')", name="ck_notifications_status"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    deadline_key: str = Field(sa_column=Column(String(120), nullable=False))
    deadline_kind: str = Field(sa_column=Column(String(40), nullable=False))
    strategy_id: int = Field(sa_column=Column(Integer, ForeignKey("strategies.id"), nullable=False, index=True))
    due_on: date
    offset_days: int
    kind: str = Field(sa_column=Column(String(30), nullable=False))
    escalated: bool = False
    contact_id: int = Field(sa_column=Column(Integer, ForeignKey("contacts.id"), nullable=False))
    status: str = Field(sa_column=Column(String(12), nullable=False))
    due_at: datetime | None = _when(nullable=True)
    attempts: int = 0
    claim_token: str | None = Field(default=None, sa_column=Column(String(40), nullable=True))
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    details: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = _when(nullable=False)
    sent_at: datetime | None = _when(nullable=True)
    closed_at: datetime | None = _when(nullable=True)


class GapWatch(SQLModel, table=True):
    """The last gap status the scheduler saw per strategy, so a change is announced once."""

    __tablename__ = "gap_watch"

    strategy_id: int = Field(sa_column=Column(Integer, ForeignKey("strategies.id"), primary_key=True))
    status: str = Field(sa_column=Column(String(20), nullable=False))
    changed_at: datetime = _when(nullable=False)


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
    created_at: datetime = _when(nullable=False)
    expires_at: datetime | None = _when(nullable=True)
    revoked_at: datetime | None = _when(nullable=True)
    last_used_at: datetime | None = _when(nullable=True)


# The monitoring tables share this metadata; importing them here means everything that loads
# the core tables (Alembic's env, the app, the tests' TRUNCATE) sees them too.
import workflow.monitoring.models  # noqa: E402,F401
