"""A server database's pooled connections are pinged before use unless they were in use a moment ago,
and a dead one is replaced without the caller noticing (``workflow.core.db.make_engine``)."""

from __future__ import annotations

from collections.abc import Iterator

import freezegun
import pytest
from sqlalchemy import Engine, text

from workflow.core.db import PING_AFTER_IDLE_SECONDS, make_engine

pytestmark = pytest.mark.postgres


@pytest.fixture
def pings(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Engine, list[int]]]:
    engine = make_engine(postgres_url, pool_size=1, max_overflow=0)
    counted: list[int] = []
    real = engine.dialect.do_ping

    def counting(dbapi_connection):  # type: ignore[no-untyped-def]
        counted.append(1)
        return real(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counting)
    yield engine, counted
    engine.dispose()


def backend_pid(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_returned_a_moment_ago_is_not_pinged(pings):
    engine, counted = pings
    with freezegun.freeze_time(tick=False) as frozen:
        first = backend_pid(engine)  # a new connection: nothing to ping
        assert backend_pid(engine) == first
        assert counted == []
        frozen.tick(PING_AFTER_IDLE_SECONDS * 2)
        assert backend_pid(engine) == first
        assert counted == [1]


def test_a_connection_that_died_in_the_pool_is_replaced_before_use(pings, postgres_url):
    engine, counted = pings
    with freezegun.freeze_time(tick=False) as frozen:
        dead = backend_pid(engine)
        admin = make_engine(postgres_url)
        try:
            with admin.begin() as connection:
                assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dead}).scalar_one()
        finally:
            admin.dispose()
        frozen.tick(PING_AFTER_IDLE_SECONDS * 2)
        replaced = backend_pid(engine)  # the ping found it dead; the pool connected again
    assert replaced != dead
    assert counted == [1]
