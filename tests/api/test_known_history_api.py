"""Drafting start and history as known then, over HTTP: `drafting_started_on` on create and PATCH,
revisions recorded by PATCH with `effective_on`, and `known_on` on GET /gaps and GET /timeline."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from tests.api.helpers import assert_invalid, assert_problem, fire, make_institution, make_strategy

TODAY = "2026-03-02"
TOMORROW = "2026-03-03"


@pytest.fixture(autouse=True)
def _today():
    with freeze_time(f"{TODAY} 10:00"):
        yield


def _approve(client, strategy_id: int, opened: str, submitted: str, approved: str) -> None:
    for event, fields in (
        ("submit_for_consultation", {"effective_on": opened}),
        ("submit_for_approval", {"effective_on": submitted}),
        ("approve", {"effective_on": approved, "approved_on": approved, "approval_reference": "DCM No. 400"}),
    ):
        response = fire(client, strategy_id, event, **fields)
        assert response.status_code == 200, response.text


def _patch(client, strategy_id: int, **fields):
    return client.patch(f"/strategies/{strategy_id}", json=fields)


@pytest.fixture
def migration(client) -> dict[str, int]:
    """The 2019-2022 strategy, lapsed at the end of 2022; its successor drafted since 2022-10-03 (entered
    today), in consultation since 2023-06-01, approval due 2023-09-30, moved on 2023-10-15 to 2024-03-31."""
    moi = make_institution(client)
    old = make_strategy(client, moi, title="Migration 2019-2022", period_start="2019-01-01", period_end="2022-12-31")
    _approve(client, old["id"], "2019-01-07", "2019-03-01", "2019-06-19")
    new = make_strategy(client, moi, predecessor_id=old["id"], period_start="2023-01-01",
                        drafting_started_on="2022-10-03", approval_due="2023-09-30")
    assert fire(client, new["id"], "submit_for_consultation", effective_on="2023-06-01").status_code == 200
    moved = _patch(client, new["id"], approval_due="2024-03-31", effective_on="2023-10-15")
    assert moved.status_code == 200, moved.text
    return {"moi": moi, "old": old["id"], "new": new["id"]}


def test_gaps_known_on_answers_with_the_deadline_as_it_was_before_a_later_change(client, migration):
    then = client.get("/gaps", params={"as_of": "2023-08-31", "known_on": "2023-08-31"})
    assert then.status_code == 200, then.text
    body = then.json()
    assert (body["as_of"], body["known_on"]) == ("2023-08-31", "2023-08-31")
    [entry] = body["items"]
    assert (entry["strategy_id"], entry["status"], entry["successor_id"]) == (migration["old"], "gap", migration["new"])
    # The deadline as it stood then, shown beside the forecast; not taken, being earlier than the history says.
    assert entry["projection_steps"][-1]["due_on"] == "2023-09-30"
    assert entry["projected_successor_approval"] == "2023-11-22"

    now = client.get("/gaps", params={"as_of": "2023-08-31"}).json()
    assert now["known_on"] == TODAY
    assert now["items"][0]["projected_successor_approval"] == "2024-03-31"


def test_known_on_before_a_stage_change_sees_the_stage_reached_by_then(client, migration):
    [entry] = client.get("/gaps", params={"as_of": "2023-08-31", "known_on": "2023-05-31"}).json()["items"]
    assert (entry["successor_id"], entry["successor_stage"]) == (migration["new"], "drafting")


def test_a_gap_report_of_2022_11_sees_a_successor_drafted_since_2022_10_though_entered_later(client, migration):
    [entry] = client.get("/gaps", params={"as_of": "2022-11-15", "horizon_days": 90}).json()["items"]
    assert (entry["strategy_id"], entry["status"]) == (migration["old"], "at_risk")
    assert (entry["successor_id"], entry["successor_stage"]) == (migration["new"], "drafting")
    # Not yet known on 2022-10-02, the day before its drafting started.
    [before] = client.get("/gaps", params={"as_of": "2022-11-15", "horizon_days": 90,
                                           "known_on": "2022-10-02"}).json()["items"]
    assert before["successor_id"] is None


def test_timeline_known_on_shows_the_period_as_it_was_before_an_extension(client):
    moi = make_institution(client)
    old = make_strategy(client, moi, title="Migration 2019-2022", period_start="2019-01-01", period_end="2022-12-31")
    _approve(client, old["id"], "2019-01-07", "2019-03-01", "2019-06-19")
    extended = _patch(client, old["id"], period_end="2023-12-31", effective_on="2022-12-20")
    assert extended.status_code == 200, extended.text
    params = {"policy_area": "migration", "as_of": "2023-06-30"}

    then = client.get("/timeline", params=params | {"known_on": "2022-12-01"}).json()
    assert then["known_on"] == "2022-12-01"
    assert [(i["start"], i["end"]) for i in then["intervals"]] == [("2019-06-19", "2022-12-31")]
    assert [(g["start"], g["end"], g["ongoing"]) for g in then["gaps"]] == [("2023-01-01", "2023-06-30", True)]

    now = client.get("/timeline", params=params).json()
    assert [(i["start"], i["end"]) for i in now["intervals"]] == [("2019-06-19", "2023-12-31")]
    assert now["gaps"] == []


@pytest.mark.parametrize("path", ["/gaps", "/timeline"])
def test_known_on_in_the_future_is_refused(client, path):
    body = assert_invalid(client.get(path, params={"policy_area": "migration", "known_on": TOMORROW}),
                          parameter="known_on")
    assert "future" in body["errors"][0]["detail"]
    assert_invalid(client.get(path, params={"policy_area": "migration", "known_on": "31.12.2023"}),
                   parameter="known_on")


def test_drafting_starts_the_day_a_strategy_is_registered_unless_given(client):
    moi = make_institution(client)
    fresh = make_strategy(client, moi)
    assert (fresh["drafting_started_on"], fresh["stage_entered_on"]) == (TODAY, TODAY)
    earlier = make_strategy(client, moi, drafting_started_on="2025-11-03")
    assert (earlier["drafting_started_on"], earlier["stage_entered_on"]) == ("2025-11-03", "2025-11-03")
    moved = _patch(client, earlier["id"], drafting_started_on="2025-10-01")
    assert moved.status_code == 200, moved.text
    assert (moved.json()["drafting_started_on"], moved.json()["stage_entered_on"]) == ("2025-10-01", "2025-10-01")


def test_drafting_start_refusals_point_at_the_field(client):
    moi = make_institution(client)
    future = client.post("/strategies", json={"title": "T", "policy_area": "migration", "lead_institution_id": moi,
                                              "period_start": "2027-01-01", "period_end": "2030-12-31",
                                              "drafting_started_on": TOMORROW})
    assert "future" in assert_invalid(future, pointer="#/drafting_started_on")["detail"]
    strategy = make_strategy(client, moi, drafting_started_on="2025-09-01")
    assert fire(client, strategy["id"], "submit_for_consultation", effective_on="2025-10-01").status_code == 200
    after_first_step = _patch(client, strategy["id"], drafting_started_on="2025-10-02")
    assert "2025-10-01" in assert_invalid(after_first_step, pointer="#/drafting_started_on")["detail"]
    assert_invalid(_patch(client, strategy["id"], drafting_started_on=None), pointer="#/drafting_started_on")
    assert client.get(f"/strategies/{strategy['id']}").json()["drafting_started_on"] == "2025-09-01"


def test_a_first_transition_dated_before_the_drafting_start_moves_it_back(client):
    """An admin imports a strategy registered today whose consultation opened years ago."""
    strategy = make_strategy(client, make_institution(client))
    moved = fire(client, strategy["id"], "submit_for_consultation", effective_on="2023-10-02")
    assert moved.status_code == 200, moved.text
    assert (moved.json()["drafting_started_on"], moved.json()["stage_entered_on"]) == ("2023-10-02", "2023-10-02")


def test_patch_records_a_revision_with_who_and_when(client, migration):
    extra = _patch(client, migration["new"], consultation_due="2023-08-15", title="Migration 2023-2030",
                   effective_on="2023-11-02", effective_on_approximate=True)
    assert extra.status_code == 200, extra.text
    today = _patch(client, migration["new"], approval_due="2024-06-30")
    assert today.status_code == 200, today.text
    revisions = client.get(f"/strategies/{migration['new']}/revisions")
    assert revisions.status_code == 200, revisions.text
    keys = ("changes", "effective_on", "effective_on_approximate", "actor")
    rows = [{k: r[k] for k in keys} for r in revisions.json()]
    assert rows == [
        {"changes": {"approval_due": ["2023-09-30", "2024-03-31"]}, "effective_on": "2023-10-15",
         "effective_on_approximate": False, "actor": "test-admin"},
        {"changes": {"consultation_due": [None, "2023-08-15"],
                     "title": ["National Strategy for Migration 2024-2030", "Migration 2023-2030"]},
         "effective_on": "2023-11-02", "effective_on_approximate": True, "actor": "test-admin"},
        {"changes": {"approval_due": ["2024-03-31", "2024-06-30"]}, "effective_on": TODAY,
         "effective_on_approximate": False, "actor": "test-admin"},
    ]
    assert_problem(client.get("/strategies/999/revisions"), 404)


def test_patch_effective_on_refusals_point_at_it_and_change_nothing(client, client_as, migration):
    new = migration["new"]
    future = _patch(client, new, approval_due="2024-06-30", effective_on=TOMORROW)
    assert "future" in assert_invalid(future, pointer="#/effective_on")["detail"]
    before_previous = _patch(client, new, approval_due="2024-06-30", effective_on="2023-10-14")
    assert "2023-10-15" in assert_invalid(before_previous, pointer="#/effective_on")["detail"]

    coordinator = client_as("coordinator", migration["moi"], name="arta")
    own = coordinator.post("/strategies", json={"title": "Diaspora 2027-2030", "policy_area": "diaspora",
                                                "lead_institution_id": migration["moi"],
                                                "period_start": "2027-01-01", "period_end": "2030-12-31"}).json()
    backdated = coordinator.patch(f"/strategies/{own['id']}", json={"approval_due": "2026-12-01",
                                                                    "effective_on": "2026-03-01"})
    body = assert_problem(backdated, 403, "/problems/forbidden")
    assert body["errors"][0]["pointer"] == "#/effective_on" and "admin" in body["detail"]
    on_the_day = coordinator.patch(f"/strategies/{own['id']}", json={"approval_due": "2026-12-01"})
    assert on_the_day.status_code == 200, on_the_day.text

    assert client.get(f"/strategies/{new}").json()["approval_due"] == "2024-03-31"
    assert len(client.get(f"/strategies/{new}/revisions").json()) == 1
    assert len(client.get(f"/strategies/{own['id']}/revisions").json()) == 1
