"""Standalone action plans: an action plan with no umbrella strategy, with its own chain."""

from __future__ import annotations

from tests.api.helpers import assert_invalid, make_institution, make_strategy

PLAN = {"policy_area": "anti-trafficking", "kind": "action_plan"}


def test_an_action_plan_may_stand_without_a_strategy_and_succeed_another(client):
    office = make_institution(client, "Office of the National Anti-Trafficking Coordinator")
    first = make_strategy(client, office, **PLAN, title="NAP 2021-2023", period_start="2021-01-01",
                          period_end="2023-12-31")
    assert (first["kind"], first["parent_id"]) == ("action_plan", None)
    second = make_strategy(client, office, **PLAN, title="NAP 2024-2025", period_start="2024-01-01",
                           period_end="2025-12-31", predecessor_id=first["id"])
    assert second["predecessor_id"] == first["id"]


def test_a_standalone_plan_cannot_succeed_a_plan_inside_a_strategy_nor_a_strategy(client):
    office = make_institution(client)
    strategy = make_strategy(client, office, policy_area="anti-trafficking", title="Strategy 2014-2017",
                             period_start="2014-01-01", period_end="2017-12-31")
    inside = make_strategy(client, office, **PLAN, title="Plan 2014-2015", parent_id=strategy["id"],
                           period_start="2014-01-01", period_end="2015-12-31")
    response = client.post("/strategies", json={
        **PLAN, "title": "NAP 2018-2020", "lead_institution_id": office, "period_start": "2018-01-01",
        "period_end": "2020-12-31", "predecessor_id": inside["id"]})
    problem = assert_invalid(response, pointer="#/predecessor_id")
    assert "standalone" in problem["errors"][0]["detail"]
    response = client.post("/strategies", json={
        **PLAN, "title": "NAP 2018-2020", "lead_institution_id": office, "period_start": "2018-01-01",
        "period_end": "2020-12-31", "predecessor_id": strategy["id"]})
    assert_invalid(response, pointer="#/predecessor_id")
    standalone = make_strategy(client, office, **PLAN, title="NAP 2011-2013", period_start="2011-01-01",
                               period_end="2013-12-31")
    response = client.post("/strategies", json={  # nor, the other way round, a plan inside one a standalone one
        **PLAN, "title": "Plan 2016-2017", "lead_institution_id": office, "parent_id": strategy["id"],
        "period_start": "2016-01-01", "period_end": "2017-12-31", "predecessor_id": standalone["id"]})
    problem = assert_invalid(response, pointer="#/predecessor_id")
    assert "not a standalone one" in problem["errors"][0]["detail"]


def test_an_action_plan_inside_a_strategy_keeps_its_rules(client):
    office = make_institution(client)
    strategy = make_strategy(client, office, title="Strategy 2024-2030", period_start="2024-01-01",
                             period_end="2030-12-31")
    response = client.post("/strategies", json={
        "kind": "action_plan", "policy_area": "migration", "title": "Plan 2023-2026", "lead_institution_id": office,
        "parent_id": strategy["id"], "period_start": "2023-01-01", "period_end": "2026-12-31"})
    assert_invalid(response, pointer="#/period_start")
    response = client.post("/strategies", json={
        "kind": "strategy", "policy_area": "migration", "title": "S", "lead_institution_id": office,
        "parent_id": strategy["id"], "period_start": "2024-01-01", "period_end": "2026-12-31"})
    assert_invalid(response, pointer="#/parent_id")
