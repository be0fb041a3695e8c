"""The outbox on PostgreSQL: transactions that overlap never make a reader skip an event, with no lock
between writers (the read is bounded by the oldest transaction still running; see workflow.core.outbox).

Each test holds transaction A open after it wrote an event, commits B's event meanwhile, and pages
with the cursor as a client of ``GET /events`` does. Ordering by id alone (the old query without its
lock) hands out B's event first and then never A's, whose id is lower: these tests fail on it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from tests import factories as f
from tests.waiting import wait_until
from workflow.core.db import make_engine, new_session, unit_of_work
from workflow.core.outbox import OutboxEvent, UnknownCursor, events_after, record_event, record_events

pytestmark = pytest.mark.postgres


def _event(session: Session, name: str) -> OutboxEvent:
    return record_event(session, "custom", strategy_id=None, payload={"name": name}, at=f.T0)


class Reader:
    """A client of the feed: pages on from its cursor, each page in a transaction of its own."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.cursor = 0
        self.seen: list[str] = []

    def read(self) -> list[str]:
        with unit_of_work(self.engine) as session:
            page = events_after(session, self.cursor, 100)
        if page:
            self.cursor = page[-1].id or 0
        names = [event.payload["name"] for event in page]
        self.seen += names
        return names

    def read_until(self, count: int) -> list[str]:
        """The next ``count`` events, over as many reads as it takes: a writing transaction anywhere on
        the server (other tests' databases too) holds the feed back while it runs."""
        names: list[str] = []
        wait_until(lambda: names.extend(self.read()) or names, lambda got: len(got) >= count,
                   waiting_for=f"{count} events in the feed", timeout=30)
        return names


@pytest.fixture
def pg_engine(postgres_url: str) -> Iterator[Engine]:
    """The session's PostgreSQL database; these tests write events only, and empty that table after."""
    engine = make_engine(postgres_url)
    yield engine
    with engine.begin() as connection:
        connection.execute(text("TRUNCATE events RESTART IDENTITY CASCADE"))  # and the webhook deliveries of them
    engine.dispose()


@pytest.fixture
def a(pg_engine: Engine) -> Iterator[Session]:
    with new_session(pg_engine) as session:
        yield session


@pytest.fixture
def reader(pg_engine: Engine) -> Reader:
    with unit_of_work(pg_engine) as session:
        _event(session, "before")
    reader = Reader(pg_engine)
    assert reader.read_until(1) == ["before"]
    return reader


def test_an_event_waits_for_a_transaction_that_began_writing_before_it(pg_engine, a, reader):
    first = _event(a, "a")
    with unit_of_work(pg_engine) as b:
        later = _event(b, "b")
    assert (later.tx_id, later.id) > (first.tx_id, first.id)

    assert reader.read() == []  # b is committed, but a, before it, may still commit
    a.commit()
    assert reader.read_until(2) == ["a", "b"]
    assert reader.read() == []


def test_a_lower_id_in_a_later_transaction_is_not_skipped(pg_engine, a, reader):
    """B took its transaction id first but its event id last: ids and transaction order disagree."""
    with unit_of_work(pg_engine) as b:
        b.execute(text("SELECT pg_current_xact_id()"))  # B's transaction begins writing here
        first = _event(a, "a")
        later = _event(b, "b")
        assert later.id > first.id and later.tx_id < first.tx_id
    assert reader.read_until(1) == ["b"]  # nothing that began writing before b is still running
    a.commit()
    assert reader.read_until(1) == ["a"]
    assert reader.seen == ["before", "b", "a"]


def test_a_rolled_back_transaction_holds_back_nothing_once_it_ends(pg_engine, a, reader):
    _event(a, "lost")
    with unit_of_work(pg_engine) as b:
        _event(b, "b")
    assert reader.read() == []
    a.rollback()
    assert reader.read_until(1) == ["b"]


def test_a_transaction_does_not_read_its_own_events_before_it_commits(a, reader):
    _event(a, "mine")
    assert events_after(a, reader.cursor, 100) == []
    a.commit()
    assert reader.read_until(1) == ["mine"]


def test_writers_take_no_lock(pg_engine, a):
    """Two open transactions each append an event; neither waits for the other (the old outbox's
    advisory lock made the second wait for the first's commit)."""
    _event(a, "a")
    with new_session(pg_engine) as b:
        b.execute(text("SET LOCAL lock_timeout = '1s'"))
        _event(b, "b")  # would time out behind a lock
        b.commit()
    a.commit()


def test_the_events_of_one_transaction_share_its_id_and_come_in_the_order_written(pg_engine, reader):
    with unit_of_work(pg_engine) as session:
        first = _event(session, "one")
        record_events(session, [
            {"type": "custom", "strategy_id": None, "payload": {"name": name}, "occurred_at": f.T0}
            for name in ("two", "three")
        ])
        transaction = session.execute(text("SELECT pg_current_xact_id()::text::bigint")).scalar()
    assert first.tx_id == transaction
    assert reader.read_until(3) == ["one", "two", "three"]


def test_an_unknown_cursor_is_refused(pg_engine, reader):
    with unit_of_work(pg_engine) as session:
        with pytest.raises(UnknownCursor, match="no event with id 999"):
            events_after(session, 999, 10)
