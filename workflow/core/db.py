"""Engines and the unit of work: one session per request or task; the boundary commits."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, Select, bindparam, create_engine, event, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DisconnectionError, IntegrityError
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection
from sqlmodel import Session

from workflow.core.errors import DomainError, NotFound

Row = TypeVar("Row")


PING_AFTER_IDLE_SECONDS = 0.5


def make_engine(url: str, *, ping_after_idle: float = PING_AFTER_IDLE_SECONDS, **kwargs: Any) -> Engine:
    """An engine for ``url``. On a server database a connection taken from the pool is pinged first,
    and replaced if dead, unless it was returned to the pool less than ``ping_after_idle`` seconds ago
    (``_ping_unless_just_used``)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(url, **kwargs)
        event.listen(engine.pool, "connect", _note_return)  # a new connection needs no ping either
        event.listen(engine.pool, "checkin", _note_return)
        event.listen(engine.pool, "checkout", partial(_ping_unless_just_used, engine, ping_after_idle))
        return engine
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    else:
        # An in-memory database has one connection per thread: nothing to wait for, nothing to overflow.
        kwargs.pop("pool_timeout", None)
        kwargs.pop("max_overflow", None)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
    event.listen(engine, "connect", _tune_sqlite)
    return engine


_RETURNED_AT = "continuum.returned_at"


def _note_return(_dbapi_connection: DBAPIConnection | None, record: ConnectionPoolEntry, *_: Any) -> None:
    record.info[_RETURNED_AT] = time.monotonic()


def _ping_unless_just_used(engine: Engine, window: float, dbapi_connection: DBAPIConnection,
                           record: ConnectionPoolEntry, _proxy: PoolProxiedConnection) -> None:
    """``pool_pre_ping``, but not for a connection that was in use a moment ago: a busy server takes
    and returns connections hundreds of times a second, and pinging each costs a request one round
    trip in six. Within the window a dead connection is the rare case of a server that went away in
    that half second; the statement then fails as the request's error (503), and the connection is
    replaced. (The same trade as HikariCP's ``aliveBypassWindowMs``, 500 ms by default.)"""
    returned = record.info.get(_RETURNED_AT)
    if returned is not None and time.monotonic() - returned < window:
        return
    try:
        engine.dialect.do_ping(dbapi_connection)
    except engine.dialect.loaded_dbapi.Error as failure:
        if engine.dialect.is_disconnect(failure, dbapi_connection, None):
            raise DisconnectionError("the pooled connection was dead") from failure  # the pool takes another
        raise


def _tune_sqlite(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    """Foreign keys on (SQLite leaves them off), WAL for concurrent readers, a busy timeout for writers."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def new_session(engine: Engine) -> Session:
    return Session(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed when the block ends normally and rolled back otherwise."""
    session = new_session(engine)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def get_or_not_found(session: Session, model: type[Row], row_id: int, what: str, *, fresh: bool = False) -> Row:
    """The row with this primary key, or ``NotFound`` ("no {what} with id {row_id}").

    ``fresh`` re-reads it from the database even when the session holds it already, for
    services that go on to check its version or state (a statement built once per model: every
    write reads so, and ``Session.get`` builds its query anew each time)."""
    if fresh:
        row: Row | None = session.scalars(_fresh_by_id(model), {"row_id": row_id}).one_or_none()
    else:
        row = session.get(model, row_id)
    if row is None:
        raise NotFound(f"no {what} with id {row_id}")
    return row


_FRESH_BY_ID: dict[type[Any], Select[Any]] = {}


def _fresh_by_id(model: type[Any]) -> Select[Any]:
    statement = _FRESH_BY_ID.get(model)
    if statement is None:
        (key,) = inspect(model).primary_key
        statement = select(model).where(key == bindparam("row_id")).execution_options(populate_existing=True)
        _FRESH_BY_ID[model] = statement
    return statement


@contextmanager
def conflict_on_duplicate(session: Session, conflict: Callable[[], DomainError]) -> Iterator[None]:
    """The block's writes, flushed in a savepoint; a unique constraint that refuses them becomes ``conflict()``.

    For writes whose uniqueness the service checked first: a concurrent writer can still get there
    in between, and then the caller sees the same 409 instead of a database error, with the rest
    of its transaction intact."""
    try:
        with session.begin_nested():
            yield
            session.flush()
    except IntegrityError as exc:
        raise conflict() from exc


def insert_ignoring_conflict(
    session: Session, model: type[Any], values: dict[str, Any], *, unique: Sequence[str], returning: Any
) -> Any | None:
    """INSERT .. ON CONFLICT (unique) DO NOTHING RETURNING ``returning``, on PostgreSQL or SQLite.

    Returns the new row's ``returning`` value, or None when a row with that key exists already:
    two writers racing on the same key record it once, and each learns whether it was the one."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(model).values(**values).on_conflict_do_nothing(index_elements=list(unique)).returning(returning)
    return session.execute(statement).scalar_one_or_none()


def insert_many_ignoring_conflict(
    session: Session, model: type[Any], rows: Sequence[dict[str, Any]], *, unique: Sequence[str],
    returning: Sequence[Any],
) -> list[Any]:
    """``insert_ignoring_conflict`` for many rows in one statement; returns the ``returning`` columns
    of the rows inserted (rows whose key existed are left out)."""
    if not rows:
        return []
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(model).values(list(rows)).on_conflict_do_nothing(index_elements=list(unique)).returning(*returning)
    )
    return list(session.execute(statement))
