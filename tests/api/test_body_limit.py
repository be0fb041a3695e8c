"""Bodies over CONTINUUM_MAX_BODY_BYTES get 413, whether announced by Content-Length or streamed chunked."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.limits import BodySizeLimit
from tests.api.helpers import assert_problem, bearer

LIMIT = 2048


@pytest.fixture
def limited(settings, engine, token_for) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"max_body_bytes": LIMIT}), engine)
    with TestClient(app, raise_server_exceptions=False, headers=bearer(token_for())) as test_client:
        yield test_client


def padded_institution(size: int) -> bytes:
    """A valid institution body of exactly ``size`` bytes (the name is refused later if too long)."""
    skeleton = json.dumps({"name": "M", "note": ""}).encode()
    return json.dumps({"name": "M", "note": "x" * (size - len(skeleton))}).encode()


def chunks(body: bytes, size: int = 500) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start:start + size]


def test_a_declared_length_over_the_limit_is_413_and_nothing_happens(limited):
    response = limited.post("/institutions", json={"name": "x" * LIMIT})
    assert int(response.request.headers["content-length"]) > LIMIT
    body = assert_problem(response, 413, "/problems/content-too-large")
    assert body["instance"] == "/institutions"
    assert str(LIMIT) in body["detail"]
    assert limited.get("/institutions").json()["total"] == 0


def test_a_chunked_body_over_the_limit_is_413(limited):
    response = limited.post("/institutions", content=chunks(padded_institution(LIMIT + 1)),
                            headers={"content-type": "application/json"})
    assert "content-length" not in response.request.headers
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert_problem(response, 413, "/problems/content-too-large")
    assert limited.get("/institutions").json()["total"] == 0


def test_bodies_up_to_the_limit_pass_the_middleware(limited):
    exactly = padded_institution(LIMIT)
    assert len(exactly) == LIMIT
    # The middleware lets it through; the command then refuses the unknown field, proving the app read it.
    for content in (exactly, chunks(exactly)):
        response = limited.post("/institutions", content=content, headers={"content-type": "application/json"})
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["pointer"] == "#/note"
    created = limited.post("/institutions", content=chunks(b'{"name": "Ministry of Interior"}', 5),
                           headers={"content-type": "application/json"})
    assert created.status_code == 201, created.text


def test_authentication_comes_before_the_limit(limited):
    """401 first: a caller without a valid token learns nothing about the limit, declared or streamed."""
    token = limited.headers.pop("Authorization")
    assert_problem(limited.post("/strategies", content=b"x" * (LIMIT + 1)), 401)
    assert_problem(limited.post("/strategies", content=chunks(b"x" * (LIMIT + 1))), 401)
    assert_problem(limited.post("/strategies", content=b"x" * (LIMIT + 1), headers={"Authorization": token}), 413)


def test_the_default_limit_is_one_mebibyte(client, settings):
    assert settings.max_body_bytes == 1_048_576
    assert_problem(client.post("/institutions", content=b" " * (1_048_576 + 1)), 413)


def test_an_answer_already_started_is_not_replaced():
    """A streaming app that answered before reading everything keeps its answer; it just stops being fed."""
    sent: list[dict] = []
    incoming = [{"type": "http.request", "body": b"x" * 600, "more_body": True}] * 3

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 202, "headers": []})
        try:
            while (await receive())["more_body"]:
                pass
        finally:
            await send({"type": "http.response.body", "body": b"early"})

    async def receive():
        return incoming.pop(0)

    async def send(message):
        sent.append(message)

    asyncio.run(BodySizeLimit(app, max_bytes=1024)({"type": "http", "path": "/", "headers": []}, receive, send))
    assert [m.get("status") for m in sent] == [202, None]
