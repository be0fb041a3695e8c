"""The monitoring API end to end, as principals of each role.

Principals are injected by overriding ``api.auth.authenticate`` and ``current_principal``, so
these tests exercise the monitoring rules, not the token implementation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

import freezegun
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import Principal, authenticate, current_principal
from tests.api.helpers import assert_invalid, assert_problem
from workflow.core import clock
from workflow.core.db import unit_of_work
from workflow.core.settings import Settings
from workflow.demo import load_portfolio, read_portfolio
from workflow.demo.monitoring import seed_demo_monitoring
from workflow.directory.institutions import find_institution

NOW = datetime(2026, 2, 10, 9, 0, tzinfo=UTC)
AS = Callable[..., TestClient]


@pytest.fixture
def client_for(settings, engine) -> Iterator[AS]:
    """``client_for(role, institution_id)``: a client whose every request is made by that principal.

    Call it outside ``freezegun.freeze_time``: FastAPI builds its routes on the first request, from
    the ``date`` class freezegun swaps for a fake while frozen, so each client warms up unfrozen."""
    apps = []

    def make(role: str, institution_id: int | None = None) -> TestClient:
        app = create_app(settings, engine)
        principal = Principal(name=f"{role}@{institution_id}", role=role, institution_id=institution_id)
        app.dependency_overrides[authenticate] = lambda: principal
        app.dependency_overrides[current_principal] = lambda: principal
        client = TestClient(app, raise_server_exceptions=False)
        assert client.get("/alignment/frameworks").status_code == 200
        apps.append(client)
        return client

    yield make
    for client in apps:
        client.close()


@pytest.fixture
def demo(engine):
    """The demo portfolio with monitoring data seeded for the 2024-2026 migration action plan."""
    with freezegun.freeze_time(NOW), unit_of_work(engine) as s:
        today = date(2026, 2, 10)
        load_portfolio(s, read_portfolio(), now=NOW, today=today, settings=Settings(_env_file=None))
        seeded = seed_demo_monitoring(s, now=NOW, today=today)
        again = seed_demo_monitoring(s, now=NOW, today=today)
        assert seeded.created and not again.created
        return {"plan": seeded.plan_id, "moi": find_institution(s, "Ministry of Interior").id,
                "committee": find_institution(s, "Technical Committee on Migration").id}


def test_demo_a_contact_point_reports_the_coordinator_accepts_and_monitoring_shows_it(client_for, demo):
    plan, committee, moi = demo["plan"], demo["committee"], demo["moi"]
    contact_point, coordinator = client_for("contact_point", committee), client_for("coordinator", moi)
    with freezegun.freeze_time(NOW):
        measures = {m["code"]: m for m in coordinator.get(f"/strategies/{plan}/measures").json()}
        indicators = {i["name"]: i for i in coordinator.get(f"/strategies/{plan}/indicators").json()}
        opened = contact_point.post(
            f"/strategies/{plan}/reports", json={"period": "2025-Q4", "institution_id": committee}
        )
        assert opened.status_code == 201, opened.text
        report = opened.json()["id"]
        content = {
            "narrative": "The guarantee scheme opened in November.",
            "measures": [{"measure_id": measures["3.1"]["id"], "status": "completed", "completed_on": "2025-12-15"}],
            "indicator_values": [{"indicator_id": indicators["Average cost of sending remittances to Albania"]["id"],
                                  "value": "6.25"}],
        }
        assert contact_point.put(f"/reports/{report}", json=content).status_code == 200
        submitted = contact_point.post(f"/reports/{report}/submit")
        assert submitted.json()["status"] == "submitted" and submitted.json()["first_submitted_on"] == "2026-02-10"
        accepted = coordinator.post(f"/reports/{report}/accept", json={"comment": "Thank you."})
        assert accepted.json()["status"] == "accepted", accepted.text

        body = coordinator.get(f"/strategies/{plan}/monitoring", params={"year": 2025}).json()
    # 2025: 1.1 on track, 1.2 not planned (2024), 2.1 delayed, 2.2 not started, 3.1 completed -> 2 of 4.
    assert body["implementation"] | {"not_implemented_measure_ids": None} == {
        "complete": True, "to_date": False, "as_of": "2025-12-31",
        "planned": 4, "completed": 1, "on_schedule": 1, "implemented": 2, "cancelled": 0, "rate_percent": "50.0",
        "not_implemented_measure_ids": None,
    }
    remittances = next(i for i in body["indicators"] if i["name"].startswith("Average cost"))
    # decreasing: (6.25 - 7.5) / (5 - 7.5) = 50 %
    assert remittances["latest"] == {"value": "6.25", "period": "2025-Q4"}  # 7.50 -> 5.00: two decimals
    assert (remittances["progress_percent"], remittances["progress_state"]) == ("50.0", "in_progress")
    committee_row = next(t for t in body["timeliness"] if t["institution_id"] == committee)
    assert committee_row["late"] == ["2025-Q4"]  # due 2026-01-30, submitted 2026-02-10
    assert "gcm:19" in body["gcm_coverage"]["addressed"] and "gcm:8" in body["gcm_coverage"]["not_addressed"]


def test_monitoring_as_csv_and_as_a_printable_report(client_for, demo):
    viewer = client_for("viewer", None)
    with freezegun.freeze_time(NOW):
        as_csv = viewer.get(f"/strategies/{demo['plan']}/monitoring", params={"year": 2025, "format": "csv"})
        as_file = viewer.get(f"/strategies/{demo['plan']}/monitoring.csv", params={"year": 2025})
        html = viewer.get(f"/strategies/{demo['plan']}/monitoring/report", params={"year": 2025})
    assert as_csv.headers["content-type"].startswith("text/csv") and as_csv.text == as_file.text
    lines = as_csv.text.splitlines()
    assert lines[0].startswith("section,id,code,name") and lines[1].startswith("implementation_rate,")
    assert lines[1].split(",")[-4] == "50.0"  # of 4 planned in 2025, 1.1 and 3.1 are on track: 2 of 4
    assert html.headers["content-type"].startswith("text/html")
    assert "<title>Monitoring report 2025: Action Plan" in html.text and "50.0%" in html.text


def test_the_printable_report_in_albanian_and_an_unknown_language_refused(client_for, demo):
    viewer = client_for("viewer", None)
    path = f"/strategies/{demo['plan']}/monitoring/report"
    with freezegun.freeze_time(NOW):
        albanian = viewer.get(path, params={"year": 2025, "language": "sq"})
        english = viewer.get(path, params={"year": 2025, "language": "en"})
        default = viewer.get(path, params={"year": 2025})
        refused = viewer.get(path, params={"year": 2025, "language": "fr"})
    assert albanian.status_code == 200 and albanian.headers["content-type"].startswith("text/html")
    assert '<html lang="sq">' in albanian.text and "<title>Raporti i monitorimit 2025: Action Plan" in albanian.text
    assert '<span class="rate">50,0%</span>' in albanian.text and "<h2>Treguesit</h2>" in albanian.text
    assert "Sipas planit" in albanian.text and "On track" not in albanian.text
    assert "Përgatitur në Continuum më 10 shkurt 2026." in albanian.text
    assert '<html lang="en">' in default.text and default.text == english.text and "On track" in english.text
    assert_invalid(refused, parameter="language")


def test_titles_are_escaped_in_the_html_report_and_defused_in_csv(client_for, demo):
    coordinator = client_for("coordinator", demo["moi"])
    objective = coordinator.get(f"/strategies/{demo['plan']}/objectives").json()[0]["id"]
    created = coordinator.post(f"/strategies/{demo['plan']}/measures", json={
        "objective_id": objective, "title": "=HYPERLINK(\"x\") <script>alert(1)</script>",
        "responsible_institution_id": demo["moi"], "planned_start": "2025-01-01", "planned_end": "2025-03-31",
    })
    assert created.status_code == 201, created.text
    html = coordinator.get(f"/strategies/{demo['plan']}/monitoring/report", params={"year": 2025}).text
    assert "<script>" not in html and "&lt;script&gt;" in html
    csv_text = coordinator.get(f"/strategies/{demo['plan']}/monitoring.csv", params={"year": 2025}).text
    assert "'=HYPERLINK" in csv_text


def test_role_scoping_of_plan_edits_and_reports(client_for, demo):
    plan, moi, committee = demo["plan"], demo["moi"], demo["committee"]
    objective = {"title": "Counter smuggling", "alignment_tags": ["gcm:9"]}
    assert_problem(client_for("coordinator", committee).post(f"/strategies/{plan}/objectives", json=objective), 403)
    assert_problem(client_for("contact_point", moi).post(f"/strategies/{plan}/objectives", json=objective), 403)
    assert_problem(client_for("viewer", moi).post(f"/strategies/{plan}/objectives", json=objective), 403)
    assert client_for("coordinator", moi).post(f"/strategies/{plan}/objectives", json=objective).status_code == 201

    other_cp, lead_coordinator = client_for("contact_point", moi), client_for("coordinator", moi)
    own, other_coordinator = client_for("contact_point", committee), client_for("coordinator", committee)
    with freezegun.freeze_time(NOW):
        # The Ministry's contact point cannot open the committee's report, nor its coordinator.
        request = {"period": "2025-Q4", "institution_id": committee}
        assert_problem(other_cp.post(f"/strategies/{plan}/reports", json=request), 403)
        assert_problem(lead_coordinator.post(f"/strategies/{plan}/reports", json=request), 403)
        report = own.post(f"/strategies/{plan}/reports", json=request).json()["id"]
        assert_problem(other_cp.put(f"/reports/{report}", json={"narrative": "x"}), 403)
        assert own.post(f"/reports/{report}/submit").status_code == 200
        # Only the lead institution's coordinators review; a contact point cannot accept its own report.
        assert_problem(own.post(f"/reports/{report}/accept"), 403)
        assert_problem(other_coordinator.post(f"/reports/{report}/accept"), 403)
        returned = lead_coordinator.post(f"/reports/{report}/return", json={"comment": "Add the Q4 figures."})
        assert (returned.json()["status"], returned.json()["review_comment"]) == ("returned", "Add the Q4 figures.")
        assert own.put(f"/reports/{report}", json={"narrative": "Now with figures."}).status_code == 200
        resubmitted = own.post(f"/reports/{report}/submit").json()
        assert (resubmitted["status"], resubmitted["first_submitted_on"]) == ("submitted", "2026-02-10")
        assert_problem(own.put(f"/reports/{report}", json={"narrative": "late edit"}), 409)


def test_bad_input_is_a_problem_document_never_a_500(client_for, demo):
    coordinator = client_for("coordinator", demo["moi"])
    plan = demo["plan"]
    objective = coordinator.get(f"/strategies/{plan}/objectives").json()[0]["id"]
    measure = {"objective_id": objective, "title": "M", "responsible_institution_id": demo["moi"],
               "planned_start": "2025-01-01", "planned_end": "2025-12-31"}
    assert_invalid(coordinator.post(f"/strategies/{plan}/measures", json=measure | {"estimated_cost": 1.5}),
                   pointer="#/currency")
    assert_invalid(coordinator.post(f"/strategies/{plan}/measures", json=measure | {"estimated_cost": "1e400"}))
    assert_invalid(coordinator.post(f"/strategies/{plan}/measures", json=measure | {"planned_end": "2031-01-01"}),
                   pointer="#/planned_end")
    assert_invalid(coordinator.post(f"/strategies/{plan}/measures", json=measure | {"alignment_tags": ["gcm:24"]}))
    assert_invalid(coordinator.post(f"/strategies/{plan}/measures", json=measure | {"status": "completed"}),
                   pointer="#/completed_on")
    assert_invalid(coordinator.post(f"/objectives/{objective}/indicators", json={
        "name": "Deaths at sea", "unit": "persons", "baseline_value": "10", "baseline_year": 2023,
        "target_value": "20", "target_year": 2026, "direction": "decrease"}), pointer="#/target_value")
    assert_invalid(coordinator.get(f"/strategies/{plan}/monitoring", params={"year": 99999}), parameter="year")
    contact_point = client_for("contact_point", demo["moi"])
    assert_invalid(contact_point.post(f"/strategies/{plan}/reports",
                                      json={"period": "2031-Q1", "institution_id": demo["moi"]}),
                   pointer="#/period")
    assert_problem(coordinator.get("/reports/999999"), 404)


def test_csv_import_lists_each_bad_row_and_imports_nothing(client_for, demo):
    coordinator = client_for("coordinator", demo["moi"])
    plan = demo["plan"]
    before = len(coordinator.get(f"/strategies/{plan}/measures").json())
    csv_body = (
        "objective_code,objective_title,measure_code,measure_title,responsible_institution,planned_start,planned_end\n"
        "9,Partnerships,9.1,Bilateral labour agreements,Ministry of Interior,2025-01-01,2025-12-31\n"
        "9,,9.2,Unknown owner,Ministry of Silly Walks,2025-01-01,2025-12-31\n"
        "9,,9.3,Bad date,Ministry of Interior,2025-13-01,2025-12-31\n"
    )
    response = coordinator.post(f"/strategies/{plan}/measures/import", content=csv_body.encode(),
                                headers={"content-type": "text/csv"})
    body = assert_invalid(response, pointer="#/rows/3/responsible_institution")
    assert "#/rows/4/planned_start" in [e["pointer"] for e in body["errors"]]
    assert len(coordinator.get(f"/strategies/{plan}/measures").json()) == before
    good = csv_body.splitlines()[0:2]
    created = coordinator.post(f"/strategies/{plan}/measures/import", content="\n".join(good).encode(),
                               headers={"content-type": "text/csv"})
    assert created.status_code == 201 and created.json()["measures_created"] == 1
    assert_problem(client_for("contact_point", demo["moi"]).post(f"/strategies/{plan}/measures/import",
                                                                 content=csv_body.encode()), 403)


def test_alignment_frameworks_and_coverage(client_for, demo):
    viewer = client_for("viewer", None)
    frameworks = {f["key"]: f for f in viewer.get("/alignment/frameworks").json()}
    assert len(frameworks["gcm"]["items"]) == 23 and len(frameworks["mgi"]["items"]) == 6
    assert [i["tag"] for i in frameworks["sdg"]["items"]] == [
        "sdg:10.7", "sdg:10.7.1", "sdg:10.7.2", "sdg:10.7.3", "sdg:10.7.4"
    ]
    coverage = viewer.get(f"/strategies/{demo['plan']}/alignment").json()
    assert set(coverage["addressed"]["gcm"]) == {"gcm:1", "gcm:14", "gcm:18", "gcm:19", "gcm:20", "gcm:21", "gcm:23"}
    assert len(coverage["not_addressed"]["gcm"]) == 16
    assert clock.now()  # the real clock is untouched by these reads
