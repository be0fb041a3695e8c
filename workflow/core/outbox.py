"""The transactional outbox: domain events written beside the change they report, and read back
in an order in which nothing committed is ever skipped, without a lock shared by all writers.

**Why ids alone skip.** An event's id comes from a sequence when it is inserted, not when its
transaction commits. Transaction A inserts event 10, transaction B inserts event 11 and commits
first; a reader sees 11 (10 is not committed yet) and pages on with ``after=11``. A commits, and
event 10 is below every cursor from then on: never delivered. Until issue 13 every writer took
one advisory lock before its insert and held it to its commit, so ids came in commit order; but
that serialised all writing transactions of the deployment from their first event to their
commit.

**What is done instead.** Each event stores the id of the transaction that wrote it (``tx_id``,
PostgreSQL's 64-bit ``pg_current_xact_id()``, which never wraps around; a subtransaction reports
its top-level transaction). Events are read in ``(tx_id, id)`` order, and only those whose
``tx_id`` is below the ``xmin`` of the reading statement's snapshot
(``pg_snapshot_xmin(pg_current_snapshot())``): every transaction below it has ended, committed
(so its events are visible to that same statement) or rolled back (so they never will be). A
transaction still running, or one that gets its id later, has a ``tx_id`` at or above that
``xmin``, so an event can only ever appear *after* every position a reader has been handed:
paging with a cursor skips nothing, and returns each event once. Without the ``xmin`` bound the
order by ``tx_id`` would skip just as ids do (B's higher transaction id is read while A runs).

The price is latency, not throughput: an event is held back while a transaction that took its id
earlier is still writing, so the feed lags by at most the longest writing transaction (a read-only
one takes no id and holds nothing back). Transaction ids are the server's: a writing transaction in
any database of the same PostgreSQL server holds the feed back as long, delaying events, never
losing them. The order is that of the transactions' ids, i.e. of the moment each first wrote: commit
order for any two transactions of which one committed before the other wrote anything; two that
overlapped may come in either order. A transition's first write is its conditional UPDATE of the
strategy, which waits for the row lock of any other change to it, so a strategy's ``stage_changed``
events come in the order of its versions (which they carry).

A reader's own transaction: had it written (taking a transaction id), its own events would stay
at or above its snapshot's ``xmin`` and be left out until it commits; the event feed writes
nothing, so it holds nothing back.

**The cursor stays an event id.** ``GET /events?after=ID`` keeps its contract: ``after`` is the
last event a client was given (0: the start), and the reader resolves it to that event's
``(tx_id, id)`` position. An id that names no event (there are no such cursors: events are never
deleted, and ids of rolled-back inserts are never handed out) is ``UnknownCursor``; guessing a
position for it could skip events.

On SQLite, which lets one writer at a time, ``tx_id`` is 0 and the order is the ids'. Events
from before this scheme (migration 0011) have ``tx_id`` 0 too: they were written under the lock,
in commit order, and all come before the first event with a transaction id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Index,
    Insert,
    Integer,
    String,
    Table,
    bindparam,
    insert,
    literal,
    literal_column,
    select,
    tuple_,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Field, Session, SQLModel, col

from workflow.core.columns import instant_field
from workflow.core.errors import NotFound


class OutboxEvent(SQLModel, table=True):
    """A domain event, written in the same transaction as the change it reports.

    Read in ``(tx_id, id)`` order, up to the oldest transaction still running (see the module)."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_tx_id_id", "tx_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    type: str = Field(sa_column=Column(String(60), nullable=False))
    strategy_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True, index=True))
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    occurred_at: datetime = instant_field(nullable=False)
    # No default: an INSERT past ``record_event`` fails instead of landing before every cursor.
    tx_id: int = Field(sa_column=Column(BigInteger, nullable=False))


EVENTS: Table = OutboxEvent.__table__  # type: ignore[attr-defined]  # SQLModel declares it untyped


class UnknownCursor(NotFound):
    """``after`` names no event: it must be 0 or an id the feed returned."""


def _on_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


_CURRENT_TRANSACTION = literal_column("pg_current_xact_id()::text::bigint", BigInteger)
_OLDEST_RUNNING = literal_column("pg_snapshot_xmin(pg_current_snapshot())::text::bigint", BigInteger)
# Built once (their cache keys too); the other columns come with each execution's parameters.
_APPEND = {
    True: insert(EVENTS).values(tx_id=_CURRENT_TRANSACTION).returning(EVENTS.c.id, EVENTS.c.tx_id),
    False: insert(EVENTS).values(tx_id=0).returning(EVENTS.c.id, EVENTS.c.tx_id),
}


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """An event as ``record_event`` wrote it (the row's values; not a session's object)."""

    id: int
    type: str
    strategy_id: int | None
    payload: dict[str, Any]
    occurred_at: datetime
    tx_id: int


