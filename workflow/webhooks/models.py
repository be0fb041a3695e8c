"""The webhook tables: subscriptions, their deliveries, each delivery's attempts, the fan-out cursor."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from workflow.core import (
    OutboxEvent,  # noqa: F401  (named by a foreign key)
    instant_field,
    sql_list,
)
from workflow.webhooks.statuses import DELIVERY_STATUSES, WAITING_STATUSES

_WAITING, _ALL = sql_list(WAITING_STATUSES), sql_list(DELIVERY_STATUSES)


def _when_created(context: Any) -> datetime:  # a DefaultExecutionContext (its method is untyped)
    """``enabled_at`` when an INSERT leaves it out: a subscription is enabled when it is created."""
    created: datetime = context.get_current_parameters()["created_at"]
    return created


class WebhookSubscription(SQLModel, table=True):
    """A receiver of events: its URL, the event types it wants and the secret deliveries are signed with.

    The secret is stored as given out (signing needs it). After a rotation the previous one still
    signs deliveries, beside the new one, until ``previous_secret_expires_at``. A disabled
    subscription (``active`` false: an admin paused it, or the receiver answered 410 Gone) receives
    nothing; ``disabled_reason`` says why. ``enabled_at`` is when it was created or last enabled
    again: it receives the events that occurred from then on, none from before or from a pause."""

    __tablename__ = "webhook_subscriptions"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(sa_column=Column(String(2000), nullable=False))
    event_types: list[str] = Field(sa_column=Column(JSON, nullable=False))
    secret: str = Field(sa_column=Column(String(100), nullable=False))
    previous_secret: str | None = Field(default=None, sa_column=Column(String(100), nullable=True))
    previous_secret_expires_at: datetime | None = instant_field(nullable=True)
    secret_rotated_at: datetime | None = instant_field(nullable=True)
    active: bool = Field(sa_column=Column(Boolean, nullable=False))
    disabled_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    disabled_at: datetime | None = instant_field(nullable=True)
    enabled_at: datetime = instant_field(nullable=False, sa_column_kwargs={"default": _when_created})
    created_by: str = Field(sa_column=Column(String(200), nullable=False))
    created_at: datetime = instant_field(nullable=False)
    updated_at: datetime = instant_field(nullable=False)


class WebhookDelivery(SQLModel, table=True):
    """One outbox event for one subscription: recorded once (unique), delivered at least once.

    ``due_at`` is when it should be handed to a worker next: its first or next attempt while
    ``pending``, the hand-out lease's end while ``pending`` and queued (``claim_token`` is
    ``queued``), the claim lease's end while ``sending`` (``claim_token`` is the worker's), empty
    otherwise; the partial index keeps the due query proportional to what waits. ``attempts``
    counts the tries since it was recorded or last redelivered (the backoff's position); every try
    is in ``webhook_attempts``. ``next_attempt_at`` is what the delivery log shows."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id", name="uq_webhook_deliveries_once"),
        Index(
            "ix_webhook_deliveries_due", "due_at",
            postgresql_where=text(f"status IN ({_WAITING})"), sqlite_where=text(f"status IN ({_WAITING})"),
        ),
        Index(
            "ix_webhook_deliveries_waiting", "subscription_id", "due_at",
            postgresql_where=text(f"status IN ({_WAITING})"), sqlite_where=text(f"status IN ({_WAITING})"),
        ),
        CheckConstraint(f"status IN ({_ALL})", name="ck_webhook_deliveries_status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(
        sa_column=Column(Integer, ForeignKey("webhook_subscriptions.id"), nullable=False)
    )
    event_id: int = Field(sa_column=Column(Integer, ForeignKey("events.id"), nullable=False))
    event_type: str = Field(sa_column=Column(String(60), nullable=False))
    status: str = Field(sa_column=Column(String(12), nullable=False))
    due_at: datetime | None = instant_field(nullable=True)
    claim_token: str | None = Field(default=None, sa_column=Column(String(40), nullable=True))
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    next_attempt_at: datetime | None = instant_field(nullable=True)
    last_status_code: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    delivered_at: datetime | None = instant_field(nullable=True)
    created_at: datetime = instant_field(nullable=False)


class WebhookAttempt(SQLModel, table=True):
    """One try of a delivery: when, what the receiver answered (its status code) or what went wrong."""

    __tablename__ = "webhook_attempts"

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(
        sa_column=Column(Integer, ForeignKey("webhook_deliveries.id"), nullable=False, index=True)
    )
    attempted_at: datetime = instant_field(nullable=False)
    status_code: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    duration_ms: int = Field(sa_column=Column(Integer, nullable=False))


class WebhookFanOut(SQLModel, table=True):
    """One row (id 1): the outbox event the fan-out has recorded deliveries through."""

    __tablename__ = "webhook_fan_out"

    id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    events_through: int = Field(sa_column=Column(Integer, nullable=False))
