"""Whatever a client sends, the answer is a problem document, never a 500."""

import json

import pytest

from api.problems import domain_problem
from tests.api.helpers import assert_invalid, assert_problem, make_institution, make_strategy
from workflow.core import FieldError, ValidationFailed

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


def test_an_error_document_lists_at_most_50_errors_and_counts_the_rest(client):
    unknown = {f"k{n}": 1 for n in range(80_000)}
    content = json.dumps({"name": "Ministry of Interior", **unknown}).encode()
    assert 800_000 < len(content) < 1_048_576  # the probe's 868 KB, under the body limit
    response = client.post("/institutions", content=content, headers=JSON)
    body = assert_invalid(response, pointer="#/k0")
    assert len(body["errors"]) == 50
    assert body["errors_omitted"] == 80_000 - 50
    assert body["detail"].endswith("; and 79950 more")
    assert len(response.content) < 16_000
    assert client.get("/institutions").json()["total"] == 0


def test_a_short_error_list_has_no_omitted_count(client):
    body = assert_invalid(client.post("/institutions", json={"name": "M", "a": 1, "b": 2}), pointer="#/a")
    assert len(body["errors"]) == 2 and "errors_omitted" not in body


def test_texts_echoed_from_the_request_are_cut_short(client):
    response = client.post("/institutions", json={"name": "M", "x" * 500_000: 1})
    body = assert_invalid(response)
    assert body["errors"][0]["pointer"].startswith("#/xxx") and body["errors"][0]["pointer"].endswith("…")
    assert len(response.content) < 2_000


def test_a_domain_validation_error_is_bounded_too():
    errors = [FieldError(f"#/measures/{n}/title", "must not be empty") for n in range(120)]
    body = json.loads(domain_problem(ValidationFailed(errors), instance="/x").body)
    assert len(body["errors"]) == 50 and body["errors_omitted"] == 70
    assert body["detail"].endswith("; and 70 more")


def test_the_problem_schema_documents_the_omitted_count(client):
    problem = client.get("/openapi.json").json()["components"]["schemas"]["Problem"]
    assert "errors_omitted" in problem["properties"]


def test_an_unknown_route_is_the_documented_not_found_problem(client):
    body = assert_problem(client.get("/no/such/thing"), 404, "/problems/not-found")
    assert body["title"] == "Not found"


def test_a_wrong_method_is_a_typed_problem(client):
    assert_problem(client.delete("/strategies"), 405, "/problems/method-not-allowed")
