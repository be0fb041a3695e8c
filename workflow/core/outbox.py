"""The transactional outbox: domain events written beside the change they report."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Integer, String, select, text
from sqlmodel import Field, Session, SQLModel, col

from workflow.core.columns import instant_field


class OutboxEvent(SQLModel, table=True):
    """A domain event, written in the same transaction as the change it reports.

    Ids increase in commit order (see ``workflow.outbox``), so ``after=ID`` paging never skips.
    """

    __tablename__ = "events"

    id: int | None = Field(default=None, primary_key=True)
    type: str = Field(sa_column=Column(String(60), nullable=False))
    strategy_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True, index=True))
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    occurred_at: datetime = instant_field(nullable=False)


# Any constant works; it names Continuum's outbox among PostgreSQL advisory locks.
_OUTBOX_LOCK_KEY = 0x436F6E74


def record_event(
    session: Session, type_: str, *, strategy_id: int | None, payload: dict[str, Any], at: datetime
) -> OutboxEvent:
    """Append an event in the caller's transaction.

    On PostgreSQL a transaction-scoped advisory lock makes writers take ids in commit order;
    otherwise a reader paging with ``after=ID`` could pass an id whose transaction commits later
    and never see it. SQLite serialises writers already.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _OUTBOX_LOCK_KEY})
    event = OutboxEvent(type=type_, strategy_id=strategy_id, payload=payload, occurred_at=at)
    session.add(event)
    session.flush()
    return event


def events_after(session: Session, after: int, limit: int) -> list[OutboxEvent]:
    query = select(OutboxEvent).where(col(OutboxEvent.id) > after).order_by(col(OutboxEvent.id)).limit(limit)
    return list(session.scalars(query))
