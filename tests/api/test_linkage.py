"""Links to other institutions' objects (issue 10, item 1), over HTTP, on SQLite and PostgreSQL.

A field that names another row (``predecessor_id``, ``parent_id``, ``objective_id``, ``measure_id``,
``indicator_id``, ...) is authorized against that row: a coordinator links only to what its own
institution may write, and an objective or measure must belong to the same strategy or plan.

The linking fields are found from the request models themselves: every field named ``*_id`` or
``*_ids`` of every body model of every route (nested models included). Each must have a case
below that tries to link to the other institution's object and shows the refusal (or, for a
reference to the directory, the rule that applies); a linking field added without a case fails
``test_every_linking_field_has_a_case``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, get_args

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from pydantic import BaseModel

from api.app import create_app
from tests.api.databases import both_databases
from tests.api.helpers import STRATEGY, assert_invalid, assert_problem, fire, make_institution, make_strategy
from workflow.core.settings import Settings


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for argument in get_args(annotation):
        yield from _models_in(argument)


def linking_fields() -> set[tuple[str, str]]:
    """(model, field) for every ``*_id``/``*_ids`` field of every request body model of the app."""
    app = create_app(Settings(_env_file=None, database_url="sqlite://"))
    found: set[tuple[str, str]] = set()
    seen: set[type[BaseModel]] = set()
    pending = [
        model
        for context in iter_route_contexts(app.routes) if isinstance(route := context.original_route, APIRoute)
        for param in route.dependant.body_params
        for model in _models_in(param.field_info.annotation)
    ]
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, field in model.model_fields.items():
            if name.endswith(("_id", "_ids")):
                found.add((model.__name__, name))
            pending.extend(_models_in(field.annotation))
    return found


LINKING_FIELDS = linking_fields()


engine = both_databases  # every test here runs on SQLite and on PostgreSQL


PLAN_PERIOD = {"period_start": "2024-01-01", "period_end": "2026-12-31"}
CYCLE = {"frequency": "annual", "due_days": 30, "starts_on": "2024-01-01"}


@dataclass
class World:
    """Institution A's objects, B's, and a plan of B's under A's strategy that an admin linked."""

    admin: TestClient
    coord_b: TestClient
    cp_b: TestClient
    a: int
    b: int
    strategy_a: int
    plan_a: int
    objective_a: int  # a strategic objective of A's strategy
    plan_objective_a: int  # an objective of A's action plan
    measure_a: int
    indicator_a: int  # outcome indicator on objective_a
    output_indicator_a: int  # output indicator on measure_a
    strategy_b: int
    plan_b: int
    objective_b: int
    measure_b: int
    mixed_plan: int  # B's action plan, whose parent is A's strategy (an admin linked it)
    mixed_objective: int
    mixed_measure: int
    contact_a: int


def _created(response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return response.json()


def _objective(client: TestClient, strategy_id: int, title: str, **fields: Any) -> int:
    return _created(client.post(f"/strategies/{strategy_id}/objectives", json={"title": title, **fields}))["id"]


def _measure(client: TestClient, plan_id: int, objective_id: int, institution_id: int, **fields: Any) -> int:
    body = {"objective_id": objective_id, "title": "Measure", "responsible_institution_id": institution_id,
            "planned_start": "2024-01-01", "planned_end": "2024-12-31", **fields}
    return _created(client.post(f"/strategies/{plan_id}/measures", json=body))["id"]


def _indicator(client: TestClient, path: str) -> int:
    body = {"name": "Indicator", "unit": "reports", "baseline_value": "0", "baseline_year": 2023,
            "target_value": "3", "target_year": 2026}
    return _created(client.post(f"{path}/indicators", json=body))["id"]


def _approved(client: TestClient, strategy_id: int) -> None:
    for event, fields in (("submit_for_consultation", {"effective_on": "2024-01-08"}),
                          ("submit_for_approval", {"effective_on": "2024-03-01"}),
                          ("approve", {"effective_on": "2024-03-05", "approved_on": "2024-03-05",
                                       "approval_reference": "DCM No. 1"})):
        moved = fire(client, strategy_id, event, **fields)
        assert moved.status_code == 200, moved.text


@pytest.fixture
def world(client, client_as) -> World:
    admin = client
    a, b = make_institution(admin, "Ministry of Interior"), make_institution(admin, "Ministry of Finance")
    strategy_a = make_strategy(admin, a, title="A's strategy")["id"]
    _approved(admin, strategy_a)
    plan_a = make_strategy(admin, a, title="A's plan", kind="action_plan", parent_id=strategy_a, **PLAN_PERIOD)["id"]
    objective_a = _objective(admin, strategy_a, "A's strategic objective", code="A1")
    plan_objective_a = _objective(admin, plan_a, "A's plan objective")
    measure_a = _measure(admin, plan_a, plan_objective_a, a)
    strategy_b = make_strategy(admin, b, title="B's strategy", period_start="2025-01-01")["id"]
    plan_b = make_strategy(admin, b, title="B's plan", kind="action_plan", parent_id=strategy_b,
                           period_start="2025-01-01", period_end="2026-12-31")["id"]
    objective_b = _objective(admin, plan_b, "B's objective")
    measure_b = _measure(admin, plan_b, objective_b, b, planned_start="2025-01-01", planned_end="2025-12-31")
    mixed_plan = make_strategy(admin, b, title="B's plan under A", kind="action_plan", parent_id=strategy_a,
                               **PLAN_PERIOD)["id"]
    mixed_objective = _objective(admin, mixed_plan, "B's objective under A")
    mixed_measure = _measure(admin, mixed_plan, mixed_objective, b)
    for plan in (plan_b, mixed_plan):
        assert admin.put(f"/strategies/{plan}/reporting-cycle", json=CYCLE).status_code == 200
    contact_a = _created(admin.post("/contacts", json={"name": "Arta Hoxha", "email": "arta@example.org",
                                                       "institution_id": a, "roles": ["coordinator"]}))["id"]
    return World(
        admin, client_as("coordinator", b), client_as("contact_point", b), a, b, strategy_a, plan_a, objective_a,
        plan_objective_a, measure_a, _indicator(admin, f"/objectives/{objective_a}"),
        _indicator(admin, f"/measures/{measure_a}"), strategy_b, plan_b, objective_b, measure_b, mixed_plan,
        mixed_objective, mixed_measure, contact_a,
    )


def forbidden(response) -> dict[str, Any]:
    return assert_problem(response, 403, "/problems/forbidden")


def _strategy_count(w: World) -> int:
    return int(w.admin.get("/strategies").json()["total"])


def _measures_of(w: World, plan: int) -> list[dict[str, Any]]:
    return list(w.admin.get(f"/strategies/{plan}/measures").json())


# The cases: one per linking field, each refusing a link to A's object and showing nothing changed.


def strategy_parent(w: World) -> None:
    before = _strategy_count(w)
    plan = {**STRATEGY, **PLAN_PERIOD, "kind": "action_plan", "lead_institution_id": w.b}
    body = forbidden(w.coord_b.post("/strategies", json={**plan, "parent_id": w.strategy_a}))
    assert "#/parent_id" in body["detail"]
    assert _strategy_count(w) == before
    _created(w.coord_b.post("/strategies", json={**plan, "parent_id": w.strategy_b, "period_start": "2025-01-01"}))


def strategy_predecessor(w: World) -> None:
    before = _strategy_count(w)
    successor = {**STRATEGY, "title": "B's successor", "lead_institution_id": w.b, "period_start": "2027-01-01"}
    body = forbidden(w.coord_b.post("/strategies", json={**successor, "predecessor_id": w.strategy_a}))
    assert "#/predecessor_id" in body["detail"]
    assert _strategy_count(w) == before
    _created(w.coord_b.post("/strategies", json={**successor, "predecessor_id": w.strategy_b}))


def strategy_lead(w: World) -> None:
    before = _strategy_count(w)
    forbidden(w.coord_b.post("/strategies", json={**STRATEGY, "lead_institution_id": w.a}))
    assert _strategy_count(w) == before


def patch_predecessor(w: World) -> None:
    body = forbidden(w.coord_b.patch(f"/strategies/{w.strategy_b}", json={"predecessor_id": w.strategy_a}))
    assert "#/predecessor_id" in body["detail"]
    after = w.admin.get(f"/strategies/{w.strategy_b}").json()
    assert (after["predecessor_id"], after["version"]) == (None, 1)


def patch_lead(w: World) -> None:
    forbidden(w.coord_b.patch(f"/strategies/{w.strategy_b}", json={"lead_institution_id": w.a}))
    assert w.admin.get(f"/strategies/{w.strategy_b}").json()["lead_institution_id"] == w.b


def objective_parent(w: World) -> None:
    """Not A's objective (403), and a specific objective serves a strategic objective of the same document:
    not even one of B's other plan (422)."""
    for plan in (w.plan_b, w.mixed_plan):
        body = {"level": "specific", "title": "Serve A", "parent_id": w.objective_a}
        assert "#/parent_id" in forbidden(w.coord_b.post(f"/strategies/{plan}/objectives", json=body))["detail"]
    assert_invalid(w.coord_b.post(f"/strategies/{w.mixed_plan}/objectives", json={
        "level": "specific", "title": "Serve B's other plan", "parent_id": w.objective_b}), pointer="#/parent_id")
    assert [o["id"] for o in w.admin.get(f"/strategies/{w.mixed_plan}/objectives").json()] == [w.mixed_objective]


