"""GET/POST /non-working-days and DELETE /non-working-days/{day}: the working calendar."""

from tests.api.helpers import assert_invalid, assert_problem, make_institution


def test_the_year_lists_albanias_public_holidays_with_observed_days(client):
    days = client.get("/non-working-days", params={"year": 2025}).json()
    by_day = {d["day"]: d for d in days}
    assert by_day["2025-12-25"]["source"] == "public_holiday"
    assert "2025-12-01" in by_day  # Liberation Day, a Saturday, observed on Monday
    assert "observed" in by_day["2025-12-01"]["name"].lower()
    in_albanian = client.get("/non-working-days", params={"year": 2025, "lang": "sq"}).json()
    assert {d["day"] for d in in_albanian} == set(by_day)
    assert {d["name"] for d in in_albanian} != {d["name"] for d in days}


def test_an_admin_declares_a_one_off_day_and_removes_it(client):
    created = client.post("/non-working-days", json={"day": "2025-12-24", "name": "Christmas Eve (DCM decision)"})
    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/non-working-days/2025-12-24"
    assert created.json() == {
        "day": "2025-12-24", "name": "Christmas Eve (DCM decision)", "source": "declared", "declared_by": "test-admin",
    }
    listed = {d["day"]: d["source"] for d in client.get("/non-working-days", params={"year": 2025}).json()}
    assert listed["2025-12-24"] == "declared"
    again = client.post("/non-working-days", json={"day": "2025-12-24", "name": "again"})
    assert_problem(again, 409, "/problems/conflict")
    assert client.delete("/non-working-days/2025-12-24").status_code == 204
    assert "2025-12-24" not in {d["day"] for d in client.get("/non-working-days", params={"year": 2025}).json()}
    assert_problem(client.delete("/non-working-days/2025-12-24"), 404, "/problems/not-found")


def test_a_weekend_or_a_public_holiday_cannot_be_declared(client):
    assert_invalid(client.post("/non-working-days", json={"day": "2025-12-27", "name": "Saturday"}), pointer="#/day")
    assert_invalid(client.post("/non-working-days", json={"day": "2025-12-25", "name": "Christmas"}), pointer="#/day")
    assert_invalid(client.post("/non-working-days", json={"day": "2025-13-01", "name": "x"}), pointer="#/day")
    assert_invalid(client.post("/non-working-days", json={"day": "2025-12-24", "name": ""}), pointer="#/name")


def test_only_an_admin_declares_but_everyone_reads(client, client_as):
    coordinator = client_as("coordinator", make_institution(client))
    assert coordinator.get("/non-working-days").status_code == 200
    refused = coordinator.post("/non-working-days", json={"day": "2025-12-24", "name": "Christmas Eve"})
    assert_problem(refused, 403, "/problems/forbidden")
    assert_problem(coordinator.delete("/non-working-days/2025-12-24"), 403, "/problems/forbidden")
    assert_problem(client_as(None).get("/non-working-days"), 401, "/problems/unauthenticated")
