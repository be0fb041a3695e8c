"""POST/GET/PATCH /strategies: bodies, filters, paging, ETag and If-Match."""

import pytest

from tests.api.helpers import STRATEGY, assert_invalid, assert_problem, fire, make_institution, make_strategy


@pytest.fixture
def moi(client) -> int:
    return make_institution(client)


def test_create_returns_the_strategy_with_location_and_etag(client, moi):
    response = client.post("/strategies", json={**STRATEGY, "lead_institution_id": moi})
    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"/strategies/{body['id']}"
    assert response.headers["etag"] == '"1"'
    assert body["stage"] == "drafting"
    assert body["version"] == 1
    assert body["allowed_events"] == ["submit_for_consultation"]
    assert body["in_force"] is None
    assert body["title"] == STRATEGY["title"]
    assert (body["period_start"], body["period_end"]) == ("2024-01-01", "2030-12-31")


@pytest.mark.parametrize(
    ("fields", "pointer"),
    [
        ({"period_end": "2023-12-31"}, "#/period_end"),
        ({"lead_institution_id": 999}, "#/lead_institution_id"),
        ({"lead_institution_id": 2**31}, "#/lead_institution_id"),
        ({"lead_institution_id": 10**40}, "#/lead_institution_id"),
        ({"lead_institution_id": "one"}, "#/lead_institution_id"),
        ({"title": ""}, "#/title"),
        ({"title": "Strategy\r\nX-Injected: 1"}, "#/title"),
        ({"title": 42}, "#/title"),
        ({"policy_area": "Migration Policy"}, "#/policy_area"),
        ({"period_start": "2024-02-30"}, "#/period_start"),
        ({"period_start": "0001-01-01"}, "#/period_start"),
        ({"kind": "law"}, "#/kind"),
        ({"min_consultation_days": -1}, "#/min_consultation_days"),
        ({"min_consultation_days": 10**20}, "#/min_consultation_days"),
        ({"stage": "implementation"}, "#/stage"),
        ({"version": 7}, "#/version"),
        ({"approved_on": "2024-01-01"}, "#/approved_on"),
        ({"parent_id": 1}, "#/parent_id"),
    ],
)
def test_create_refuses_bad_fields_pointing_at_them(client, moi, fields, pointer):
    response = client.post("/strategies", json={**STRATEGY, "lead_institution_id": moi, **fields})
    assert_invalid(response, pointer=pointer)
    assert client.get("/strategies").json()["total"] == 0


def test_create_refuses_a_missing_field(client, moi):
    body = {k: v for k, v in STRATEGY.items() if k != "period_end"}
    assert_invalid(client.post("/strategies", json={**body, "lead_institution_id": moi}), pointer="#/period_end")


def test_show_and_not_found(client, moi):
    created = make_strategy(client, moi)
    response = client.get(f"/strategies/{created['id']}")
    assert response.status_code == 200
    assert response.json() == created
    assert response.headers["etag"] == '"1"'
    body = assert_problem(client.get("/strategies/999"), 404, "/problems/not-found")
    assert body["detail"] == "no strategy with id 999"


@pytest.mark.parametrize("strategy_id", ["0", "-1", "abc", "1.5", str(2**31), "9" * 40])
def test_bad_ids_in_the_path_are_422_naming_the_parameter(client, strategy_id):
    assert_invalid(client.get(f"/strategies/{strategy_id}"), parameter="strategy_id")
    assert_invalid(
        client.post(f"/strategies/{strategy_id}/transitions", json={"event": "approve"}), parameter="strategy_id"
    )


def test_list_filters(client, moi):
    migration = make_strategy(client, moi)
    health = make_strategy(client, moi, policy_area="health", period_end="2026-12-31")
    plan = make_strategy(client, moi, kind="action_plan", parent_id=migration["id"], period_end="2025-12-31")
    fire(client, health["id"], "submit_for_consultation", effective_on="2023-09-01")

    def ids(**params):
        response = client.get("/strategies", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        return [s["id"] for s in body["items"]], body["total"]

    assert ids() == ([plan["id"], health["id"], migration["id"]], 3)
    assert ids(policy_area="health") == ([health["id"]], 1)
    assert ids(policy_area="education") == ([], 0)
    assert ids(stage="consultation") == ([health["id"]], 1)
    assert ids(stage="drafting") == ([plan["id"], migration["id"]], 2)
    assert ids(kind="action_plan") == ([plan["id"]], 1)
    assert ids(kind="strategy", policy_area="migration") == ([migration["id"]], 1)
    assert ids(lapsing_before="2027-01-01") == ([plan["id"], health["id"]], 2)
    assert ids(lapsing_before="2026-12-31") == ([plan["id"]], 1)
    assert ids(parent_id=migration["id"]) == ([plan["id"]], 1)


def test_list_pages_and_bounds_the_limit(client, moi):
    created = [make_strategy(client, moi, period_end=f"203{i}-12-31")["id"] for i in range(3)]
    body = client.get("/strategies", params={"limit": 2, "offset": 1}).json()
    assert ([s["id"] for s in body["items"]], body["total"], body["limit"], body["offset"]) == (created[1:], 3, 2, 1)
    assert client.get("/strategies", params={"limit": 200}).status_code == 200
    assert_invalid(client.get("/strategies", params={"limit": 201}), parameter="limit")
    assert_invalid(client.get("/strategies", params={"limit": 0}), parameter="limit")
    assert_invalid(client.get("/strategies", params={"offset": -1}), parameter="offset")


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"stage": "limbo"}, "stage"),
        ({"kind": "law"}, "kind"),
        ({"lapsing_before": "soon"}, "lapsing_before"),
        ({"lapsing_before": "9999-01-01"}, "lapsing_before"),
        ({"policy_area": "x" * 81}, "policy_area"),
        ({"policy_area": "a\x00b"}, "policy_area"),
        ({"parent_id": 2**40}, "parent_id"),
    ],
)
def test_list_refuses_bad_filters_naming_the_parameter(client, params, parameter):
    assert_invalid(client.get("/strategies", params=params), parameter=parameter)


