"""Builders and assertions the API tests share: everything goes through HTTP, as a client would."""

from __future__ import annotations

from typing import Any

from httpx import Response

PROBLEM_JSON = "application/problem+json"

STRATEGY = {
    "title": "National Strategy for Migration 2024-2030",
    "policy_area": "migration",
    "period_start": "2024-01-01",
    "period_end": "2030-12-31",
}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_problem(response: Response, status: int, type_: str | None = None) -> dict[str, Any]:
    """An RFC 9457 problem document with the given status (and type, when given); returns the body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["type"], str) and body["type"]
    if type_ is not None:
        assert body["type"] == type_
    return body


def assert_invalid(response: Response, *, pointer: str | None = None, parameter: str | None = None) -> dict[str, Any]:
    """A 422 whose ``errors`` name ``pointer`` (body field) or ``parameter`` (query, path, header)."""
    body = assert_problem(response, 422, "/problems/validation-failed")
    errors = body["errors"]
    assert errors and all(e["detail"] for e in errors)
    if pointer is not None:
        assert pointer in [e.get("pointer") for e in errors], errors
    if parameter is not None:
        assert parameter in [e.get("parameter") for e in errors], errors
    return body


def make_institution(client, name: str = "Ministry of Interior") -> int:
    response = client.post("/institutions", json={"name": name})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def make_strategy(client, institution_id: int, **fields: Any) -> dict[str, Any]:
    response = client.post("/strategies", json={**STRATEGY, "lead_institution_id": institution_id, **fields})
    assert response.status_code == 201, response.text
    return response.json()


def fire(client, strategy_id: int, event: str, headers: dict[str, str] | None = None, **fields: Any) -> Response:
    return client.post(f"/strategies/{strategy_id}/transitions", json={"event": event, **fields}, headers=headers or {})
