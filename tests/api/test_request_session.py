"""One session per request, the token check included, and what one transition request costs the
database: the statements are pinned here (the path every integration takes, see
benchmarks/transitions.py), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import anyio.to_thread
import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, select, text

from api.app import create_app
from api.deps import REQUEST_SESSION, SessionDep
from tests.api.databases import both_databases
from tests.api.helpers import bearer, fire, make_institution, make_strategy
from workflow.access import ApiToken
from workflow.core import clock, new_session
from workflow.directory import Institution
from workflow.lifecycle import StageChange, Strategy

engine = both_databases


class Statements:
    """The SQL statements the engine sends (``before_cursor_execute``) while counting."""

    def __init__(self, engine: Engine) -> None:
        self.sent: list[str] = []
        self.counting = False
        event.listen(engine, "before_cursor_execute", self._sent)

    def _sent(self, _conn, _cursor, statement: str, *_args) -> None:
        if self.counting:
            self.sent.append(statement.split(None, 1)[0].upper())

    def during(self, request):  # -> the response; ``sent`` holds what it cost
        self.sent, self.counting = [], True
        try:
            return request()
        finally:
            self.counting = False


@pytest.fixture
def statements(engine) -> Iterator[Statements]:
    counter = Statements(engine)
    yield counter
    event.remove(engine, "before_cursor_execute", counter._sent)


@pytest.fixture
def coordinator(client, client_as) -> tuple[TestClient, int]:
    institution = make_institution(client)
    strategy = make_strategy(client, institution)
    coordinator = client_as("coordinator", institution)
    assert fire(coordinator, strategy["id"], "submit_for_consultation").status_code == 200  # its first use, too
    assert fire(coordinator, strategy["id"], "return_to_drafting", comment="Again.").status_code == 200
    return coordinator, strategy["id"]


def test_one_transition_request_costs_a_fixed_set_of_statements(coordinator, statements, engine):
    """With authentication: the token, the strategy with whether it is a fresh draft, then the
    conditional UPDATE, the history row and the outbox event (on PostgreSQL one statement). No
    lock, no re-read, no calendar: the guards of these two transitions read neither the working days
    nor the consultation's records."""
    client, strategy_id = coordinator
    writes = ["WITH"] if engine.dialect.name == "postgresql" else ["UPDATE", "INSERT", "INSERT"]
    submit = statements.during(lambda: fire(client, strategy_id, "submit_for_consultation"))
    assert submit.status_code == 200, submit.text
    assert statements.sent == ["SELECT", "SELECT", *writes]
    back = statements.during(lambda: fire(client, strategy_id, "return_to_drafting", comment="Once more."))
    assert back.status_code == 200, back.text
    assert statements.sent == ["SELECT", "SELECT", *writes]


def test_a_tokens_use_is_recorded_at_the_commit_in_a_savepoint(coordinator, client_as, statements, engine):
    """The first request of a token in a few minutes: the same, and its ``last_used_at`` at the end."""
    _, strategy_id = coordinator
    with new_session(engine) as session:
        institution_id = session.get(Strategy, strategy_id).lead_institution_id
    fresh = client_as("coordinator", institution_id)
    writes = ["WITH"] if engine.dialect.name == "postgresql" else ["UPDATE", "INSERT", "INSERT"]
    first = statements.during(lambda: fire(fresh, strategy_id, "submit_for_consultation"))
    assert first.status_code == 200, first.text
    assert statements.sent == ["SELECT", "SELECT", *writes, "SAVEPOINT", "UPDATE", "RELEASE"]


class Checkouts:
    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine.pool, "checkout", self._out)

    def _out(self, *_args) -> None:
        self.count += 1


