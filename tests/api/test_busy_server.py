"""A server whose database connections are all in use answers 503 with Retry-After, never 500, and
``/health`` keeps answering within a second however many heavy reads are running.

The heavy read is a route the tests add: it takes a pooled connection and holds it until the test
opens the gate, so "every connection is busy" is a state the test reaches and sees, not a race.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from api.app import create_app
from api.deps import SessionDep
from tests.api.helpers import assert_problem, bearer
from tests.api.serving import served
from workflow.access.tokens import TokenCreate, issue_token
from workflow.core import clock
from workflow.core.db import make_engine, unit_of_work

POOL_SIZE = 5
HEAVY_READS = 60  # more than the pool and more than the 40 threads sync endpoints run on
HEALTH_BUDGET_SECONDS = 1.0


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def small_pool(request, settings) -> Iterator[Engine]:
    """An engine of ``POOL_SIZE`` connections that gives up waiting for one after a second."""
    if request.param == "sqlite":
        request.getfixturevalue("engine")  # the migrated file
        url = settings.resolved_database_url
    else:
        request.getfixturevalue("pg_engine")  # its teardown empties the tables
        url = request.getfixturevalue("postgres_url")
    engine = make_engine(url, pool_size=POOL_SIZE, max_overflow=0, pool_timeout=1)
    yield engine
    engine.dispose()


def admin_token(engine: Engine) -> dict[str, str]:
    with unit_of_work(engine) as session:
        command = TokenCreate(name=f"busy-admin-{time.monotonic_ns()}", role="admin")
        return bearer(issue_token(session, command, now=clock.now(), default_lifetime_days=1).plain)


class Gate:
    """Heavy reads wait here, each holding its connection, until the test opens it."""

    def __init__(self) -> None:
        self.condition = threading.Condition()
        self.inside = 0
        self.opened = False

    def hold(self) -> None:
        with self.condition:
            self.inside += 1
            self.condition.notify_all()
            assert self.condition.wait_for(lambda: self.opened, timeout=60)

    def wait_inside(self, count: int) -> None:
        with self.condition:
            assert self.condition.wait_for(lambda: self.inside >= count, timeout=30), self.inside

    def open(self) -> None:
        with self.condition:
            self.opened = True
            self.condition.notify_all()


def with_heavy_read(app: FastAPI, gate: Gate) -> FastAPI:
    def heavy_read(session: SessionDep) -> dict[str, str]:
        session.execute(text("SELECT 1"))  # from here until the gate opens, a pooled connection is taken
        gate.hold()
        return {"status": "read"}

    app.add_api_route("/test/heavy-read", heavy_read)
    return app


def test_an_exhausted_pool_is_503_with_retry_after_and_health_still_answers(small_pool, settings):
    token = admin_token(small_pool)
    app = create_app(settings, small_pool)

    def hog(session: SessionDep) -> dict[str, str]:
        with small_pool.connect():  # takes the last free connection: the session finds none
            session.execute(text("SELECT 1"))
        return {}

    app.add_api_route("/test/hog", hog)
    with TestClient(app, raise_server_exceptions=False, headers=token) as client:
        assert client.get("/strategies").status_code == 200
        held = [small_pool.connect() for _ in range(POOL_SIZE - 1)]
        try:
            response = client.get("/test/hog")  # the endpoint's own session cannot get a connection
            assert_problem(response, 503, "/problems/server-busy")
            assert response.headers["retry-after"] == "5"
            held.append(small_pool.connect())
            response = client.get("/strategies")  # authentication cannot get one either
            body = assert_problem(response, 503, "/problems/server-busy")
            assert body["instance"] == "/strategies" and int(response.headers["retry-after"]) > 0
            started = time.monotonic()
            assert client.get("/health").json() == {"status": "ok", "database": "ok"}
            assert time.monotonic() - started < HEALTH_BUDGET_SECONDS
        finally:
            for connection in held:
                connection.close()
        assert client.get("/strategies").status_code == 200


def test_health_answers_within_a_second_while_heavy_reads_take_every_connection(small_pool, settings):
    token = admin_token(small_pool)
    gate = Gate()
    app = with_heavy_read(create_app(settings, small_pool), gate)
    with served(app, backlog=2 * HEAVY_READS) as url, ThreadPoolExecutor(HEAVY_READS) as pool:

        def heavy_read() -> httpx.Response:
            with httpx.Client(base_url=url, timeout=60, headers=token, trust_env=False) as client:
                return client.get("/test/heavy-read")

        try:
            reads = [pool.submit(heavy_read) for _ in range(HEAVY_READS)]
            gate.wait_inside(POOL_SIZE)  # every connection is now held by a heavy read
            timings = []
            with httpx.Client(base_url=url, timeout=10, trust_env=False) as probe:
                for _ in range(5):
                    started = time.monotonic()
                    response = probe.get("/health")
                    timings.append(time.monotonic() - started)
                    assert response.status_code == 200, response.text
            done, _ = wait(reads, timeout=30, return_when=FIRST_COMPLETED)  # no heavy read can finish yet:
            assert done and {read.result().status_code for read in done} == {503}  # those that found no connection
        finally:
            gate.open()
        answers = [read.result() for read in reads]
    assert max(timings) < HEALTH_BUDGET_SECONDS, timings
    statuses = sorted(response.status_code for response in answers)
    assert set(statuses) <= {200, 503}, statuses
    assert statuses.count(200) >= POOL_SIZE
    for response in answers:
        if response.status_code == 503:
            assert_problem(response, 503, "/problems/server-busy")
            assert int(response.headers["retry-after"]) > 0
    print(f"\n/health under {HEAVY_READS} heavy reads: max {max(timings) * 1000:.0f} ms; "
          f"{statuses.count(200)} reads served, {statuses.count(503)} answered 503")
