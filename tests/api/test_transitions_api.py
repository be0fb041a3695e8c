"""POST/GET /strategies/{id}/transitions, and one strategy walked through its whole life."""

import freezegun
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.api.helpers import assert_invalid, assert_problem, bearer, fire, make_institution, make_strategy


@pytest.fixture
def strategy(client) -> dict:
    return make_strategy(client, make_institution(client))


def test_walk_one_strategy_from_drafting_to_expiry(client):
    """As the README does it: backdated effective_on values satisfy the 20-working-day guard."""
    moi = make_institution(client)
    created = make_strategy(client, moi, title="National Strategy for Migration 2019-2022",
                            period_start="2019-01-01", period_end="2022-12-31")
    sid = created["id"]

    steps = [
        ({"event": "submit_for_consultation", "effective_on": "2018-09-03"}, "consultation",
         ["return_to_drafting", "submit_for_approval"]),
        ({"event": "submit_for_approval", "effective_on": "2018-11-15"}, "approval", ["return_to_drafting", "approve"]),
        ({"event": "approve", "approval_reference": "DCM No. 400", "approved_on": "2019-06-19",
          "effective_on": "2019-06-19"},
         "implementation", ["start_monitoring", "expire"]),
        ({"event": "start_monitoring", "effective_on": "2020-01-15"}, "monitoring", ["expire"]),
        ({"event": "expire", "effective_on": "2023-01-01"}, "expiry", []),
    ]
    etag = '"1"'
    for version, (body, stage, allowed) in enumerate(steps, start=2):
        response = client.post(f"/strategies/{sid}/transitions", json=body, headers={"If-Match": etag})
        assert response.status_code == 200, response.text
        moved = response.json()
        assert (moved["stage"], moved["version"], moved["allowed_events"]) == (stage, version, allowed)
        assert moved["stage_entered_on"] == body["effective_on"]
        etag = response.headers["etag"]
        assert etag == f'"{version}"'

    final = client.get(f"/strategies/{sid}").json()
    assert (final["approval_reference"], final["approved_on"]) == ("DCM No. 400", "2019-06-19")
    assert (final["expired_on"], final["expiry_reason"]) == ("2023-01-01", "period_ended")
    assert final["in_force"] == {"start": "2019-06-19", "end": "2022-12-31", "days": 1292}

    history = client.get(f"/strategies/{sid}/transitions")
    assert history.status_code == 200
    rows = history.json()
    assert [(r["event"], r["from_stage"], r["to_stage"], r["effective_on"]) for r in rows] == [
        ("submit_for_consultation", "drafting", "consultation", "2018-09-03"),
        ("submit_for_approval", "consultation", "approval", "2018-11-15"),
        ("approve", "approval", "implementation", "2019-06-19"),
        ("start_monitoring", "implementation", "monitoring", "2020-01-15"),
        ("expire", "monitoring", "expiry", "2023-01-01"),
    ]
    assert {r["actor"] for r in rows} == {"test-admin"}  # the token's name
    assert {r["strategy_id"] for r in rows} == {sid}

    events = client.get("/events").json()["items"]
    assert [e["type"] for e in events] == ["strategy_created"] + ["stage_changed"] * 5

    assert_problem(fire(client, sid, "start_monitoring"), 409, "/problems/illegal-transition")


def test_an_early_expiry_cuts_the_in_force_interval(client):
    created = make_strategy(client, make_institution(client), period_start="2019-01-01", period_end="2022-12-31")
    sid = created["id"]
    fire(client, sid, "submit_for_consultation", effective_on="2018-09-03")
    fire(client, sid, "submit_for_approval", effective_on="2018-11-15")
    approved = fire(client, sid, "approve", approval_reference="DCM No. 400", approved_on="2018-12-20",
                    effective_on="2018-12-20").json()
    assert approved["in_force"] == {"start": "2019-01-01", "end": "2022-12-31", "days": 1461}
    expired = fire(client, sid, "expire", reason="superseded", effective_on="2021-07-01").json()
    assert expired["in_force"] == {"start": "2019-01-01", "end": "2021-06-30", "days": 912}
    assert expired["expiry_reason"] == "superseded"


