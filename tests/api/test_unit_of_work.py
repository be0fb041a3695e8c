"""One unit of work per request: the endpoint's session commits when it returns, rolls back when
it raises, and a commit that fails is the request's error, not a success for lost work."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.app import create_app
from api.deps import SessionDep
from tests.api.helpers import bearer
from workflow.core import NotFound, new_session
from workflow.directory import Institution

NOW = datetime(2026, 1, 5, 9, tzinfo=UTC)


@pytest.fixture
def probe(settings, engine, token_for):
    app = create_app(settings, engine)

    @app.post("/_probe/{name}")
    def add(name: str, session: SessionDep, fail: bool = False, flush: bool = True) -> dict[str, int | None]:
        institution = Institution(name=name, created_at=NOW)
        session.add(institution)
        if flush:
            session.flush()
        if fail:
            raise NotFound("nothing here, after a flushed write")
        return {"id": institution.id}

    with TestClient(app, raise_server_exceptions=False) as client:
        client.headers.update(bearer(token_for("admin")))
        yield client


def _institutions(engine) -> list[str]:
    with new_session(engine) as session:
        return list(session.scalars(select(Institution.name).order_by(Institution.id)))


def test_a_write_is_committed_when_the_endpoint_returns(probe, engine):
    assert probe.post("/_probe/Ministry of Interior").status_code == 200
    assert _institutions(engine) == ["Ministry of Interior"]


def test_a_flushed_write_is_rolled_back_when_the_endpoint_raises(probe, engine):
    response = probe.post("/_probe/Ministry of Interior", params={"fail": "true"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert _institutions(engine) == []


def test_a_commit_that_fails_is_an_error_response_and_keeps_nothing(probe, engine):
    assert probe.post("/_probe/Ministry of Interior").status_code == 200
    response = probe.post("/_probe/Ministry of Interior", params={"flush": "false"})  # unique name: fails at commit
    assert response.status_code >= 400
    assert response.headers["content-type"].startswith("application/problem+json")
    with new_session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Institution)) == 1


def test_no_router_commits_by_hand():
    routers = Path(__file__).parents[2] / "api" / "routers"
    offenders = [p.name for p in routers.glob("*.py") if ".commit(" in p.read_text(encoding="utf-8")]
    assert offenders == []
