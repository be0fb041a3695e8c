"""Strict input (issue 10, items 2 and 8): booleans are not numbers, numbers are not dates, and a
single line carries no bidirectional controls.

The fields and parameters are found from the app itself: every field of every request body model
(nested models included) and every query parameter of every route. Whatever accepts a number must
refuse ``true`` and ``false``; whatever accepts a date must refuse anything but ``YYYY-MM-DD``
and say so ("a date as YYYY-MM-DD").
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, get_args

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel, TypeAdapter, ValidationError

from api.app import create_app
from tests.api.helpers import STRATEGY, assert_invalid, make_institution, make_strategy
from workflow.core.fields import DATE_FORM
from workflow.core.settings import Settings

APP = create_app(Settings(_env_file=None, database_url="sqlite://"))
ROUTES = [c.original_route for c in iter_route_contexts(APP.routes) if isinstance(c.original_route, APIRoute)]
NUMBERS: list[Any] = [1, 3, 30, 2024, [1], [30]]
NOT_DATES: list[Any] = [0, 1, "0", True, 1704067200, "1704067200", "2024-01-31T00:00:00", "2024-01-31T00:00:00Z",
                        "20240131", "2024-1-31", " 2024-01-31", "2024-01-31 ", "31.01.2024", "٢٠٢٤-٠١-٣١"]
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for argument in get_args(annotation) for model in _models_in(argument)]


def _body_fields() -> dict[str, TypeAdapter[Any]]:
    """``Model.field`` -> a validator of that field alone, for every request body model."""
    pending = [m for r in ROUTES for p in r.dependant.body_params for m in _models_in(p.field_info.annotation)]
    fields: dict[str, TypeAdapter[Any]] = {}
    seen: set[type[BaseModel]] = set()
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, field in model.model_fields.items():
            annotation = Annotated[field.annotation, *field.metadata] if field.metadata else field.annotation
            fields[f"{model.__name__}.{name}"] = TypeAdapter(annotation)
            pending.extend(_models_in(field.annotation))
    return fields


BODY_FIELDS = _body_fields()


def _accepts(adapter: TypeAdapter[Any], value: Any) -> bool:
    try:
        adapter.validate_python(value)
    except ValidationError:
        return False
    return True


def _as_bools(value: Any, flag: bool) -> Any:
    return [flag for _ in value] if isinstance(value, list) else flag


def _numeric(name: str) -> bool:
    return any(_accepts(BODY_FIELDS[name], n) for n in NUMBERS)


def _dated(name: str) -> bool:
    return _accepts(BODY_FIELDS[name], "2024-01-31") and isinstance(BODY_FIELDS[name].validate_python("2024-01-31"),
                                                                    date)


NUMERIC_FIELDS = sorted(name for name in BODY_FIELDS if _numeric(name))
DATE_FIELDS = sorted(name for name in BODY_FIELDS if _dated(name))


def test_the_fields_found_include_the_ones_the_issue_names():
    assert {"StrategyCreate.lead_institution_id", "ContactCreate.institution_id",
            "StrategyCreate.min_consultation_days", "CycleSet.due_days", "TokenCreate.expires_in_days",
            "IndicatorCreate.baseline_year", "MeasureCreate.estimated_cost",
            "StrategyPatch.reminder_offsets"} <= set(NUMERIC_FIELDS)
    assert {"StrategyCreate.period_start", "TransitionRequest.effective_on", "MeasureLine.completed_on",
            "CycleSet.starts_on"} <= set(DATE_FIELDS)


@pytest.mark.parametrize("name", NUMERIC_FIELDS)
def test_a_boolean_is_not_a_number(name):
    adapter = BODY_FIELDS[name]
    for number in (n for n in NUMBERS if _accepts(adapter, n)):
        for flag in (True, False):
            assert not _accepts(adapter, _as_bools(number, flag)), f"{name} accepts {_as_bools(number, flag)!r}"


@pytest.mark.parametrize("name", DATE_FIELDS)
def test_a_date_is_an_iso_calendar_date_string_and_the_error_says_so(name):
    adapter = BODY_FIELDS[name]
    assert adapter.validate_python("2024-01-31") == date(2024, 1, 31)
    for value in NOT_DATES:
        with pytest.raises(ValidationError) as refused:
            adapter.validate_python(value)
        assert DATE_FORM in str(refused.value), (name, value, str(refused.value))


def test_the_openapi_schema_still_says_format_date():
    schemas = APP.openapi()["components"]["schemas"]
    period_start = schemas["StrategyCreate"]["properties"]["period_start"]
    assert (period_start["type"], period_start["format"]) == ("string", "date")
    gaps = next(p for p in APP.openapi()["paths"]["/gaps"]["get"]["parameters"] if p["name"] == "as_of")
    assert {"type": "string", "format": "date"} in gaps["schema"]["anyOf"]


@pytest.fixture
def moi(client) -> int:
    return make_institution(client)


@pytest.mark.parametrize(
    ("fields", "pointer"),
    [({"lead_institution_id": True}, "#/lead_institution_id"),
     ({"period_start": 0}, "#/period_start"),
     ({"period_end": "2030-12-31T00:00:00"}, "#/period_end"),
     ({"min_consultation_days": False}, "#/min_consultation_days"),
     ({"reminder_offsets": [True]}, "#/reminder_offsets/0")],
)
def test_over_http_a_body_with_a_boolean_number_or_a_numeric_date_is_422_at_the_field(client, moi, fields, pointer):
    body = assert_invalid(client.post("/strategies", json={**STRATEGY, "lead_institution_id": moi, **fields}),
                          pointer=pointer)
    if "period" in pointer:
        assert DATE_FORM in body["detail"]
    assert client.get("/strategies").json()["total"] == 0


def test_over_http_a_transition_date_is_a_string(client, moi):
    strategy = make_strategy(client, moi)
    body = assert_invalid(client.post(f"/strategies/{strategy['id']}/transitions",
                                      json={"event": "submit_for_consultation", "effective_on": 0}),
                          pointer="#/effective_on")
    assert DATE_FORM in body["detail"]
    assert client.get(f"/strategies/{strategy['id']}").json()["stage"] == "drafting"


def _query_params(kind: str) -> list[tuple[str, str, str]]:
    """(path, method, parameter) for every query parameter of the schema that takes a date, or an integer."""
    def takes(schema: dict[str, Any]) -> bool:
        options = schema.get("anyOf", [schema])
        return any(o.get("format") == "date" if kind == "date" else o.get("type") == "integer" for o in options)

    return sorted(
        (path, method.upper(), parameter["name"])
        for path, operations in APP.openapi()["paths"].items()
        for method, operation in operations.items()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query" and takes(parameter["schema"])
    )


DATE_PARAMETERS = _query_params("date")
INT_PARAMETERS = _query_params("int")


def _url(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_the_query_parameters_found_include_the_ones_the_issue_names():
    assert ("/gaps", "GET", "as_of") in DATE_PARAMETERS
    assert ("/timeline", "GET", "from") in DATE_PARAMETERS
    assert ("/strategies", "GET", "lapsing_before") in DATE_PARAMETERS
    assert ("/strategies", "GET", "limit") in INT_PARAMETERS


@pytest.mark.parametrize(("path", "method", "parameter"), DATE_PARAMETERS)
def test_a_date_query_parameter_is_an_iso_date_too(client, path, method, parameter):
    for value in ("0", "1704067200", "2024-01-31T00:00:00", "true"):
        response = client.request(method, _url(path), params={parameter: value})
        body = assert_invalid(response, parameter=parameter)
        assert DATE_FORM in body["detail"], body


@pytest.mark.parametrize(("path", "method", "parameter"), INT_PARAMETERS)
def test_a_boolean_is_not_a_number_in_a_query_either(client, path, method, parameter):
    for value in ("true", "false"):
        assert_invalid(client.request(method, _url(path), params={parameter: value}), parameter=parameter)


def test_gaps_as_of_zero_is_refused_not_answered_for_1970(client):
    body = assert_invalid(client.get("/gaps", params={"as_of": "0"}), parameter="as_of")
    assert body["errors"] == [{"parameter": "as_of", "detail": "query: must be a date as YYYY-MM-DD, e.g. 2024-01-31"}]
    assert client.get("/gaps", params={"as_of": "2023-06-30"}).json()["as_of"] == "2023-06-30"


@pytest.mark.parametrize("bidi", BIDI, ids=lambda c: f"U+{ord(c):04X}")
def test_bidirectional_controls_are_refused_in_single_line_fields(client, moi, bidi):
    title = f"Strategy {bidi}0202-4202{bidi}"
    assert_invalid(client.post("/strategies", json={**STRATEGY, "lead_institution_id": moi, "title": title}),
                   pointer="#/title")
    assert_invalid(client.post("/institutions", json={"name": f"Ministry{bidi}"}), pointer="#/name")
    assert_invalid(client.post("/contacts", json={"name": f"Arta{bidi}", "email": "arta@example.org",
                                                  "institution_id": moi, "roles": ["coordinator"]}),
                   pointer="#/name")
    assert client.get("/strategies").json()["total"] == 0
    # Multi-line free text (a comment, a narrative) may quote right-to-left text.
    strategy = make_strategy(client, moi)
    moved = client.post(f"/strategies/{strategy['id']}/transitions",
                        json={"event": "submit_for_consultation", "comment": f"see {bidi}note"})
    assert moved.status_code == 200, moved.text
