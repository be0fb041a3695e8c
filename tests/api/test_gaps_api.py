"""GET /gaps and GET /timeline over HTTP, with the migration reference case."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from tests.api.helpers import PROBLEM_JSON, assert_invalid, assert_problem, fire, make_institution, make_strategy


def _approve(client, strategy_id: int, opened: str, submitted: str, approved: str, reference: str) -> None:
    for event, fields in (
        ("submit_for_consultation", {"effective_on": opened}),
        ("submit_for_approval", {"effective_on": submitted}),
        ("approve", {"effective_on": approved, "approved_on": approved, "approval_reference": reference}),
    ):
        response = fire(client, strategy_id, event, **fields)
        assert response.status_code == 200, response.text


@pytest.fixture
def migration(client) -> dict[str, int]:
    moi = make_institution(client)
    first = make_strategy(client, moi, title="Migration 2005-2010", period_start="2005-01-01", period_end="2010-12-31")
    _approve(client, first["id"], "2005-01-10", "2005-03-01", "2005-05-06", "DCM No. 296")
    assert fire(client, first["id"], "expire", effective_on="2011-01-01").status_code == 200
    second = make_strategy(client, moi, title="Migration 2019-2022", period_start="2019-01-01", period_end="2022-12-31")
    _approve(client, second["id"], "2019-01-07", "2019-03-01", "2019-06-19", "DCM No. 400")
    assert fire(client, second["id"], "expire", effective_on="2023-01-01").status_code == 200
    third = make_strategy(client, moi, predecessor_id=second["id"])  # 2024-2030
    _approve(client, third["id"], "2023-10-02", "2024-02-01", "2024-05-02", "DCM No. 329")
    plan = make_strategy(client, moi, title="Migration action plan 2024-2026", kind="action_plan",
                         parent_id=third["id"], period_end="2026-12-31")
    _approve(client, plan["id"], "2023-10-02", "2024-02-01", "2024-05-02", "DCM No. 329")
    return {"moi": moi, "first": first["id"], "second": second["id"], "third": third["id"], "plan": plan["id"]}


@pytest.fixture
def diaspora(client) -> dict[str, int]:
    moi = make_institution(client, "Ministry for Europe")
    old = make_strategy(client, moi, title="Diaspora 2018-2024", policy_area="diaspora",
                        period_start="2018-01-01", period_end="2024-12-31")
    _approve(client, old["id"], "2017-09-01", "2017-11-01", "2018-03-01", "DCM No. 1")
    new = make_strategy(client, moi, title="Diaspora 2021-2025", policy_area="diaspora", predecessor_id=old["id"],
                        period_start="2021-01-01", period_end="2025-12-31")
    _approve(client, new["id"], "2020-09-01", "2020-11-02", "2020-12-15", "DCM No. 2")
    response = fire(client, old["id"], "expire", effective_on="2021-01-01", reason="superseded")
    assert response.status_code == 200, response.text
    return {"old": old["id"], "new": new["id"]}


def test_gaps_as_of_mid_2023_reports_the_181_day_migration_gap(client, migration):
    response = client.get("/gaps", params={"as_of": "2023-06-30", "horizon_days": 365})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["as_of"], body["horizon_days"]) == ("2023-06-30", 365)
    [entry] = body["items"]
    assert {k: entry[k] for k in ("strategy_id", "title", "policy_area", "kind", "parent_id", "lapses_on", "status",
                                  "successor_id", "successor_stage", "gap_days")} == {
        "strategy_id": migration["second"], "title": "Migration 2019-2022", "policy_area": "migration",
        "kind": "strategy", "parent_id": None, "lapses_on": "2022-12-31", "status": "gap",
        "successor_id": None, "successor_stage": None, "gap_days": 181,
    }
    assert entry["projected_successor_approval"] is None and entry["projection_basis"] is None


def test_gaps_reports_the_successor_in_preparation_with_its_projection(client, migration):
    body = client.get("/gaps", params={"as_of": "2023-12-01", "policy_area": "migration"}).json()
    [entry] = body["items"]
    assert (entry["successor_id"], entry["successor_stage"], entry["gap_days"]) == (
        migration["third"], "consultation", 335
    )
    # Two real consultations (50, 53 days) topped up with the default (45): open 60 days, past all of
    # them, it has half a default one left (23 days); then the approvals (66, 110 and the default 60).
    assert entry["projected_successor_approval"] == "2024-02-28"
    assert entry["projected_successor_approval_upper"] == "2024-03-26"
    assert entry["projection_basis"] == "defaults"
    assert entry["projection_steps"] == [
        {"stage": "consultation", "ends_on": "2023-12-24", "upper_ends_on": "2023-12-24", "basis": "default",
         "samples": 2, "due_on": None},
        {"stage": "approval", "ends_on": "2024-02-28", "upper_ends_on": "2024-03-26", "basis": "default",
         "samples": 2, "due_on": None},
    ]


def test_early_supersession_is_covered_and_leaves_no_gap(client, diaspora):
    before = client.get("/gaps", params={"as_of": "2020-12-31", "policy_area": "diaspora"}).json()["items"]
    assert [(e["strategy_id"], e["status"], e["successor_id"]) for e in before] == [
        (diaspora["old"], "covered", diaspora["new"])
    ]
    after = client.get("/gaps", params={"as_of": "2021-06-30", "policy_area": "diaspora"}).json()["items"]
    assert [(e["strategy_id"], e["status"]) for e in after] == [(diaspora["new"], "ok")]
    timeline = client.get("/timeline", params={"policy_area": "diaspora", "as_of": "2021-06-30"}).json()
    assert timeline["gaps"] == []
    assert [(i["start"], i["end"]) for i in timeline["intervals"]] == [
        ("2018-03-01", "2020-12-31"), ("2021-01-01", "2025-12-31")
    ]


def _warm_up(client) -> None:
    """FastAPI builds a route's parameters on its first request, from the module's ``date``,
    which freezegun swaps for its fake while frozen; a first request outside the freeze avoids that."""
    assert client.get("/gaps", params={"as_of": "2000-01-01"}).status_code == 200


def test_gaps_defaults_to_today_and_the_configured_horizon(client, migration, settings):
    _warm_up(client)
    with freeze_time("2026-06-01 10:00:00+02:00"):
        body = client.get("/gaps").json()
        narrow = client.get("/gaps", params={"horizon_days": 100}).json()
    assert (body["as_of"], body["horizon_days"]) == ("2026-06-01", settings.gap_horizon_days)
    assert [(e["strategy_id"], e["status"]) for e in body["items"]] == [
        (migration["third"], "ok"), (migration["plan"], "at_risk")
    ]
    # 213 days left and no successor of the plan: a whole pipeline needs more, whatever the horizon.
    assert [(e["status"], e["risk_rule"]) for e in narrow["items"]] == [("ok", None), ("at_risk", "pipeline")]


def test_today_is_the_day_in_the_deployment_timezone(client):
    _warm_up(client)
    with freeze_time("2026-06-01 23:30:00+00:00"):  # 01:30 on 2 June in Tirane
        assert client.get("/gaps").json()["as_of"] == "2026-06-02"


def test_gaps_filters_by_kind_and_status(client, migration):
    params = {"as_of": "2026-06-01", "horizon_days": 365}
    plans = client.get("/gaps", params={**params, "kind": "action_plan"}).json()["items"]
    assert [e["strategy_id"] for e in plans] == [migration["plan"]]
    assert plans[0]["parent_id"] == migration["third"]
    at_risk = client.get("/gaps", params={**params, "status": "at_risk"}).json()["items"]
    assert [e["strategy_id"] for e in at_risk] == [migration["plan"]]
    assert client.get("/gaps", params={**params, "policy_area": "health"}).json()["items"] == []


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"horizon_days": -1}, "horizon_days"),
        ({"horizon_days": 3651}, "horizon_days"),
        ({"horizon_days": "soon"}, "horizon_days"),
        ({"as_of": "2023-02-30"}, "as_of"),
        ({"as_of": "0001-01-01"}, "as_of"),
        ({"policy_area": "Migration Policy"}, "policy_area"),
        ({"kind": "law"}, "kind"),
        ({"status": "fine"}, "status"),
    ],
)
def test_gaps_refuses_bad_parameters_as_problems(client, params, parameter):
    assert_invalid(client.get("/gaps", params=params), parameter=parameter)


def test_timeline_shows_the_migration_holes_with_day_counts(client, migration):
    response = client.get("/timeline", params={"policy_area": "migration", "as_of": "2026-01-05"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["from"], body["to"], body["kind"], body["parent_id"]) == ("2005-05-06", "2030-12-31", "strategy", None)
    assert body["gaps"] == [
        {"start": "2011-01-01", "end": "2019-06-18", "days": 3091, "after_strategy_id": migration["first"],
         "before_strategy_id": migration["second"], "ongoing": False},
        {"start": "2023-01-01", "end": "2024-05-01", "days": 487, "after_strategy_id": migration["second"],
         "before_strategy_id": migration["third"], "ongoing": False},
    ]
    assert [i["strategy_id"] for i in body["intervals"]] == [
        migration["first"], migration["second"], migration["third"]
    ]
    assert body["days_without"] == 3578
    assert body["days_in_force"] + body["days_without"] == body["days"]


def test_timeline_as_of_mid_2023_has_an_ongoing_hole(client, migration):
    body = client.get("/timeline", params={"policy_area": "migration", "as_of": "2023-06-30"}).json()
    assert body["gaps"][-1] == {"start": "2023-01-01", "end": "2023-06-30", "days": 181,
                                "after_strategy_id": migration["second"], "before_strategy_id": None, "ongoing": True}


def test_timeline_window(client, migration):
    body = client.get("/timeline", params={"policy_area": "migration", "from": "2022-01-01", "to": "2024-12-31",
                                           "as_of": "2026-01-05"}).json()
    assert (body["from"], body["to"], body["days"]) == ("2022-01-01", "2024-12-31", 1096)
    assert [(g["start"], g["end"]) for g in body["gaps"]] == [("2023-01-01", "2024-05-01")]
    assert [(i["start"], i["end"], i["days"]) for i in body["intervals"]] == [
        ("2022-01-01", "2022-12-31", 365), ("2024-05-02", "2024-12-31", 244)
    ]


def test_timeline_of_the_action_plans_of_a_strategy(client, migration):
    body = client.get("/timeline", params={"parent_id": migration["third"], "as_of": "2026-01-05"}).json()
    assert (body["kind"], body["policy_area"], body["from"], body["to"]) == (
        "action_plan", "migration", "2024-05-02", "2030-12-31"
    )
    assert [(i["strategy_id"], i["start"], i["end"]) for i in body["intervals"]] == [
        (migration["plan"], "2024-05-02", "2026-12-31")
    ]
    assert [(g["start"], g["end"], g["days"]) for g in body["gaps"]] == [("2027-01-01", "2030-12-31", 1461)]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"policy_area": "migration", "from": "2024-01-02", "to": "2024-01-01"}, "from"),
        ({}, "policy_area"),
        ({"policy_area": "migration", "from": "2024-13-01"}, "from"),
        ({"policy_area": "migration", "to": "3000-01-01"}, "to"),
        ({"policy_area": "migration", "as_of": "yesterday"}, "as_of"),
        ({"parent_id": 0}, "parent_id"),
        ({"parent_id": 2**31}, "parent_id"),
    ],
)
def test_timeline_refuses_bad_parameters_as_problems(client, params, parameter):
    response = client.get("/timeline", params=params)
    assert response.headers["content-type"] == PROBLEM_JSON
    assert_invalid(response, parameter=parameter)


def test_timeline_refuses_an_action_plan_or_another_area_as_parent(client, migration):
    assert_invalid(client.get("/timeline", params={"parent_id": migration["plan"]}), parameter="parent_id")
    assert_invalid(client.get("/timeline", params={"parent_id": migration["third"], "policy_area": "health"}),
                   parameter="policy_area")


def test_timeline_of_an_unknown_parent_is_404(client):
    assert_problem(client.get("/timeline", params={"parent_id": 999}), 404, "/problems/not-found")


def test_both_endpoints_are_documented_with_problem_responses(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert "application/problem+json" in paths["/gaps"]["get"]["responses"]["422"]["content"]
    assert set(paths["/timeline"]["get"]["responses"]) >= {"200", "404", "422"}
    assert {p["name"] for p in paths["/timeline"]["get"]["parameters"]} >= {
        "from", "to", "policy_area", "parent_id", "as_of"
    }