def measure_objective(w: World) -> None:
    """Not A's objective, even of the strategy above B's plan (403); not one of another plan (422)."""
    body = {"title": "Serve A", "responsible_institution_id": w.b, "planned_start": "2025-01-01",
            "planned_end": "2025-12-31", "objective_id": w.objective_a}
    for plan in (w.plan_b, w.mixed_plan):
        assert "#/objective_id" in forbidden(w.coord_b.post(f"/strategies/{plan}/measures", json=body))["detail"]
    assert_invalid(w.coord_b.post(f"/strategies/{w.mixed_plan}/measures", json=body | {"objective_id": w.objective_b}),
                   pointer="#/objective_id")
    assert [m["id"] for m in _measures_of(w, w.mixed_plan)] == [w.mixed_measure]
    assert [m["id"] for m in _measures_of(w, w.plan_b)] == [w.measure_b]


def patch_measure_objective(w: World) -> None:
    forbidden(w.coord_b.patch(f"/measures/{w.mixed_measure}", json={"objective_id": w.objective_a}))
    forbidden(w.coord_b.patch(f"/measures/{w.measure_b}", json={"objective_id": w.plan_objective_a}))
    assert_invalid(w.coord_b.patch(f"/measures/{w.measure_b}", json={"objective_id": w.mixed_objective}),
                   pointer="#/objective_id")
    assert w.admin.get(f"/measures/{w.mixed_measure}").json()["objective_id"] == w.mixed_objective
    assert w.admin.get(f"/measures/{w.measure_b}").json()["objective_id"] == w.objective_b


