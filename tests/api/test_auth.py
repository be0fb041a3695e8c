"""Authentication: which requests need a bearer token, and what a missing or dead one gets."""

from __future__ import annotations

import re
from datetime import timedelta

import freezegun
import pytest
from sqlalchemy import select

from api.auth import PUBLIC_PATHS
from tests.api.helpers import assert_problem, bearer
from workflow.access.models import ApiToken
from workflow.access.tokens import LAST_USED_GRANULARITY, TokenCreate, issue_token, revoke_token
from workflow.core import clock
from workflow.core.db import new_session, unit_of_work


def every_operation(client) -> list[tuple[str, str]]:
    """From the app's own schema, so routers added later are covered without touching these tests."""
    paths = client.get("/openapi.json").json()["paths"]
    return [(method.upper(), re.sub(r"\{[^}]+\}", "1", path)) for path, ops in paths.items() for method in ops]


def test_every_operation_but_health_needs_a_token(anonymous):
    operations = every_operation(anonymous)
    assert len(operations) > 15
    refused = []
    for method, path in operations:
        response = anonymous.request(method, path)
        if path in PUBLIC_PATHS:
            assert response.status_code == 200, (method, path)
            continue
        if path.startswith("/calendars/"):  # a feed's URL is its own credential: an unknown one is 404
            assert_problem(response, 404)
            continue
        body = assert_problem(response, 401, "/problems/unauthenticated")
        assert response.headers["www-authenticate"] == 'Bearer realm="continuum"'
        assert "Bearer" in body["detail"]
        refused.append(path)
    assert {"/strategies", "/institutions", "/contacts", "/events", "/notifications", "/tokens"} <= set(refused)


@pytest.mark.parametrize("path", ["/health", "/docs", "/redoc", "/openapi.json"])
def test_health_and_the_docs_stay_open(anonymous, path):
    assert anonymous.get(path).status_code == 200


@pytest.mark.parametrize(
    "header",
    ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "Token ctm_abc", "ctm_abc", "Bearer ctm_", "Bearer ctm_nope",
     "Bearer eyJhbGciOiJub25lIn0.e30.", "Bearer " + "ctm_" + "x" * 5000],
)
def test_malformed_or_unknown_credentials_are_401(anonymous, header):
    response = anonymous.get("/strategies", headers={"Authorization": header})
    assert_problem(response, 401, "/problems/unauthenticated")
    assert response.headers["www-authenticate"].startswith('Bearer realm="continuum"')


def test_a_token_presented_but_refused_says_invalid_token(anonymous):
    response = anonymous.get("/strategies", headers=bearer("ctm_" + "A" * 43))
    assert response.headers["www-authenticate"] == 'Bearer realm="continuum", error="invalid_token"'
    assert assert_problem(response, 401)["detail"] == "the bearer token is not valid"


def test_the_scheme_name_is_case_insensitive(anonymous, token_for):
    response = anonymous.get("/strategies", headers={"Authorization": f"bearer {token_for('viewer')}"})
    assert response.status_code == 200, response.text


def test_an_expired_token_is_401_from_the_moment_it_expires(anonymous, engine):
    issued_at = clock.now()
    with unit_of_work(engine) as session:
        plain = issue_token(session, TokenCreate(name="short", role="viewer", expires_in_days=1),
                            now=issued_at, default_lifetime_days=90).plain
    assert anonymous.get("/strategies", headers=bearer(plain)).status_code == 200  # routes resolve before freezing
    with freezegun.freeze_time(issued_at + timedelta(days=1) - timedelta(seconds=1)):
        assert anonymous.get("/strategies", headers=bearer(plain)).status_code == 200
    with freezegun.freeze_time(issued_at + timedelta(days=1)):
        body = assert_problem(anonymous.get("/strategies", headers=bearer(plain)), 401, "/problems/unauthenticated")
    assert "expired on" in body["detail"]


def test_a_revoked_token_is_401_on_its_next_request(anonymous, engine, token_for):
    plain = token_for("viewer", name="leaver")
    assert anonymous.get("/strategies", headers=bearer(plain)).status_code == 200
    with unit_of_work(engine) as session:
        token = session.scalar(select(ApiToken).where(ApiToken.name == "leaver"))
        revoke_token(session, token, now=clock.now())
    body = assert_problem(anonymous.get("/strategies", headers=bearer(plain)), 401, "/problems/unauthenticated")
    assert "revoked on" in body["detail"]