def test_patch_changes_metadata_and_bumps_version_and_etag(client, moi):
    created = make_strategy(client, moi)
    response = client.patch(
        f"/strategies/{created['id']}",
        json={"title": "Renamed", "approval_due": "2024-05-01"},
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["title"], body["approval_due"], body["version"]) == ("Renamed", "2024-05-01", 2)
    assert response.headers["etag"] == '"2"'
    assert client.get(f"/strategies/{created['id']}").json()["title"] == "Renamed"


def test_patch_may_clear_an_optional_field(client, moi):
    created = make_strategy(client, moi, approval_due="2024-05-01")
    body = client.patch(f"/strategies/{created['id']}", json={"approval_due": None}).json()
    assert (body["approval_due"], body["version"]) == (None, 2)


@pytest.mark.parametrize(
    "field",
    [
        "stage", "version", "approval_reference", "approved_on", "expired_on", "expiry_reason", "stage_entered_on",
        "id", "kind",
    ],
)
def test_patch_never_accepts_server_owned_fields(client, moi, field):
    created = make_strategy(client, moi)
    value = {
        "stage": "implementation", "version": 9, "approved_on": "2024-01-01", "id": 5, "kind": "action_plan"
    }.get(field, "x")
    assert_invalid(client.patch(f"/strategies/{created['id']}", json={field: value}), pointer=f"#/{field}")
    unchanged = client.get(f"/strategies/{created['id']}").json()
    assert (unchanged["stage"], unchanged["version"], unchanged["approved_on"]) == ("drafting", 1, None)


@pytest.mark.parametrize(
    ("fields", "pointer"),
    [
        ({"title": None}, "#/title"),
        ({"period_start": "2031-01-01"}, "#/period_end"),
        ({"lead_institution_id": 77}, "#/lead_institution_id"),
    ],
)
def test_patch_refuses_invalid_values(client, moi, fields, pointer):
    created = make_strategy(client, moi)
    assert_invalid(client.patch(f"/strategies/{created['id']}", json=fields), pointer=pointer)
    assert client.get(f"/strategies/{created['id']}").json()["version"] == 1


def test_patch_unknown_strategy_is_404(client):
    assert_problem(client.patch("/strategies/999", json={"title": "X"}), 404, "/problems/not-found")


def test_patch_with_a_stale_if_match_is_412_and_changes_nothing(client, moi):
    created = make_strategy(client, moi)
    client.patch(f"/strategies/{created['id']}", json={"title": "Second"})
    body = assert_problem(
        client.patch(f"/strategies/{created['id']}", json={"title": "Third"}, headers={"If-Match": '"1"'}),
        412, "/problems/stale-version",
    )
    assert body["current_version"] == 2
    assert client.get(f"/strategies/{created['id']}").json()["title"] == "Second"


def test_if_match_may_list_several_etags_or_a_star(client, moi):
    created = make_strategy(client, moi)
    url = f"/strategies/{created['id']}"
    assert client.patch(url, json={"title": "A"}, headers={"If-Match": '"7", "1"'}).status_code == 200
    assert client.patch(url, json={"title": "B"}, headers={"If-Match": "*"}).status_code == 200
    assert client.get(url).json()["version"] == 3


@pytest.mark.parametrize("header", ["1", 'W/"1"', '"one"', '""', '"-1"', '"1', '"1234567890"'])
def test_a_malformed_if_match_is_400(client, moi, header):
    created = make_strategy(client, moi)
    url = f"/strategies/{created['id']}"
    assert_problem(
        client.patch(url, json={"title": "A"}, headers={"If-Match": header}), 400, "/problems/malformed-if-match"
    )
    assert_problem(fire(client, created["id"], "submit_for_consultation", headers={"If-Match": header}), 400)
    assert client.get(url).json()["version"] == 1
