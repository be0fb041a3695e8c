"""The notification ledger's table."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from workflow.core import instant_field, sql_list
from workflow.directory import Institution  # noqa: F401  (named by its foreign keys)
from workflow.lifecycle import Strategy  # noqa: F401  (named by its foreign keys)
from workflow.reminders.statuses import ACTIVE_NOTIFICATION_STATUSES, NOTIFICATION_STATUSES

_ACTIVE, _ALL = sql_list(ACTIVE_NOTIFICATION_STATUSES), sql_list(NOTIFICATION_STATUSES)



class Notification(SQLModel, table=True):
    """The ledger: every email Continuum intends to send, one row per recipient.

    Unique on (deadline, due date, offset, recipient), so planning the same reminder twice,
    from two scheduler passes at once, records it once. ``due_at`` is when the row should be
    handed to a worker next: the send (or retry) time while ``pending``, the hand-out lease's
    end while ``pending`` and queued (``claim_token`` is ``queued``: a pass handed it to the
    queue), the claim lease's end while ``sending`` (``claim_token`` is the worker's), and empty
    once it is final; the partial index on it keeps the due query proportional to the rows due.
    A ``held`` row (its person takes digests) is due when its digest may go; once gathered into
    a digest its ``due_at`` is empty and ``carrier_id`` names the digest row. ``carrier_id`` of a
    ``merged`` row names the row whose email carried what it says (``workflow.reminders.same_day``).
    """

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("deadline_key", "due_on", "offset_days", "contact_id", name="uq_notifications_once"),
        Index(
            "ix_notifications_due",
            "due_at",
            postgresql_where=text(f"status IN ({_ACTIVE})"),
            sqlite_where=text(f"status IN ({_ACTIVE})"),
        ),
        CheckConstraint(
            f"status IN ({_ALL})", name="ck_notifications_status"
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
    due_at: datetime | None = instant_field(nullable=True)
    attempts: int = 0
    claim_token: str | None = Field(default=None, sa_column=Column(String(40), nullable=True))
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    details: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    # The row whose email carries this one: its digest, or the row it was merged into.
    carrier_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("notifications.id"), nullable=True, index=True)
    )
    created_at: datetime = instant_field(nullable=False)
    sent_at: datetime | None = instant_field(nullable=True)
    closed_at: datetime | None = instant_field(nullable=True)


class PlannedDeadline(SQLModel, table=True):
    """What the planner last recorded of one live deadline: its due date, the offset and for whom.

    The scheduler pass re-plans only what changed (see ``workflow.scheduler.changes``); with this
    it knows which reminder of a deadline is already in the ledger for its current recipients, so
    it records the next one without offering the ledger the ones it has. A recipient added, or a
    lead institution changed, changes whom it is for, and the reminder is offered again.
    """

    __tablename__ = "reminder_plan"

    deadline_key: str = Field(sa_column=Column(String(120), primary_key=True))
    deadline_kind: str = Field(sa_column=Column(String(40), nullable=False))
    strategy_id: int = Field(sa_column=Column(Integer, ForeignKey("strategies.id"), nullable=False, index=True))
    due_on: date
    recorded_offset: int | None = None  # the offset recorded for ``due_on``; None: none yet
    # Whom it was recorded for (``recipients_digest``): another set of recipients is offered it again.
    recorded_for: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