def test_use_is_recorded_without_a_write_per_request(anonymous, engine, token_for):
    plain = token_for("viewer", name="reader")
    anonymous.get("/health")  # routes resolve their annotations before the clock is frozen
    start = clock.now()
    with freezegun.freeze_time(start) as frozen:
        anonymous.get("/strategies", headers=bearer(plain))
        frozen.tick(LAST_USED_GRANULARITY / 2)
        anonymous.get("/strategies", headers=bearer(plain))
        with new_session(engine) as session:
            assert session.scalar(select(ApiToken.last_used_at).where(ApiToken.name == "reader")) == start
        frozen.tick(LAST_USED_GRANULARITY)
        anonymous.get("/strategies", headers=bearer(plain))
        with new_session(engine) as session:
            assert session.scalar(select(ApiToken.last_used_at).where(ApiToken.name == "reader")) == clock.now()


def test_an_unauthenticated_write_changes_nothing(anonymous, client):
    response = anonymous.post("/institutions", json={"name": "Ministry of Interior"})
    assert_problem(response, 401)
    assert client.get("/institutions").json()["total"] == 0


def test_the_openapi_schema_documents_the_bearer_scheme_and_its_problems(anonymous):
    schema = anonymous.get("/openapi.json").json()
    scheme = schema["components"]["securitySchemes"]["bearerToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    health = schema["paths"]["/health"]["get"]
    assert "security" not in health and "401" not in health["responses"]
    for path, operations in schema["paths"].items():
        if path in PUBLIC_PATHS:
            continue
        for method, operation in operations.items():
            assert operation["security"] == [{"bearerToken": []}], (method, path)
            assert {"401", "403"} <= set(operation["responses"]), (method, path)
            assert "WWW-Authenticate" in operation["responses"]["401"]["headers"]
            if "requestBody" in operation:
                assert "413" in operation["responses"], (method, path)


# 401 before anything else: the token is checked before the body, its type, its encoding, the route
# or the parameters are looked at, so no answer tells an unauthenticated caller more than "log in".
NO_TOKEN = {}
BAD_TOKEN = bearer("ctm_" + "B" * 43)
UNAUTHENTICATED_CALLERS = pytest.mark.parametrize("credentials", [NO_TOKEN, BAD_TOKEN], ids=["no-token", "bad-token"])
JSON = "application/json"


@UNAUTHENTICATED_CALLERS
@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"{bad", JSON),  # malformed JSON
        (b'{"name": 1, "unknown": true}', JSON),  # well-formed, invalid
        (b"name=Ministry", "application/x-www-form-urlencoded"),  # wrong content type
        (b"<institution/>", "text/xml"),
        (b'{"name": "Minist\xe8ri"}', JSON),  # not UTF-8 (Latin-1)
        (b"\xff\xfe{\x00}\x00", JSON),  # UTF-16 with a byte-order mark
        (b"", None),  # no body, no content type
    ],
    ids=["malformed", "invalid", "form", "xml", "latin-1", "utf-16", "empty"],
)
@pytest.mark.parametrize(("method", "path"), [("POST", "/institutions"), ("POST", "/strategies"),
                                              ("PATCH", "/strategies/1"), ("POST", "/strategies/1/transitions")])
def test_without_a_valid_token_any_write_is_401_whatever_its_body(anonymous, credentials, content, content_type,
                                                                  method, path):
    headers = {**credentials, **({"content-type": content_type} if content_type else {})}
    response = anonymous.request(method, path, content=content, headers=headers)
    assert_problem(response, 401, "/problems/unauthenticated")
    assert response.headers["www-authenticate"].startswith('Bearer realm="continuum"')


@UNAUTHENTICATED_CALLERS
@pytest.mark.parametrize("path", ["/strategies/not-a-number", "/strategies/0", "/events?limit=0",
                                  "/gaps?as_of=yesterday", "/no/such/route"])
def test_without_a_valid_token_bad_parameters_and_unknown_routes_are_401(anonymous, credentials, path):
    response = anonymous.get(path, headers=credentials)
    assert_problem(response, 401, "/problems/unauthenticated")


def test_with_a_valid_token_the_same_bad_inputs_get_their_own_answers(client):
    assert client.post("/institutions", content=b"{bad", headers={"content-type": JSON}).status_code == 422
    assert client.post("/institutions", content=b'{"name": "Minist\xe8ri"}',
                       headers={"content-type": JSON}).status_code == 422
    assert client.get("/strategies/not-a-number").status_code == 422
    assert client.get("/no/such/route").status_code == 404


@pytest.mark.parametrize("parameter", ["access_token", "token", "Token"])
def test_a_token_in_the_query_string_is_never_accepted(anonymous, token_for, parameter):
    response = anonymous.get(f"/strategies?{parameter}={token_for('viewer')}")
    body = assert_problem(response, 401, "/problems/unauthenticated")
    assert "query string" in body["detail"]