def test_history_of_a_new_strategy_is_empty_and_of_an_unknown_one_404(client, strategy):
    assert client.get(f"/strategies/{strategy['id']}/transitions").json() == []
    assert_problem(client.get("/strategies/999/transitions"), 404, "/problems/not-found")


def test_the_actor_is_the_tokens_name_and_an_x_actor_header_is_ignored(client_as, strategy):
    arta = client_as("coordinator", strategy["lead_institution_id"], name="arta-moi")
    moved = fire(arta, strategy["id"], "submit_for_consultation", headers={"X-Actor": "somebody-else"})
    assert moved.status_code == 200, moved.text
    assert [row["actor"] for row in arta.get(f"/strategies/{strategy['id']}/transitions").json()] == ["arta-moi"]
    stage_changed = [e for e in arta.get("/events").json()["items"] if e["type"] == "stage_changed"]
    assert [e["payload"]["actor"] for e in stage_changed] == ["arta-moi"]


def test_illegal_transition_is_409_listing_allowed_events(client, strategy):
    body = assert_problem(fire(client, strategy["id"], "approve"), 409, "/problems/illegal-transition")
    assert body["stage"] == "drafting"
    assert body["allowed_events"] == ["submit_for_consultation"]
    assert client.get(f"/strategies/{strategy['id']}/transitions").json() == []


def test_return_to_drafting_without_comment_is_422_at_comment(client, strategy):
    fire(client, strategy["id"], "submit_for_consultation", effective_on="2023-09-01")
    assert_invalid(fire(client, strategy["id"], "return_to_drafting"), pointer="#/comment")
    moved = fire(client, strategy["id"], "return_to_drafting", comment="Add the diaspora results.")
    assert moved.json()["stage"] == "drafting"
    assert client.get(f"/strategies/{strategy['id']}/transitions").json()[-1]["comment"] == "Add the diaspora results."


def test_a_short_consultation_is_409_with_the_earliest_day(client, strategy):
    fire(client, strategy["id"], "submit_for_consultation", effective_on="2025-01-06")
    body = assert_problem(
        fire(client, strategy["id"], "submit_for_approval", effective_on="2025-01-31"), 409, "/problems/guard-refused"
    )
    assert (body["working_days"], body["required_working_days"], body["earliest_on"]) == (19, 20, "2025-02-03")
    assert len(client.get(f"/strategies/{strategy['id']}/transitions").json()) == 1


def test_the_deployment_default_consultation_length_comes_from_settings(settings, engine, token_for):
    settings = settings.model_copy(update={"min_consultation_days": 3})
    with TestClient(create_app(settings, engine), raise_server_exceptions=False, headers=bearer(token_for())) as client:
        created = make_strategy(client, make_institution(client))
        fire(client, created["id"], "submit_for_consultation", effective_on="2025-01-09")  # Thursday
        with freezegun.freeze_time("2025-01-13 10:00"):  # Monday: Fri, Mon = 2 (Thursday is day 0)
            body = assert_problem(fire(client, created["id"], "submit_for_approval"), 409, "/problems/guard-refused")
            assert body["required_working_days"] == 3
        with freezegun.freeze_time("2025-01-14 10:00"):  # Tuesday: 3
            moved = fire(client, created["id"], "submit_for_approval")
        assert moved.status_code == 200, moved.text
        assert moved.json()["stage_entered_on"] == "2025-01-14"


def test_a_strategy_override_beats_the_deployment_default(client):
    created = make_strategy(client, make_institution(client), min_consultation_days=1)
    fire(client, created["id"], "submit_for_consultation", effective_on="2025-01-10")  # Friday: day 0
    assert_problem(fire(client, created["id"], "submit_for_approval", effective_on="2025-01-12"), 409,
                   "/problems/guard-refused")  # the weekend counts nothing
    assert fire(client, created["id"], "submit_for_approval", effective_on="2025-01-13").json()["stage"] == "approval"