def measure_institutions(w: World) -> None:
    """Institutions are the directory, written by admins only: the plan's coordinators name who carries
    a measure out and who contributes. Naming A gives A nothing to write but its own progress reports,
    and gives B no way into A's plan."""
    named = _measure(w.coord_b, w.plan_b, w.objective_b, w.a, planned_start="2025-01-01", planned_end="2025-06-30")
    patched = w.coord_b.patch(f"/measures/{named}", json={"responsible_institution_id": w.b,
                                                          "contributing_institution_ids": [w.a]})
    assert patched.status_code == 200, patched.text
    forbidden(w.coord_b.post(f"/strategies/{w.plan_a}/measures", json={
        "objective_id": w.plan_objective_a, "title": "Into A's plan", "responsible_institution_id": w.b,
        "planned_start": "2024-01-01", "planned_end": "2024-12-31"}))
    assert_invalid(w.coord_b.patch(f"/measures/{named}", json={"responsible_institution_id": 4242}),
                   pointer="#/responsible_institution_id")
    assert_invalid(w.coord_b.patch(f"/measures/{named}", json={"contributing_institution_ids": [4242]}),
                   pointer="#/contributing_institution_ids/0")


def report_institution(w: World) -> None:
    forbidden(w.cp_b.post(f"/strategies/{w.plan_a}/reports", json={"period": "2024", "institution_id": w.a}))
    assert w.admin.get(f"/strategies/{w.plan_a}/reports").json() == []


