"""POST/GET /tokens and POST /tokens/{id}/revoke: the secret appears in the create response only."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from tests.api.helpers import assert_invalid, assert_problem, bearer, make_institution
from workflow.core.db import new_session


def test_an_admin_issues_a_token_that_works_at_once_with_its_role(client, anonymous, settings):
    moi = make_institution(client)
    response = client.post("/tokens", json={"name": "arta-moi", "role": "coordinator", "institution_id": moi})
    assert response.status_code == 201, response.text
    issued = response.json()
    assert response.headers["location"] == f"/tokens/{issued['id']}"
    assert response.headers["cache-control"] == "no-store"
    assert (issued["name"], issued["role"], issued["institution_id"], issued["status"]) == (
        "arta-moi", "coordinator", moi, "active"
    )
    assert issued["token"].startswith(issued["prefix"]) and len(issued["prefix"]) == 12
    lifetime = datetime.fromisoformat(issued["expires_at"]) - datetime.fromisoformat(issued["created_at"])
    assert lifetime == timedelta(days=settings.token_lifetime_days)

    as_arta = bearer(issued["token"])
    created = anonymous.post("/strategies", headers=as_arta, json={
        "title": "T", "policy_area": "migration", "lead_institution_id": moi,
        "period_start": "2024-01-01", "period_end": "2030-12-31"})
    assert created.status_code == 201, created.text
    assert_problem(anonymous.post("/institutions", headers=as_arta, json={"name": "X"}), 403, "/problems/forbidden")


def test_the_secret_is_never_shown_again_nor_stored(client, engine):
    issued = client.post("/tokens", json={"name": "ops", "role": "viewer", "expires_in_days": 7}).json()
    secret = issued["token"]

    listing = client.get("/tokens")
    one = client.get(f"/tokens/{issued['id']}")
    for response in (listing, one):
        assert response.status_code == 200
        assert secret not in response.text and secret[12:] not in response.text
        assert "token_hash" not in response.text
    assert "token" not in one.json()
    with new_session(engine) as session:
        rows = session.execute(text("SELECT * FROM api_tokens")).mappings().all()
    assert not [row for row in rows if secret[12:] in " ".join(str(v) for v in row.values())]


def test_the_secret_is_not_logged(client, anonymous, caplog):
    caplog.set_level(logging.DEBUG)
    secret = client.post("/tokens", json={"name": "ops", "role": "viewer"}).json()["token"]
    anonymous.get("/strategies", headers=bearer(secret))
    anonymous.get("/strategies", headers=bearer(secret + "x"))
    assert any("ops" in record.getMessage() for record in caplog.records)
    assert not [r for r in caplog.records if secret[12:] in r.getMessage() or secret[12:] in str(r.args)]


def test_a_revoked_token_is_refused_and_revoking_again_keeps_the_time(client, anonymous):
    issued = client.post("/tokens", json={"name": "leaver", "role": "viewer"}).json()
    assert anonymous.get("/strategies", headers=bearer(issued["token"])).status_code == 200

    revoked = client.post(f"/tokens/{issued['id']}/revoke")
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["status"] == "revoked"
    assert client.post(f"/tokens/{issued['id']}/revoke").json()["revoked_at"] == revoked.json()["revoked_at"]
    assert_problem(anonymous.get("/strategies", headers=bearer(issued["token"])), 401, "/problems/unauthenticated")
    listed = {t["name"]: t for t in client.get("/tokens").json()["items"]}
    assert listed["leaver"]["status"] == "revoked" and listed["leaver"]["last_used_at"] is not None
    assert_problem(client.post("/tokens/4242/revoke"), 404, "/problems/not-found")


def test_names_are_unique(client):
    assert client.post("/tokens", json={"name": "ops", "role": "viewer"}).status_code == 201
    body = assert_problem(client.post("/tokens", json={"name": "ops", "role": "admin"}), 409, "/problems/conflict")
    assert body["errors"] == [{"pointer": "#/name", "detail": "must be unique"}]


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"name": "c", "role": "coordinator"}, "#/institution_id"),
        ({"name": "c", "role": "contact_point", "institution_id": 4242}, "#/institution_id"),
        ({"name": "c", "role": "superuser"}, "#/role"),
        ({"name": "c", "role": "viewer", "expires_in_days": 0}, "#/expires_in_days"),
        ({"name": "c", "role": "viewer", "expires_in_days": 3651}, "#/expires_in_days"),
        ({"name": "a\r\nb", "role": "viewer"}, "#/name"),
        ({"name": "17", "role": "viewer"}, "#/name"),
        ({"name": "", "role": "viewer"}, "#/name"),
        ({"role": "viewer"}, "#/name"),
    ],
)
def test_bad_token_requests_are_422_at_the_field(client, body, pointer):
    assert_invalid(client.post("/tokens", json=body), pointer=pointer)
    assert [t["name"] for t in client.get("/tokens").json()["items"]] == ["test-admin"]
