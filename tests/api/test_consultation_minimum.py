"""Lowering the law's minimum consultation (issue 10, item 7), on SQLite and PostgreSQL.

Below ``CONTINUUM_MIN_CONSULTATION_DAYS`` (the legal minimum, 20 working days by default) only an
admin may set a strategy's ``min_consultation_days``; the outbox history says who set what.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.api.databases import both_databases
from tests.api.helpers import STRATEGY, assert_problem, bearer, make_institution

engine = both_databases  # every test here runs on SQLite and on PostgreSQL


def _events(client: TestClient, type_: str) -> list[dict]:
    return [e["payload"] for e in client.get("/events", params={"limit": 200}).json()["items"] if e["type"] == type_]


def _refused(response) -> None:
    body = assert_problem(response, 403, "/problems/forbidden")
    assert "legal minimum of 20 working days" in body["detail"] and "admin" in body["detail"]
    assert body["errors"] == [{"pointer": "#/min_consultation_days", "detail": body["detail"]}]


@pytest.fixture
def moi(client) -> int:
    return make_institution(client)


def test_a_coordinator_cannot_go_below_the_legal_minimum(client, client_as, moi):
    coordinator = client_as("coordinator", moi, name="arta")
    for days in (0, 19):
        _refused(coordinator.post("/strategies", json={**STRATEGY, "lead_institution_id": moi,
                                                       "min_consultation_days": days}))
    assert client.get("/strategies").json()["total"] == 0
    created = coordinator.post("/strategies", json={**STRATEGY, "lead_institution_id": moi,
                                                    "min_consultation_days": 20})
    assert created.status_code == 201, created.text
    sid = created.json()["id"]
    _refused(coordinator.patch(f"/strategies/{sid}", json={"min_consultation_days": 0}))
    _refused(coordinator.patch(f"/strategies/{sid}", json={"title": "Also renamed", "min_consultation_days": 5}))
    after = client.get(f"/strategies/{sid}").json()
    assert (after["min_consultation_days"], after["title"], after["version"]) == (20, STRATEGY["title"], 1)
    for days in (45, None):  # longer than the law asks, or back to the deployment default
        moved = coordinator.patch(f"/strategies/{sid}", json={"min_consultation_days": days})
        assert moved.status_code == 200, moved.text
    assert [p["actor"] for p in _events(client, "strategy_created")] == ["arta"]
    assert [(p["actor"], p["changes"]) for p in _events(client, "strategy_updated")] == [
        ("arta", {"min_consultation_days": [20, 45]}), ("arta", {"min_consultation_days": [45, None]}),
    ]


def test_an_admin_may_go_below_it_and_the_history_names_the_admin(client, client_as, moi):
    coordinator = client_as("coordinator", moi, name="arta")
    sid = coordinator.post("/strategies", json={**STRATEGY, "lead_institution_id": moi}).json()["id"]
    lowered = client.patch(f"/strategies/{sid}", json={"min_consultation_days": 0})
    assert lowered.status_code == 200, lowered.text
    assert lowered.json()["min_consultation_days"] == 0
    created = client.post("/strategies", json={**STRATEGY, "lead_institution_id": moi, "min_consultation_days": 5})
    assert created.status_code == 201, created.text
    assert [p["actor"] for p in _events(client, "strategy_created")] == ["arta", "test-admin"]
    assert _events(client, "strategy_created")[1]["min_consultation_days"] == 5
    assert [(p["actor"], p["changes"]) for p in _events(client, "strategy_updated")] == [
        ("test-admin", {"min_consultation_days": [None, 0]}),
    ]
    # What the admin set stays: a coordinator editing something else does not trip over it.
    renamed = coordinator.patch(f"/strategies/{sid}", json={"title": "Renamed"})
    assert renamed.status_code == 200, renamed.text


def test_the_floor_is_the_deployments_setting(settings, engine, token_for, moi):
    lenient = settings.model_copy(update={"min_consultation_days": 3})
    with TestClient(create_app(lenient, engine), raise_server_exceptions=False) as coordinator:
        coordinator.headers.update(bearer(token_for("coordinator", moi)))
        ok = coordinator.post("/strategies", json={**STRATEGY, "lead_institution_id": moi, "min_consultation_days": 3})
        assert ok.status_code == 201, ok.text
        body = assert_problem(coordinator.post("/strategies", json={**STRATEGY, "lead_institution_id": moi,
                                                                    "min_consultation_days": 2}), 403)
        assert "legal minimum of 3 working days" in body["detail"]


def test_a_coordinator_cannot_backdate_a_consultation_to_skip_the_minimum(client, client_as, moi):
    """The reviewer's probe: create today, open the consultation 'in 2020', submit for approval at once."""
    coordinator = client_as("coordinator", moi, name="arta")
    created = coordinator.post("/strategies", json={**STRATEGY, "lead_institution_id": moi})
    strategy = created.json()["id"]
    backdated = coordinator.post(f"/strategies/{strategy}/transitions",
                                 json={"event": "submit_for_consultation", "effective_on": "2020-01-01"})
    body = assert_problem(backdated, 403, "/problems/forbidden")
    assert body["errors"][0]["pointer"] == "#/effective_on" and "admin" in body["detail"]
    assert client.get(f"/strategies/{strategy}").json()["stage"] == "drafting"
    opened = coordinator.post(f"/strategies/{strategy}/transitions", json={"event": "submit_for_consultation"})
    assert opened.status_code == 200
    too_soon = coordinator.post(f"/strategies/{strategy}/transitions", json={"event": "submit_for_approval"})
    assert_problem(too_soon, 409, "/problems/guard-refused")


def test_an_admin_imports_history_from_before_registration(client, moi):
    strategy = client.post("/strategies", json={**STRATEGY, "lead_institution_id": moi}).json()["id"]
    for event, day in (("submit_for_consultation", "2020-01-06"), ("submit_for_approval", "2020-03-02")):
        moved = client.post(f"/strategies/{strategy}/transitions", json={"event": event, "effective_on": day})
        assert moved.status_code == 200, moved.text
