"""Whatever a client sends, the answer is a problem document, never a 500."""

import pytest

from tests.api.helpers import assert_invalid, assert_problem, make_institution, make_strategy

JSON = {"content-type": "application/json"}


@pytest.mark.parametrize("path", ["/strategies", "/institutions", "/contacts"])
@pytest.mark.parametrize("body", [b"{bad", b"", b"[1, 2]", b'"text"', b"null", b"{\"title\": }"])
def test_malformed_or_non_object_json_is_422(client, path, body):
    body = assert_invalid(client.post(path, content=body, headers=JSON), pointer="#")
    assert body["instance"] == path


def test_a_non_json_body_is_422(client):
    assert_invalid(client.post("/institutions", content=b"name=x", headers={"content-type": "text/plain"}))


def test_non_finite_and_huge_numbers_are_422(client):
    make_institution(client)
    base = b'{"title": "T", "policy_area": "migration", "period_start": "2024-01-01", "period_end": "2030-12-31", '
    for value in (b"1e400", b"NaN", b"Infinity", b"9" * 400, b"-1"):
        response = client.post("/strategies", content=base + b'"lead_institution_id": ' + value + b"}", headers=JSON)
        assert_invalid(response, pointer="#/lead_institution_id")
    assert client.get("/strategies").json()["total"] == 0


def test_unknown_routes_are_404_problems(client):
    body = assert_problem(client.get("/no/such/thing"), 404)
    assert body["instance"] == "/no/such/thing"
    assert_problem(client.get("/strategies/1/nothing"), 404)


@pytest.mark.parametrize(
    ("method", "path"),
    [("DELETE", "/strategies"), ("PUT", "/strategies/1"), ("DELETE", "/contacts/1"), ("POST", "/health"),
     ("PATCH", "/institutions/1"), ("PUT", "/strategies/1/transitions")],
)
def test_wrong_methods_are_405_problems_with_allow(client, method, path):
    response = client.request(method, path)
    assert_problem(response, 405)
    assert response.headers["allow"]


def test_problems_are_documented_in_openapi(client):
    schema = client.get("/openapi.json").json()
    assert "Problem" in schema["components"]["schemas"]
    responses = schema["paths"]["/strategies/{strategy_id}/transitions"]["post"]["responses"]
    assert {"400", "404", "409", "412", "422"} <= set(responses)
    assert "application/problem+json" in responses["409"]["content"]


def test_wrong_types_in_query_and_body_are_422(client):
    moi = make_institution(client)
    strategy = make_strategy(client, moi)
    assert_invalid(client.get("/strategies", params={"limit": "ten"}), parameter="limit")
    assert_invalid(client.patch(f"/strategies/{strategy['id']}", json={"period_end": 20301231}), pointer="#/period_end")
    assert_invalid(client.patch(f"/strategies/{strategy['id']}", json={"min_consultation_days": "many"}),
                   pointer="#/min_consultation_days")
    assert_invalid(client.patch(f"/strategies/{strategy['id']}", json=["title"]), pointer="#")
