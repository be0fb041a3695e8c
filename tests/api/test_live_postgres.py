"""The API served for real by uvicorn on PostgreSQL: racing requests and bytes only a real client sends."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from api.app import create_app
from tests.api.helpers import PROBLEM_JSON, STRATEGY, bearer
from tests.api.serving import served
from workflow.access.tokens import TokenCreate, issue_token
from workflow.core import clock
from workflow.core.db import unit_of_work
from workflow.core.outbox import OutboxEvent
from workflow.core.settings import Settings
from workflow.lifecycle.models import StageChange, Strategy

RACERS = 20


@pytest.fixture
def live_url(pg_engine: Engine, postgres_url: str, tmp_path) -> Iterator[str]:
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", database_url=postgres_url)
    with served(create_app(settings, pg_engine)) as url:
        yield url


def _token(engine: Engine, name: str, role: str = "admin", institution_id: int | None = None) -> dict[str, str]:
    with unit_of_work(engine) as session:
        command = TokenCreate(name=name, role=role, institution_id=institution_id)
        return bearer(issue_token(session, command, now=clock.now(), default_lifetime_days=1).plain)


def _new_strategy(url: str, engine: Engine) -> int:
    with httpx.Client(base_url=url, timeout=10, headers=_token(engine, "live-admin")) as client:
        institution = client.post("/institutions", json={"name": "Ministry of Interior"})
        assert institution.status_code == 201, institution.text
        created = client.post("/strategies", json={**STRATEGY, "lead_institution_id": institution.json()["id"]})
        assert created.status_code == 201, created.text
        return created.json()["id"]


def _institution_of(engine: Engine, strategy_id: int) -> int:
    with Session(engine) as session:
        return session.get(Strategy, strategy_id).lead_institution_id


def _race(url: str, strategy_id: int, headers_for: list[dict[str, str]]) -> list[httpx.Response]:
    barrier = threading.Barrier(len(headers_for))
    clients = [httpx.Client(base_url=url, timeout=30) for _ in headers_for]
    for client in clients:  # connect before the barrier, so the requests leave together
        assert client.get("/health").status_code == 200

    def post(index: int) -> httpx.Response:
        barrier.wait(timeout=30)
        return clients[index].post(
            f"/strategies/{strategy_id}/transitions",
            json={"event": "submit_for_consultation"},  # effective today: coordinators do not backdate
            headers=headers_for[index],
        )

    try:
        with ThreadPoolExecutor(max_workers=len(headers_for)) as pool:
            return list(pool.map(post, range(len(headers_for))))
    finally:
        for client in clients:
            client.close()


@pytest.mark.postgres
@pytest.mark.parametrize("if_match", ["none", "current", "mixed"])
def test_of_twenty_racing_transitions_exactly_one_wins(live_url, pg_engine, if_match):
    strategy_id = _new_strategy(live_url, pg_engine)
    institution_id = _institution_of(pg_engine, strategy_id)
    headers_for = [
        _token(pg_engine, f"racer-{i}", "coordinator", institution_id)
        | ({"If-Match": '"1"'} if if_match == "current" or (if_match == "mixed" and i % 2) else {})
        for i in range(RACERS)
    ]

    responses = _race(live_url, strategy_id, headers_for)

    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(200) == 1, statuses
    assert set(statuses) <= {200, 409, 412}, [r.text for r in responses if r.status_code not in (200, 409, 412)]
    for response in responses:
        if response.status_code != 200:
            assert response.headers["content-type"] == PROBLEM_JSON
            assert response.json()["type"] in (
                "/problems/illegal-transition", "/problems/concurrent-update", "/problems/stale-version"
            )
    if if_match == "none":
        assert set(statuses) == {200, 409}
    winner = next(r for r in responses if r.status_code == 200)
    assert (winner.json()["stage"], winner.json()["version"]) == ("consultation", 2)

    with Session(pg_engine) as session:
        rows = session.scalars(select(StageChange).where(StageChange.strategy_id == strategy_id)).all()
        stage_events = session.scalar(
            select(func.count()).select_from(OutboxEvent).where(
                OutboxEvent.strategy_id == strategy_id, OutboxEvent.type == "stage_changed"
            )
        )
        strategy = session.get(Strategy, strategy_id)
    assert len(rows) == 1
    assert rows[0].actor == f"racer-{responses.index(winner)}"
    assert stage_events == 1
    assert (strategy.stage, strategy.version) == ("consultation", 2)

    with httpx.Client(base_url=live_url, headers=_token(pg_engine, "reader", "viewer")) as client:
        assert len(client.get(f"/strategies/{strategy_id}/transitions").json()) == 1


@pytest.mark.postgres
def test_input_postgresql_cannot_store_is_422_not_a_database_error(live_url, pg_engine):
    strategy_id = _new_strategy(live_url, pg_engine)
    with httpx.Client(base_url=live_url, timeout=10, headers=_token(pg_engine, "nul-tester")) as client:
        comment = client.post(
            f"/strategies/{strategy_id}/transitions", json={"event": "submit_for_consultation", "comment": "a\x00b"}
        )
        assert comment.status_code == 422, comment.text
        assert comment.json()["errors"][0]["pointer"] == "#/comment"
        listing = client.get("/strategies", params={"policy_area": "a\x00b"})
        assert listing.status_code == 422, listing.text
        assert listing.json()["errors"][0]["parameter"] == "policy_area"
        assert client.get(f"/strategies/{strategy_id}").json()["version"] == 1


@pytest.mark.postgres
def test_a_latin1_digit_in_if_match_is_400_not_500(live_url, pg_engine):
    strategy_id = _new_strategy(live_url, pg_engine)
    with httpx.Client(base_url=live_url, timeout=10, headers=_token(pg_engine, "if-match-tester")) as client:
        response = client.patch(
            f"/strategies/{strategy_id}", json={"title": "Renamed"}, headers={"If-Match": b'"\xb2"'}
        )
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["type"] == "/problems/malformed-if-match"
