"""Uncertain facts through the API: an approval whose act number is unknown, approximate dates."""

from __future__ import annotations

import pytest

from tests.api.helpers import assert_invalid, make_institution, make_strategy


@pytest.fixture
def in_approval(client) -> int:
    sid = make_strategy(client, make_institution(client), period_start="2024-01-01", period_end="2025-12-31")["id"]
    for body in (
        {"event": "submit_for_consultation", "effective_on": "2023-09-04", "effective_on_approximate": True},
        {"event": "submit_for_approval", "effective_on": "2023-11-06"},
    ):
        assert client.post(f"/strategies/{sid}/transitions", json=body).status_code == 200
    return sid


def test_an_approval_can_be_recorded_with_its_act_number_unknown(client, in_approval):
    response = client.post(f"/strategies/{in_approval}/transitions", json={
        "event": "approve", "approval_reference_unknown": True, "approved_on": "2024-01-01",
        "effective_on": "2024-01-01", "effective_on_approximate": True,
    })
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["approval_reference"], body["approval_reference_unknown"]) == (None, True)
    assert body["in_force"]["start"] == "2024-01-01"
    assert client.get(f"/strategies/{in_approval}").json()["approval_reference_unknown"] is True

    rows = client.get(f"/strategies/{in_approval}/transitions").json()
    assert [(r["event"], r["effective_on_approximate"]) for r in rows] == [
        ("submit_for_consultation", True), ("submit_for_approval", False), ("approve", True),
    ]
    [event] = [e for e in client.get("/events").json()["items"]
               if e["type"] == "stage_changed" and e["payload"]["event"] == "approve"]
    assert event["payload"]["effective_on_approximate"] is True


def test_a_known_reference_leaves_the_flag_false(client, in_approval):
    response = client.post(f"/strategies/{in_approval}/transitions", json={
        "event": "approve", "approval_reference": "DCM No. 400", "approved_on": "2024-01-01"})
    assert response.status_code == 200
    assert (response.json()["approval_reference"], response.json()["approval_reference_unknown"]) == (
        "DCM No. 400", False)


def test_a_reference_and_unknown_together_are_refused(client, in_approval):
    response = client.post(f"/strategies/{in_approval}/transitions", json={
        "event": "approve", "approval_reference": "DCM No. 400", "approval_reference_unknown": True,
        "approved_on": "2024-01-01"})
    assert_invalid(response, pointer="#/approval_reference_unknown")
    assert client.get(f"/strategies/{in_approval}").json()["stage"] == "approval"


def test_neither_a_reference_nor_unknown_is_refused(client, in_approval):
    response = client.post(f"/strategies/{in_approval}/transitions", json={
        "event": "approve", "approval_reference_unknown": False, "approved_on": "2024-01-01"})
    problem = assert_invalid(response, pointer="#/approval_reference")
    assert "unknown" in problem["errors"][0]["detail"]


@pytest.mark.parametrize("field", ["approval_reference_unknown", "effective_on_approximate"])
@pytest.mark.parametrize("value", [1, "true", None])
def test_the_flags_are_booleans(client, in_approval, field, value):
    response = client.post(f"/strategies/{in_approval}/transitions", json={
        "event": "approve", "approval_reference": "DCM No. 1", "approved_on": "2024-01-01", field: value})
    assert_invalid(response, pointer=f"#/{field}")


def test_the_gap_report_says_which_facts_are_uncertain(client, in_approval):
    client.post(f"/strategies/{in_approval}/transitions", json={
        "event": "approve", "approval_reference_unknown": True, "approved_on": "2024-01-01",
        "effective_on": "2024-01-01", "effective_on_approximate": True,
    })
    (entry,) = client.get("/gaps", params={"as_of": "2024-06-30"}).json()["items"]
    assert (entry["in_force_from"], entry["in_force_from_approximate"], entry["approval_reference_unknown"]) == (
        "2024-01-01", True, True
    )
    before = client.get("/gaps", params={"as_of": "2024-06-30", "known_on": "2023-12-31"}).json()["items"]
    assert before == []  # not approved yet as known then: nothing in force to report on
