"""Authorization: each role against each endpoint group, and writes across institutions (OWASP API1/API5)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.helpers import STRATEGY, assert_invalid, assert_problem, fire, make_institution, make_strategy

ROLES = ("admin", "coordinator", "contact_point", "viewer")


@dataclass
class World:
    admin: TestClient
    own: int  # the institution the non-admin tokens act for
    other: int
    own_strategy: dict[str, Any]
    other_strategy: dict[str, Any]
    contact_id: int
    clients: dict[str, TestClient]


@pytest.fixture
def world(client, client_as) -> World:
    own, other = make_institution(client, "Ministry of Interior"), make_institution(client, "Ministry of Finance")
    contact = client.post("/contacts", json={"name": "Arta Hoxha", "email": "arta@example.org", "institution_id": own,
                                             "roles": ["coordinator"]})
    assert contact.status_code == 201, contact.text
    clients = {role: client_as(role, own if role in ("coordinator", "contact_point") else None) for role in ROLES[1:]}
    clients["admin"] = client
    return World(client, own, other, make_strategy(client, own), make_strategy(client, other), contact.json()["id"],
                 clients)


def forbidden(response) -> dict[str, Any]:
    return assert_problem(response, 403, "/problems/forbidden")


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_everything_but_tokens(world, role):
    caller = world.clients[role]
    sid = world.other_strategy["id"]
    for path in ("/strategies", f"/strategies/{sid}", f"/strategies/{sid}/transitions", "/institutions",
                 f"/institutions/{world.other}", "/contacts", f"/contacts/{world.contact_id}", "/events",
                 "/notifications"):
        assert caller.get(path).status_code == 200, (role, path)
    tokens = caller.get("/tokens")
    if role == "admin":
        assert tokens.status_code == 200
    else:
        forbidden(tokens)


@pytest.mark.parametrize("role", ROLES[1:])
def test_only_admins_change_institutions_contacts_and_tokens(world, role):
    caller = world.clients[role]
    forbidden(caller.post("/institutions", json={"name": "Ministry of Justice"}))
    forbidden(caller.post("/contacts", json={"name": "B", "email": "b@example.org", "institution_id": world.own,
                                             "roles": ["escalation"]}))
    forbidden(caller.patch(f"/contacts/{world.contact_id}", json={"email": "mine@example.org"}))
    forbidden(caller.post("/tokens", json={"name": "escalated", "role": "admin"}))
    forbidden(caller.post("/tokens/1/revoke"))
    forbidden(caller.get("/tokens/1"))
    assert world.admin.get("/institutions").json()["total"] == 2
    assert world.admin.get(f"/contacts/{world.contact_id}").json()["email"] == "arta@example.org"
    assert [t["name"] for t in world.admin.get("/tokens").json()["items"]] == ["test-admin", "test-coordinator-1",
                                                                              "test-contact_point-2", "test-viewer-3"]


@pytest.mark.parametrize("role", ["contact_point", "viewer"])
def test_readers_cannot_write_strategies_even_of_their_own_institution(world, role):
    caller = world.clients[role]
    sid = world.own_strategy["id"]
    body = forbidden(caller.post("/strategies", json={**STRATEGY, "lead_institution_id": world.own}))
    assert f"a {role} may not do this" in body["detail"]
    forbidden(caller.patch(f"/strategies/{sid}", json={"title": "Mine now"}))
    forbidden(fire(caller, sid, "submit_for_consultation"))
    assert world.admin.get(f"/strategies/{sid}").json()["version"] == 1
    assert world.admin.get("/strategies").json()["total"] == 2


def test_a_role_refusal_comes_before_validating_the_body(world):
    forbidden(world.clients["viewer"].post("/strategies", json={"title": 3}))


def test_a_coordinator_creates_edits_and_advances_its_own_institutions_strategies(world):
    coordinator = world.clients["coordinator"]
    created = coordinator.post("/strategies", json={**STRATEGY, "title": "Own", "lead_institution_id": world.own})
    assert created.status_code == 201, created.text
    sid = created.json()["id"]
    edited = coordinator.patch(f"/strategies/{sid}", json={"title": "Renamed", "lead_institution_id": world.own})
    assert edited.status_code == 200, edited.text
    moved = fire(coordinator, sid, "submit_for_consultation")
    assert moved.status_code == 200, moved.text
    assert [r["actor"] for r in coordinator.get(f"/strategies/{sid}/transitions").json()] == ["test-coordinator-1"]


def test_a_coordinator_cannot_create_a_strategy_for_another_institution(world):
    coordinator = world.clients["coordinator"]
    body = forbidden(coordinator.post("/strategies", json={**STRATEGY, "lead_institution_id": world.other}))
    assert f"acts for institution {world.own}" in body["detail"]
    plan = {**STRATEGY, "kind": "action_plan", "parent_id": world.own_strategy["id"],
            "lead_institution_id": world.other, "period_end": "2026-12-31"}
    forbidden(coordinator.post("/strategies", json=plan))
    assert world.admin.get("/strategies").json()["total"] == 2


def test_a_coordinator_cannot_edit_or_advance_another_institutions_strategy(world):
    coordinator = world.clients["coordinator"]
    sid = world.other_strategy["id"]
    forbidden(coordinator.patch(f"/strategies/{sid}", json={"title": "Hijacked"}))
    forbidden(coordinator.patch(f"/strategies/{sid}", json={"lead_institution_id": world.own}))
    forbidden(coordinator.patch(f"/strategies/{sid}", json={}))
    forbidden(fire(coordinator, sid, "submit_for_consultation"))
    after = world.admin.get(f"/strategies/{sid}").json()
    assert (after["title"], after["lead_institution_id"], after["stage"], after["version"]) == (
        STRATEGY["title"], world.other, "drafting", 1
    )


def test_a_coordinator_cannot_hand_its_strategy_to_another_institution(world):
    coordinator = world.clients["coordinator"]
    sid = world.own_strategy["id"]
    body = forbidden(coordinator.patch(f"/strategies/{sid}", json={"title": "x", "lead_institution_id": world.other}))
    assert "the new lead_institution_id" in body["detail"]
    after = world.admin.get(f"/strategies/{sid}").json()
    assert (after["title"], after["lead_institution_id"], after["version"]) == (STRATEGY["title"], world.own, 1)


def test_a_coordinator_of_an_unknown_institution_id_is_forbidden_not_told_it_exists(world):
    forbidden(world.clients["coordinator"].post("/strategies", json={**STRATEGY, "lead_institution_id": 4242}))


def test_an_admin_may_move_a_strategy_to_another_institution(world):
    sid = world.own_strategy["id"]
    moved = world.admin.patch(f"/strategies/{sid}", json={"lead_institution_id": world.other})
    assert moved.status_code == 200, moved.text
    assert moved.json()["lead_institution_id"] == world.other
    forbidden(world.clients["coordinator"].patch(f"/strategies/{sid}", json={"title": "Back"}))


@pytest.mark.parametrize(
    ("field", "value"),
    [("id", 99), ("stage", "implementation"), ("version", 7), ("approved_on", "2020-01-01"),
     ("approval_reference", "DCM 1"), ("expired_on", "2020-01-01"), ("created_at", "2020-01-01T00:00:00Z"),
     ("allowed_events", ["approve"])],
)
def test_server_owned_strategy_fields_are_refused(world, field, value):
    coordinator = world.clients["coordinator"]
    sid = world.own_strategy["id"]
    assert_invalid(coordinator.post("/strategies", json={**STRATEGY, "lead_institution_id": world.own, field: value}),
                   pointer=f"#/{field}")
    assert_invalid(coordinator.patch(f"/strategies/{sid}", json={field: value}), pointer=f"#/{field}")
    assert world.admin.get(f"/strategies/{sid}").json()["version"] == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("id", 1), ("token", "ctm_chosen"), ("token_hash", "0" * 64), ("prefix", "ctm_x"), ("revoked_at", None),
     ("expires_at", "2999-01-01T00:00:00Z"), ("last_used_at", None), ("created_at", "2020-01-01T00:00:00Z")],
)
def test_server_owned_token_fields_are_refused(world, field, value):
    response = world.admin.post("/tokens", json={"name": "n", "role": "viewer", field: value})
    assert_invalid(response, pointer=f"#/{field}")