@pytest.mark.parametrize(
    ("fields", "pointer"),
    [
        ({}, "#/approval_reference"),
        ({"approval_reference": "DCM No. 400"}, "#/approved_on"),
        ({"approval_reference": "DCM No. 400", "approved_on": "2200-01-01"}, "#/approved_on"),
        ({"approval_reference": "DCM\r\nNo. 400", "approved_on": "2024-01-01"}, "#/approval_reference"),
    ],
)
def test_approve_needs_reference_and_a_date_not_in_the_future(client, strategy, fields, pointer):
    fire(client, strategy["id"], "submit_for_consultation", effective_on="2023-09-01")
    fire(client, strategy["id"], "submit_for_approval", effective_on="2023-11-15")
    assert_invalid(fire(client, strategy["id"], "approve", **fields), pointer=pointer)
    assert client.get(f"/strategies/{strategy['id']}").json()["stage"] == "approval"


def test_expire_within_the_period_needs_a_reason(client):
    created = make_strategy(client, make_institution(client), period_start="2019-01-01", period_end="2040-12-31")
    sid = created["id"]
    fire(client, sid, "submit_for_consultation", effective_on="2018-09-03")
    fire(client, sid, "submit_for_approval", effective_on="2018-11-15")
    fire(client, sid, "approve", approval_reference="DCM No. 1", approved_on="2018-12-20", effective_on="2018-12-20")
    body = assert_problem(fire(client, sid, "expire"), 409, "/problems/guard-refused")
    assert body["period_end"] == "2040-12-31"
    assert_invalid(fire(client, sid, "expire", reason="bored"), pointer="#/reason")
    assert fire(client, sid, "expire", reason="terminated").json()["expiry_reason"] == "terminated"


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"event": "submit_for_consultation", "effective_on": "2200-01-01"}, "#/effective_on"),
        ({"event": "submit_for_consultation", "effective_on": "2199-12-31"}, "#/effective_on"),
        ({"event": "submit_for_consultation", "effective_on": "1899-12-31"}, "#/effective_on"),
        ({"event": "submit_for_consultation", "effective_on": "yesterday"}, "#/effective_on"),
        ({"event": "fly"}, "#/event"),
        ({"event": 3}, "#/event"),
        ({}, "#/event"),
        ({"event": "submit_for_consultation", "stage": "approval"}, "#/stage"),
        ({"event": "submit_for_consultation", "comment": "x" * 4001}, "#/comment"),
        ({"event": "submit_for_consultation", "comment": "nul\x00byte"}, "#/comment"),
    ],
)
def test_bad_transition_requests_are_422_and_change_nothing(client, strategy, body, pointer):
    response = client.post(f"/strategies/{strategy['id']}/transitions", json=body)
    assert_invalid(response, pointer=pointer)
    after = client.get(f"/strategies/{strategy['id']}").json()
    assert (after["stage"], after["version"]) == ("drafting", 1)


def test_effective_on_must_not_precede_the_previous_transition(client, strategy):
    fire(client, strategy["id"], "submit_for_consultation", effective_on="2023-09-01")
    assert_invalid(fire(client, strategy["id"], "return_to_drafting", comment="x", effective_on="2023-08-31"),
                   pointer="#/effective_on")


def test_effective_on_defaults_to_today_in_the_deployment_timezone(client, strategy):
    with freezegun.freeze_time("2025-03-31 22:30:00"):  # 00:30 on 1 April in Tirane
        moved = fire(client, strategy["id"], "submit_for_consultation")
    assert moved.json()["stage_entered_on"] == "2025-04-01"


def test_transition_with_a_stale_if_match_is_412_and_writes_nothing(client, strategy):
    sid = strategy["id"]
    client.patch(f"/strategies/{sid}", json={"title": "Renamed"})
    body = assert_problem(fire(client, sid, "submit_for_consultation", headers={"If-Match": '"1"'}), 412,
                          "/problems/stale-version")
    assert body["current_version"] == 2
    assert client.get(f"/strategies/{sid}/transitions").json() == []
    moved = fire(client, sid, "submit_for_consultation", headers={"If-Match": '"2"'})
    assert moved.status_code == 200
    assert moved.headers["etag"] == '"3"'


def test_transition_on_an_unknown_strategy_is_404(client):
    assert_problem(fire(client, 424242, "submit_for_consultation"), 404, "/problems/not-found")