def _report(w: World, plan: int, period: str) -> int:
    return _created(w.cp_b.post(f"/strategies/{plan}/reports", json={"period": period, "institution_id": w.b}))["id"]


def report_measure(w: World) -> None:
    report = _report(w, w.plan_b, "2025")
    line = {"measure_id": w.measure_a, "status": "completed", "completed_on": "2024-06-30"}
    assert_invalid(w.cp_b.put(f"/reports/{report}", json={"measures": [line]}), pointer="#/measures/0/measure_id")
    mixed = _report(w, w.mixed_plan, "2024")
    line["measure_id"] = w.measure_a  # a measure of the sibling plan under the same strategy
    assert_invalid(w.cp_b.put(f"/reports/{mixed}", json={"measures": [line]}), pointer="#/measures/0/measure_id")
    assert w.admin.get(f"/reports/{mixed}").json()["measures"] == []


def report_indicator(w: World) -> None:
    """Not A's output indicator, nor the outcome indicator of A's strategy above B's plan."""
    report = _report(w, w.plan_b, "2025")
    value = {"indicator_id": w.output_indicator_a, "value": "3"}
    assert_invalid(w.cp_b.put(f"/reports/{report}", json={"indicator_values": [value]}),
                   pointer="#/indicator_values/0/indicator_id")
    mixed = _report(w, w.mixed_plan, "2024")
    for indicator in (w.indicator_a, w.output_indicator_a):
        assert_invalid(w.cp_b.put(f"/reports/{mixed}", json={"indicator_values": [{**value,
                                                                                    "indicator_id": indicator}]}),
                       pointer="#/indicator_values/0/indicator_id")
    assert w.admin.get(f"/reports/{mixed}").json()["indicator_values"] == []


def contact_institution(w: World) -> None:
    forbidden(w.coord_b.post("/contacts", json={"name": "Mole", "email": "mole@example.org", "institution_id": w.a,
                                                "roles": ["coordinator"]}))
    forbidden(w.coord_b.patch(f"/contacts/{w.contact_a}", json={"institution_id": w.b}))
    assert w.admin.get("/contacts").json()["total"] == 1
    assert w.admin.get(f"/contacts/{w.contact_a}").json()["institution_id"] == w.a


def token_institution(w: World) -> None:
    forbidden(w.coord_b.post("/tokens", json={"name": "mole", "role": "coordinator", "institution_id": w.a}))
    assert "mole" not in [t["name"] for t in w.admin.get("/tokens").json()["items"]]


def handover_contact(w: World) -> None:
    leaver = _created(w.admin.post("/contacts", json={"name": "Besa Kola", "email": "besa@example.org",
                                                       "institution_id": w.b, "roles": ["coordinator"]}))["id"]
    refused = w.coord_b.post(f"/contacts/{leaver}/deactivate", json={"handover_contact_id": w.contact_a})
    assert_invalid(refused, pointer="#/handover_contact_id")  # as for a contact that does not exist
    assert w.admin.get(f"/contacts/{leaver}").json()["deactivated_at"] is None
    assert w.admin.get(f"/contacts/{w.contact_a}").json()["roles"] == ["coordinator"]


