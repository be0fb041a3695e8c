"""The deployment's plan size limits reach every way in (issue 10, item 5): the API's creations
and the CSV import honour ``CONTINUUM_MAX_*_PER_PLAN``, and a file that would pass them imports
nothing."""

from __future__ import annotations

from datetime import date

from tests import factories as f
from tests.api.helpers import assert_invalid
from workflow.core.db import unit_of_work
from workflow.monitoring.plan.catalog import create_objective
from workflow.monitoring.requests import ObjectiveCreate

HEADER = "objective_code,objective_title,measure_code,measure_title,responsible_institution,planned_start,planned_end"


def test_configured_limits_hold_for_the_api_and_the_csv_import(settings, engine, client_as):
    settings.max_measures_per_plan, settings.max_objectives_per_plan, settings.max_indicators_per_plan = 2, 2, 1
    with unit_of_work(engine) as s:
        lead = f.institution(s)
        plan = f.strategy(s, lead, period_start=date(2024, 1, 1), period_end=date(2026, 12, 31)).id
        objective = create_objective(s, plan, ObjectiveCreate(code="1", title="Govern"), now=f.T0).id
    admin = client_as("admin")
    row = "1,,{code},Measure {code},Ministry of Interior,2025-01-01,2025-12-31"
    three = "\n".join([HEADER, *(row.format(code=f"1.{i}") for i in range(3))]).encode()
    body = assert_invalid(admin.post(f"/strategies/{plan}/measures/import", content=three,
                                     headers={"content-type": "text/csv"}), pointer="#/rows")
    assert "limit of 2" in body["detail"]
    assert admin.get(f"/strategies/{plan}/measures").json() == []
    measure = {"objective_id": objective, "title": "M", "responsible_institution_id": lead,
               "planned_start": "2025-01-01", "planned_end": "2025-12-31"}
    first = admin.post(f"/strategies/{plan}/measures", json=measure).json()["id"]
    assert admin.post(f"/strategies/{plan}/measures", json=measure).status_code == 201
    assert_invalid(admin.post(f"/strategies/{plan}/measures", json=measure), pointer="#")
    assert admin.post(f"/strategies/{plan}/objectives", json={"title": "Return"}).status_code == 201
    assert_invalid(admin.post(f"/strategies/{plan}/objectives", json={"title": "Diaspora"}), pointer="#")
    indicator = {"name": "Profiles", "unit": "reports", "baseline_value": "0", "baseline_year": 2023,
                 "target_value": "3", "target_year": 2026}
    assert admin.post(f"/measures/{first}/indicators", json=indicator).status_code == 201
    assert_invalid(admin.post(f"/objectives/{objective}/indicators", json=indicator), pointer="#")
