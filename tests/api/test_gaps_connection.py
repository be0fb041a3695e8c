"""``GET /gaps`` and ``GET /timeline`` give their pooled connection back before they compute (issue 10, item 5).

The read loads every strategy with its history; the rules then run over plain values. While they
run, no connection of the engine's pool may be checked out for the request: it is observed from
inside the compute step (a rule wrapped to count the pool's checked-out connections).
On SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from api.auth import Principal, authenticate, current_principal
from tests import factories as f
from workflow.core.db import unit_of_work
from workflow.gaps import rules
from workflow.gaps import timeline as timelines

TODAY = date(2026, 1, 5)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest) -> Iterator[Engine]:
    yield request.getfixturevalue("engine" if request.param == "sqlite" else "pg_engine")


@pytest.fixture
def viewer(settings, db) -> Iterator[TestClient]:
    """A viewer's client (authentication overridden: the connection under watch is the read's)."""
    app = create_app(settings, db)
    principal = Principal(name="viewer", role="viewer", institution_id=None)
    app.dependency_overrides[authenticate] = lambda: principal
    app.dependency_overrides[current_principal] = lambda: principal
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def migration(db) -> dict[str, int]:
    """2019-2022 lapsed, its successor 2024-2030 approved late, and the successor's action plan."""
    with unit_of_work(db) as s:
        moi = f.institution(s)
        old = f.strategy_in_stage(s, moi, "implementation", today=TODAY)
        f.advance(s, old.id, "expire", today=TODAY, effective_on=date(2023, 1, 1))
        new = f.strategy_in_stage(s, moi, "implementation", today=TODAY, title="Migration 2024-2030",
                                  period_start=date(2024, 1, 1), period_end=date(2030, 12, 31), predecessor_id=old.id)
        plan = f.strategy_in_stage(s, moi, "implementation", today=TODAY, title="Action plan 2024-2026",
                                   kind="action_plan", parent_id=new.id, period_start=date(2024, 1, 1),
                                   period_end=date(2026, 12, 31))
        return {"old": old.id, "new": new.id, "plan": plan.id}


def _observe(monkeypatch: pytest.MonkeyPatch, owner: object, name: str, db: Engine) -> list[int]:
    """Wrap ``owner.name`` so each call records how many pooled connections are checked out."""
    held: list[int] = []
    real: Callable[..., object] = getattr(owner, name)

    def observed(*args: object, **kwargs: object) -> object:
        held.append(db.pool.checkedout())
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, observed)
    return held


def test_gaps_holds_no_pooled_connection_while_it_computes(viewer, migration, db, monkeypatch):
    held = _observe(monkeypatch, rules.GapAssessment, "entry", db)
    for as_of in ("2023-06-30", "2026-01-05"):
        response = viewer.get("/gaps", params={"as_of": as_of, "horizon_days": 365})
        assert response.status_code == 200, response.text
        assert response.json()["items"]
    assert held and set(held) == {0}, held


def test_timeline_holds_no_pooled_connection_while_it_computes(viewer, migration, db, monkeypatch):
    held = _observe(monkeypatch, timelines, "_holes", db)
    for params in ({"policy_area": "migration"}, {"parent_id": migration["new"]}):
        response = viewer.get("/timeline", params={**params, "as_of": "2026-01-05"})
        assert response.status_code == 200, response.text
        assert response.json()["intervals"]
    assert held == [0, 0], held