CASES: dict[tuple[str, str], Callable[[World], None]] = {
    ("StrategyCreate", "parent_id"): strategy_parent,
    ("StrategyCreate", "predecessor_id"): strategy_predecessor,
    ("StrategyCreate", "lead_institution_id"): strategy_lead,
    ("StrategyPatch", "predecessor_id"): patch_predecessor,
    ("StrategyPatch", "lead_institution_id"): patch_lead,
    ("ObjectiveCreate", "parent_id"): objective_parent,
    ("MeasureCreate", "objective_id"): measure_objective,
    ("MeasurePatch", "objective_id"): patch_measure_objective,
    ("MeasureCreate", "responsible_institution_id"): measure_institutions,
    ("MeasureCreate", "contributing_institution_ids"): measure_institutions,
    ("MeasurePatch", "responsible_institution_id"): measure_institutions,
    ("MeasurePatch", "contributing_institution_ids"): measure_institutions,
    ("ReportOpen", "institution_id"): report_institution,
    ("MeasureLine", "measure_id"): report_measure,
    ("ValueLine", "indicator_id"): report_indicator,
    ("ContactCreate", "institution_id"): contact_institution,
    ("ContactPatch", "institution_id"): contact_institution,
    ("TokenCreate", "institution_id"): token_institution,
    ("ContactDeactivate", "handover_contact_id"): handover_contact,
}


def test_every_linking_field_has_a_case():
    missing = sorted(LINKING_FIELDS - set(CASES))
    assert not missing, f"linking fields with no authorization case here: {missing}; authorize them and add one"
    assert not set(CASES) - LINKING_FIELDS, "cases for fields that no request model has any more"


@pytest.mark.parametrize("field", sorted(LINKING_FIELDS | set(CASES)), ids=lambda f: ".".join(f))
def test_a_link_to_another_institutions_object_is_authorized_against_that_object(world, field):
    assert field in CASES, f"{'.'.join(field)} links to another row and has no authorization case"
    CASES[field](world)


def test_b_cannot_have_a_scheduler_pass_supersede_as_strategy(world):
    """The issue's story: B names A's strategy as its predecessor and approves its own."""
    successor = {**STRATEGY, "title": "B's successor", "lead_institution_id": world.b, "period_start": "2025-01-01",
                 "predecessor_id": world.strategy_a}
    forbidden(world.coord_b.post("/strategies", json=successor))
    forbidden(world.coord_b.patch(f"/strategies/{world.strategy_b}", json={"predecessor_id": world.strategy_a}))
    assert [s["predecessor_id"] for s in world.admin.get("/strategies").json()["items"]] == [None] * 5


def test_the_lead_institution_links_its_own_objects(world, client_as):
    """The same links made by A's coordinator are accepted: the refusals above are about whose object it is."""
    coord_a = client_as("coordinator", world.a)
    plan = _created(coord_a.post("/strategies", json={**STRATEGY, **PLAN_PERIOD, "kind": "action_plan",
                                                      "lead_institution_id": world.a, "parent_id": world.strategy_a}))
    _measure(coord_a, plan["id"], world.objective_a, world.b)
    successor = _created(coord_a.post("/strategies", json={**STRATEGY, "lead_institution_id": world.a,
                                                           "period_start": "2031-01-01", "period_end": "2036-12-31",
                                                           "predecessor_id": world.strategy_a}))
    assert successor["predecessor_id"] == world.strategy_a


def test_a_csv_import_cannot_reuse_an_objective_of_another_institution(world):
    csv_body = ("objective_code,measure_title,responsible_institution,planned_start,planned_end\n"
                "A1,Serve A's objective,Ministry of Finance,2024-01-01,2024-12-31\n")
    response = world.coord_b.post(f"/strategies/{world.mixed_plan}/measures/import", content=csv_body.encode(),
                                  headers={"content-type": "text/csv"})
    assert "#/rows/2/objective_code" in forbidden(response)["detail"]
    assert [m["id"] for m in _measures_of(world, world.mixed_plan)] == [world.mixed_measure]
    own = csv_body.replace("A1,", "B1,").replace("Serve A's objective", "Own objective").replace(
        "objective_code,", "objective_code,objective_title,").replace("B1,", "B1,B's new objective,")
    created = world.coord_b.post(f"/strategies/{world.mixed_plan}/measures/import", content=own.encode(),
                                 headers={"content-type": "text/csv"})
    assert created.status_code == 201, created.text