def record_event(
    session: Session, type_: str, *, strategy_id: int | None, payload: dict[str, Any], at: datetime
) -> RecordedEvent:
    """Append an event in the caller's transaction: one INSERT, no lock."""
    connection = session.connection()  # a plain statement: none of the ORM's bookkeeping for one row
    written = connection.execute(_APPEND[connection.dialect.name == "postgresql"], {
        "type": type_, "strategy_id": strategy_id, "payload": payload, "occurred_at": at,
    }).one()
    return RecordedEvent(written.id, type_, strategy_id, payload, at, written.tx_id)


def event_insert_from(type_: str, strategy_id: ColumnElement[int]) -> Insert:
    """``INSERT INTO events ... SELECT`` an event of ``type_`` for each ``strategy_id`` the statement it
    joins selects (e.g. the rows an UPDATE in a ``WITH`` returned), with this transaction's id, returning
    the events' ids; its parameters ``event_payload`` and ``event_at`` are the payload and the time. For
    a PostgreSQL writer that appends its event in the statement that makes its change
    (``workflow.lifecycle.machine``): one statement where ``record_event`` would be a second."""
    rows = select(
        literal(type_, String), strategy_id, bindparam("event_payload", type_=EVENTS.c.payload.type),
        bindparam("event_at", type_=EVENTS.c.occurred_at.type), _CURRENT_TRANSACTION,
    )
    return (
        insert(EVENTS)
        .from_select(["type", "strategy_id", "payload", "occurred_at", "tx_id"], rows)
        .returning(EVENTS.c.id)
    )


def record_events(session: Session, events: Sequence[Mapping[str, Any]]) -> None:
    """Append many events, in the order given; each maps ``type``, ``strategy_id``, ``payload`` and
    ``occurred_at`` (as ``record_event`` takes them). One compiled INSERT executed for every row
    (SQLAlchemy sends them in multi-row batches): a statement with a VALUES row per event would be
    compiled anew for each call and would run out of bind parameters past some thousands."""
    if events:
        transaction = _CURRENT_TRANSACTION if _on_postgresql(session) else 0
        session.execute(insert(EVENTS).values(tx_id=transaction), [dict(event) for event in events])


def events_after(session: Session, after: int, limit: int) -> list[OutboxEvent]:
    """Up to ``limit`` events past the event ``after`` (0: from the start), in feed order.

    ``UnknownCursor`` when ``after`` is not 0 and names no event."""
    tx_id, event_id = col(OutboxEvent.tx_id), col(OutboxEvent.id)
    query = select(OutboxEvent).order_by(tx_id, event_id).limit(limit)
    if after:
        position = session.execute(select(tx_id, event_id).where(event_id == after)).one_or_none()
        if position is None:
            raise UnknownCursor(f"no event with id {after}: pass 0, or the next_after of the page you read")
        query = query.where(tuple_(tx_id, event_id) > tuple_(*position))
    if _on_postgresql(session):
        query = query.where(tx_id < _OLDEST_RUNNING)
    return list(session.scalars(query))


@dataclass(frozen=True)
class FeedRead:
    """What the feed holds after a position, read to its end: where it ended, and what it named."""

    through: int  # the last event read (the start position when none)
    through_tx: int  # its transaction (``OutboxEvent.tx_id``): its place in the feed
    named: frozenset[int]  # the strategies named by the events read, but for the types ignored
    types: frozenset[str]  # every event type read, the ignored ones included


def read_feed(
    session: Session, after: int, after_tx: int = 0, *, ignore: frozenset[str] = frozenset(), page: int = 5_000
) -> FeedRead:
    """Every event after event ``after`` (of transaction ``after_tx``) ``events_after`` hands out, a page at
    a time, continuing from the last event of each page (the feed's order is not the ids'). Raises
    ``UnknownCursor`` as ``events_after`` does; the readers that keep a position (the scheduler, the gap
    watch) each start again from 0 then."""
    named: set[int] = set()
    types: set[str] = set()
    while True:
        events = events_after(session, after, page)
        for event in events:
            types.add(event.type)
            if event.strategy_id is not None and event.type not in ignore:
                named.add(event.strategy_id)
        if events:
            last = events[-1]
            assert last.id is not None, "events read from the database have their id"
            after, after_tx = last.id, last.tx_id
        if len(events) < page:
            return FeedRead(after, after_tx, frozenset(named), frozenset(types))
