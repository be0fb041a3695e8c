"""``GET /strategies/{id}/monitoring`` under load and on its honesty (issue 10, items 5 and 15).

Bounded work: the read gives its pooled connection back before it computes, and a plan written
before the bounds (300 years, a cycle from 1900) costs the periods of the year read, not of
its 300 years. Bounded input: a cycle past its span and a plan past its size are 422s pointing
at the field. An honest headline: a running year is "to date", carried-over work is shown
beside the rate with the rate of everything due, and numbers carry their unit's precision.
On SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

import freezegun
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from api.auth import Principal, authenticate, current_principal
from api.routers.monitoring_schemas import MonitoringOut
from tests import factories as f
from tests.api.helpers import assert_invalid
from workflow.core.db import unit_of_work
from workflow.core.settings import Settings
from workflow.demo import load_portfolio, read_portfolio
from workflow.demo.monitoring import seed_demo_monitoring
from workflow.directory.institutions import find_institution
from workflow.monitoring import Measure, Objective, ReportingCycle
from workflow.monitoring.plan import periods as calendar
from workflow.monitoring.results import rates

NOW = datetime(2026, 2, 10, 9, 0, tzinfo=UTC)
AS = Callable[..., TestClient]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest) -> Iterator[Engine]:
    yield request.getfixturevalue("engine" if request.param == "sqlite" else "pg_engine")


@pytest.fixture
def client_for(settings, db) -> Iterator[AS]:
    """``client_for(role, institution_id)``: a client acting as that principal (warmed up unfrozen)."""
    clients = []

    def make(role: str = "coordinator", institution_id: int | None = None) -> TestClient:
        app = create_app(settings, db)
        principal = Principal(name=f"{role}@{institution_id}", role=role, institution_id=institution_id)
        app.dependency_overrides[authenticate] = lambda: principal
        app.dependency_overrides[current_principal] = lambda: principal
        client = TestClient(app, raise_server_exceptions=False)
        assert client.get("/alignment/frameworks").status_code == 200
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def demo(db) -> dict[str, int]:
    with freezegun.freeze_time(NOW), unit_of_work(db) as s:
        load_portfolio(s, read_portfolio(), now=NOW, today=NOW.date(), settings=Settings(_env_file=None))
        plan = seed_demo_monitoring(s, now=NOW, today=NOW.date()).plan_id
        moi = find_institution(s, "Ministry of Interior")
        assert moi is not None and moi.id is not None
        return {"plan": plan, "moi": moi.id}


@pytest.fixture
def legacy_plan(db) -> dict[str, int]:
    """A 1900-2199 strategy with a quarterly cycle from 1900 and 300 measures, one a year, as a
    database from before the bounds may hold it (written past the services)."""
    with unit_of_work(db) as s:
        lead = f.institution(s)
        plan = f.strategy(s, lead, period_start=date(1900, 1, 1), period_end=date(2199, 12, 31)).id
        s.add(ReportingCycle(plan_id=plan, frequency="quarterly", due_days=30, starts_on=date(1900, 1, 1),
                             created_at=f.T0, updated_at=f.T0))
        objective = Objective(strategy_id=plan, level="strategic", code="1", title="Everything", alignment_tags=[],
                              created_at=f.T0, updated_at=f.T0)
        s.add(objective)
        s.flush()
        s.add_all([Measure(plan_id=plan, objective_id=objective.id, code=str(year), title=f"Work of {year}",
                           responsible_institution_id=lead, contributing_institution_ids=[],
                           planned_start=date(year, 1, 1), planned_end=date(year, 12, 31), status="not_started",
                           alignment_tags=[], created_at=f.T0, updated_at=f.T0) for year in range(1900, 2200)])
        return {"plan": plan, "lead": lead, "objective": objective.id}


def test_the_monitoring_read_gives_its_pooled_connection_back_before_it_computes(client_for, demo, db, monkeypatch):
    held_while_computing = []
    real = rates.implementation_rate

    def observed(*args, **kwargs):
        held_while_computing.append(db.pool.checkedout())
        return real(*args, **kwargs)

    monkeypatch.setattr(rates, "implementation_rate", observed)
    viewer = client_for("viewer")
    with freezegun.freeze_time(NOW):
        for path in ("monitoring", "monitoring.csv", "monitoring/report"):
            assert viewer.get(f"/strategies/{demo['plan']}/{path}", params={"year": 2025}).status_code == 200
    assert held_while_computing == [0, 0, 0]


def test_a_plan_from_before_the_bounds_costs_the_periods_of_the_year_read_not_of_its_300_years(
    client_for, legacy_plan, monkeypatch
):
    walked = []
    real = calendar.period_containing
    monkeypatch.setattr(calendar, "period_containing", lambda *a, **k: walked.append(a) or real(*a, **k))
    viewer = client_for("viewer")
    with freezegun.freeze_time(NOW):
        body = viewer.get(f"/strategies/{legacy_plan['plan']}/monitoring", params={"year": 1925}).json()
    assert len(walked) <= 6, len(walked)  # the four quarters of 1925, not 1,200 quarters
    [row] = body["timeliness"]
    assert row["missing"] == ["1925-Q1", "1925-Q2", "1925-Q3", "1925-Q4"]
    assert body["implementation"]["planned"] == 1 and body["due_by_as_of"]["past_planned_end"] == 26


def test_a_cycle_past_its_span_and_a_plan_past_its_size_are_422s_that_point_at_the_field(client_for, legacy_plan, db):
    coordinator = client_for("admin")
    plan = legacy_plan["plan"]
    refused = coordinator.put(f"/strategies/{plan}/reporting-cycle",
                              json={"frequency": "quarterly", "starts_on": "1900-01-01"})
    assert "spans at most 50" in assert_invalid(refused, pointer="#/starts_on")["detail"]
    with unit_of_work(db) as s:  # fill the plan to the default limit: 300 measures already, 700 more
        s.add_all([Measure(plan_id=plan, objective_id=legacy_plan["objective"], title=f"More {i}",
                           responsible_institution_id=legacy_plan["lead"], contributing_institution_ids=[],
                           planned_start=date(2025, 1, 1), planned_end=date(2025, 12, 31), status="not_started",
                           alignment_tags=[], created_at=f.T0, updated_at=f.T0) for i in range(700)])
    full = coordinator.post(f"/strategies/{plan}/measures", json={
        "objective_id": legacy_plan["objective"], "title": "One too many", "responsible_institution_id":
        legacy_plan["lead"], "planned_start": "2025-01-01", "planned_end": "2025-12-31"})
    assert "CONTINUUM_MAX_MEASURES_PER_PLAN" in assert_invalid(full, pointer="#")["detail"]
    for year in (1899, 2201, "2025.5", "true"):
        assert_invalid(coordinator.get(f"/strategies/{plan}/monitoring", params={"year": year}), parameter="year")


def test_a_running_year_is_to_date_and_its_carried_over_work_stands_beside_the_rate(client_for, demo):
    viewer = client_for("viewer")
    plan = demo["plan"]
    with freezegun.freeze_time(NOW):
        body = viewer.get(f"/strategies/{plan}/monitoring", params={"year": 2026}).json()
        csv_text = viewer.get(f"/strategies/{plan}/monitoring.csv", params={"year": 2026}).text
        html = viewer.get(f"/strategies/{plan}/monitoring/report", params={"year": 2026}).text
        full_year = viewer.get(f"/strategies/{plan}/monitoring/report", params={"year": 2025}).text
    MonitoringOut.model_validate(body)  # the documented schema is the one served, field for field
    codes = {m["id"]: m["code"] for m in body["measures"]}
    implementation, due = body["implementation"], body["due_by_as_of"]
    # SIGMA, exactly: 1.1 and 3.1 are planned for 2026 and on track; 2.1 and 2.2 ended in 2025.
    assert (implementation["rate_percent"], implementation["planned"]) == ("100.0", 2)
    assert (implementation["complete"], implementation["to_date"], implementation["as_of"]) == (
        False, True, "2026-02-10"
    )
    # Beside it: due by 10 February 2026 are 1.2 (done), 2.1 and 2.2 (not): 1 of 3.
    assert (due["as_of"], due["due"], due["delivered"], due["rate_percent"]) == ("2026-02-10", 3, 1, "33.3")
    assert sorted(codes[i] for i in due["past_planned_end_measure_ids"]) == ["2.1", "2.2"]
    assert sorted(codes[i] for i in due["carried_over_measure_ids"]) == ["2.1", "2.2"]
    assert sorted(m["code"] for m in body["measures"] if m["past_planned_end"]) == ["2.1", "2.2"]
    # Precision of the unit: counts whole, money with two decimals.
    returned = next(i for i in body["indicators"] if i["name"].startswith("Returned migrants"))
    assert (returned["baseline"]["value"], returned["target"]["value"]) == ("1200", "3000")
    assert {m["code"]: m["estimated_cost"] for m in body["measures"]}["1.1"] == "4500000.00"

    rate_row, due_row = csv_text.splitlines()[1:3]
    assert "2026, to date (as of 2026-02-10)" in rate_row and "implemented to date" in rate_row
    assert due_row.startswith("due_by_as_of,") and "33.3" in due_row and "2 past planned end" in due_row
    assert "1200.0000" not in csv_text and "1200 (2023)" in csv_text
    assert "<title>Monitoring report 2026 (to date)" in html and "<strong>to date</strong>" in html
    assert "2 measure(s) past their planned end and not implemented" in html and "2.1, 2.2" in html
    assert "33.3%" in html and "1,200 (2023)" in html and "4,500,000.00 ALL" in html  # en_GB: the English reader's
    assert "to date" not in full_year and "<title>Monitoring report 2025: Action Plan" in full_year