def test_the_token_check_hands_its_connection_to_the_endpoint_and_the_hold_ends(coordinator, engine):
    """A short body: one checkout for the request (the hold ends with its commit, or the requests after
    the engine's few holds would take two)."""
    client, strategy_id = coordinator
    checkouts = Checkouts(engine)
    for _ in range(3 * (engine.pool.size() // 5 + 1)):
        before = checkouts.count
        assert fire(client, strategy_id, "submit_for_consultation").status_code == 200
        assert fire(client, strategy_id, "return_to_drafting", comment="Again.").status_code == 200
        assert checkouts.count - before == 2


def test_a_body_of_unknown_length_is_waited_for_without_a_connection(coordinator, engine):
    client, strategy_id = coordinator
    checkouts = Checkouts(engine)
    body = iter([b'{"event": "submit_for_consultation"}'])  # sent chunked: no Content-Length
    chunked = client.post(f"/strategies/{strategy_id}/transitions", content=body,
                          headers={"Content-Type": "application/json"})
    assert chunked.status_code == 200, chunked.text
    assert checkouts.count == 2  # the check's connection went back; the endpoint took one


def test_without_its_startup_the_app_holds_no_connection(settings, engine, token_for):
    """Served without its lifespan (so with AnyIO's 40 threads, not four fifths of the pool), the app
    leaves no room for holds: each request's check hands its connection back."""
    client = TestClient(create_app(settings, engine), headers=bearer(token_for("admin")))  # no ``with``
    checkouts = Checkouts(engine)
    assert client.get("/strategies").status_code == 200
    assert checkouts.count == 2


def test_the_move_and_its_history_and_event_are_one_unit_of_work(coordinator, engine):
    client, strategy_id = coordinator
    assert fire(client, strategy_id, "submit_for_consultation").json()["version"] == 4
    with new_session(engine) as session:
        assert session.get(Strategy, strategy_id).stage == "consultation"
        history = session.scalars(select(StageChange.event).where(StageChange.strategy_id == strategy_id)).all()
        events = session.execute(text("SELECT count(*) FROM events WHERE type = 'stage_changed'")).scalar()
    assert history == ["submit_for_consultation", "return_to_drafting", "submit_for_consultation"]
    assert events == 3


POOL = 10  # 8 worker threads (not AnyIO's default of 40) and 2 holds


@pytest.fixture
def probed(settings, engine, token_for) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"db_pool_size": POOL}), engine)

    @app.post("/_probe")
    def probe(request: Request, session: SessionDep) -> dict[str, object]:
        session.add(Institution(name="Ministry of Interior", created_at=clock.now()))
        return {"same_session": request.scope["state"][REQUEST_SESSION].session is session}

    @app.get("/_threads")
    async def threads() -> int:
        return anyio.to_thread.current_default_thread_limiter().total_tokens

    with TestClient(app, raise_server_exceptions=False, headers=bearer(token_for("admin", name="prober"))) as client:
        yield client


def test_the_token_is_checked_in_the_session_the_endpoint_then_uses(probed):
    assert probed.post("/_probe").json() == {"same_session": True}


def test_the_worker_threads_take_four_fifths_of_the_pool(probed):
    assert probed.get("/_threads").json() == 8


def test_a_use_that_cannot_be_recorded_fails_nothing(probed, engine):
    """The token's first use is due; recording it fails (a trigger refuses it). The request's own
    write is committed all the same: the use is written in a savepoint of its own."""
    refuse, allow = {
        "sqlite": ("CREATE TRIGGER refuse_use BEFORE UPDATE ON api_tokens BEGIN SELECT RAISE(ABORT, 'no'); END",
                   "DROP TRIGGER refuse_use"),
        "postgresql": ("CREATE FUNCTION refuse_use() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION "
                       "'no'; END $$; CREATE TRIGGER refuse_use BEFORE UPDATE ON api_tokens FOR EACH ROW EXECUTE "
                       "FUNCTION refuse_use()",
                       "DROP TRIGGER refuse_use ON api_tokens; DROP FUNCTION refuse_use()"),
    }[engine.dialect.name]
    with engine.begin() as connection:
        connection.execute(text(refuse))
    try:
        assert probed.post("/_probe").status_code == 200
    finally:
        with engine.begin() as connection:
            for statement in allow.split("; "):
                connection.execute(text(statement))
    with new_session(engine) as session:
        assert session.scalars(select(Institution.name)).all() == ["Ministry of Interior"]
        assert session.scalar(select(ApiToken.last_used_at).where(ApiToken.name == "prober")) is None
