"""GET /gaps a page at a time (issue 13): a bounded `limit`, a cursor, the totals of all pages; today's
report read from the rows the gap watch keeps and still exact right after a write; analyses and
GET /timeline of one area read that area alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

import pytest
from freezegun import freeze_time
from sqlalchemy import event

from tests.api.helpers import assert_invalid, fire, make_institution, make_strategy
from tests.workflow.gaps.watching import watch
from workflow.gaps import compute_gap_report, queries, read_snapshots, scoped
from workflow.gaps.rules import GapAssessment

FROZEN = "2026-06-01 10:00:00+02:00"
NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
AREAS = ("migration", "health", "health-care", "diaspora")
SINCE_2020 = {"period_start": "2020-06-01", "drafting_started_on": "2019-06-01"}


@pytest.fixture(autouse=True)
def _today(client):
    # FastAPI builds a route's parameters on its first request, from the module's ``date``, which
    # freezegun swaps for its fake while frozen; a first request outside the freeze avoids that.
    assert client.get("/gaps", params={"as_of": "2000-01-01"}).status_code == 200
    with freeze_time(FROZEN):
        yield


def _approve(client, strategy_id: int, approved: str) -> None:
    for step, fields in (("submit_for_consultation", {"effective_on": "2020-01-10"}),
                         ("submit_for_approval", {"effective_on": "2020-03-02"}),
                         ("approve", {"effective_on": approved, "approved_on": approved,
                                      "approval_reference": "DCM No. 1"})):
        assert fire(client, strategy_id, step, **fields).status_code == 200


@pytest.fixture
def portfolio(client) -> dict[str, list[int]]:
    """Per area three strategies in force with no successor, lapsing early in 2027 (at risk), 2028 and
    2029 (ok), and an action plan of the last to the end of 2027 (ok); in ``culture`` one lapsed at
    the end of 2025 with nothing since (a gap)."""
    made: dict[str, list[int]] = {}
    moi = make_institution(client)
    for number, area in enumerate(AREAS):
        made[area] = []
        for year in (2027, 2028, 2029):
            strategy = make_strategy(client, moi, title=f"{area} to {year}", policy_area=area, **SINCE_2020,
                                     period_end=f"{year}-0{number + 1}-28")
            _approve(client, strategy["id"], "2020-05-04")
            made[area].append(strategy["id"])
        plan = make_strategy(client, moi, title=f"{area} plan", policy_area=area, kind="action_plan",
                             parent_id=made[area][-1], **SINCE_2020, period_end="2027-12-31")
        _approve(client, plan["id"], "2020-05-04")
        made[area].append(plan["id"])
    old = make_strategy(client, moi, title="culture to 2025", policy_area="culture", **SINCE_2020,
                        period_end="2025-12-31")
    _approve(client, old["id"], "2020-05-04")
    assert fire(client, old["id"], "expire", effective_on="2026-01-01").status_code == 200
    made["culture"] = [old["id"]]
    return made


def _all_pages(client, limit: int, **params) -> tuple[list[dict], list[dict]]:
    """Every item, following the cursors, and each page's body."""
    items, bodies, cursor = [], [], None
    while True:
        response = client.get("/gaps", params={**params, "limit": limit, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["items"]) <= limit and body["limit"] == limit
        items += body["items"]
        bodies.append(body)
        cursor = body["next_cursor"]
        if cursor is None:
            return items, bodies


def test_pages_follow_each_other_in_the_reports_order_with_the_totals_of_all_pages(client, portfolio):
    whole = client.get("/gaps", params={"limit": 500}).json()
    assert whole["next_cursor"] is None and whole["total"] == len(whole["items"]) == 17
    assert whole["by_status"] == {"covered": 0, "ok": 12, "at_risk": 4, "gap": 1}
    items, bodies = _all_pages(client, 3)
    assert items == whole["items"] and len(bodies) == 6
    assert {(b["total"], tuple(b["by_status"].values())) for b in bodies} == {(17, (0, 12, 4, 1))}
    assert [i["policy_area"] for i in items] == sorted(i["policy_area"] for i in items)  # "health" before "health-care"
    at_risk, _ = _all_pages(client, 2, status="at_risk", kind="strategy")
    assert at_risk == [i for i in items if i["status"] == "at_risk" and i["kind"] == "strategy"]
    assert client.get("/gaps", params={"status": "at_risk"}).json()["by_status"]["ok"] == 12  # every status counted


def test_after_a_pass_the_pages_come_from_the_stored_rows_and_say_the_same(client, portfolio, settings, monkeypatch):
    computed = _all_pages(client, 4)[0]
    watch(client.app.state.engine, settings, NOW)
    judged = []
    monkeypatch.setattr(GapAssessment, "entry", lambda *a, **k: judged.append(a) or None)
    stored, bodies = _all_pages(client, 4)
    assert stored == computed and judged == []  # nothing judged: every entry read as stored
    narrow, _ = _all_pages(client, 5, horizon_days=100)  # another horizon: the same rows, read with it
    # Only the pipeline rule flags beyond the horizon; the same rows, read with it, say so.
    assert {i["status"] for i in narrow if i["risk_rule"] != "pipeline"} == {"ok", "gap"}
    assert [i for i in narrow if i["status"] == "at_risk"] == [
        i for i in computed if i["status"] == "at_risk" and i["risk_rule"] == "pipeline"]
    assert judged == []


def test_right_after_a_write_the_stored_report_answers_with_it(client, portfolio, settings):
    watch(client.app.state.engine, settings, NOW)
    moi = make_institution(client, "Ministry of Health")
    new = make_strategy(client, moi, title="health to 2026", policy_area="health", **SINCE_2020,
                        period_end="2026-08-31")
    _approve(client, new["id"], "2020-05-04")
    successor = make_strategy(client, moi, title="health from 2027", policy_area="health", period_start="2027-03-01",
                              drafting_started_on="2019-06-01", period_end="2030-12-31",
                              predecessor_id=portfolio["health"][0])
    _approve(client, successor["id"], "2026-05-01")
    health = client.get("/gaps", params={"policy_area": "health"}).json()["items"]
    assert (new["id"], "at_risk") in [(i["strategy_id"], i["status"]) for i in health]
    assert (portfolio["health"][0], "covered") in [(i["strategy_id"], i["status"]) for i in health]
    items, _ = _all_pages(client, 3)
    judged = compute_gap_report(read_snapshots(client.app.state.engine, zone=settings.zone), as_of=date(2026, 6, 1),
                                horizon_days=settings.gap_horizon_days, settings=settings)
    assert [(i["strategy_id"], i["status"], i["successor_id"], i["lapses_on"]) for i in items] == [
        (e.strategy_id, e.status, e.successor_id, e.lapses_on.isoformat()) for e in judged]


@contextmanager
def _statements(engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_page_of_todays_report_writes_nothing_and_reads_a_few_rows(client, portfolio, settings):
    watch(client.app.state.engine, settings, NOW)
    make_strategy(client, make_institution(client, "Ministry of Health"), policy_area="health", **SINCE_2020,
                  period_end="2027-12-31")  # not in the stored rows yet
    with _statements(client.app.state.engine) as seen:
        assert client.get("/gaps", params={"limit": 2}).status_code == 200
    assert any("gap_report_entries" in s for s in seen) and any("FROM strategies" in s for s in seen)
    writes = [s for s in seen if not s.lstrip().upper().startswith("SELECT") and "api_tokens" not in s]
    assert writes == []


def test_an_analysis_of_one_area_reads_that_area(client, portfolio, monkeypatch):
    read = []
    real = queries.load_snapshots
    monkeypatch.setattr(queries, "load_snapshots", lambda *a, **k: read.append(real(*a, **k)) or read[-1])
    monkeypatch.setattr(scoped, "load_snapshots", queries.load_snapshots)
    body = client.get("/gaps", params={"as_of": "2026-03-01", "policy_area": "migration"}).json()
    assert [i["strategy_id"] for i in body["items"]] == portfolio["migration"]
    assert {s.id for snapshots in read for s in snapshots} == set(portfolio["migration"])
    read.clear()
    timeline = client.get("/timeline", params={"policy_area": "health"})
    assert timeline.status_code == 200
    assert {s.id for snapshots in read for s in snapshots} == set(portfolio["health"])
    read.clear()
    plans = client.get("/timeline", params={"parent_id": portfolio["health"][2]}).json()
    assert [i["strategy_id"] for i in plans["intervals"]] == [portfolio["health"][3]]
    assert {s.id for snapshots in read for s in snapshots} == set(portfolio["health"])


@pytest.mark.parametrize(("params", "parameter"), [
    ({"limit": 0}, "limit"),
    ({"limit": 501}, "limit"),
    ({"cursor": "abc"}, "cursor"),
    ({"cursor": "x1"}, "cursor"),
    ({"cursor": "1" * 311}, "cursor"),
])
def test_a_bad_limit_or_cursor_is_a_problem(client, params, parameter):
    assert_invalid(client.get("/gaps", params=params), parameter=parameter)


def test_pages_by_gap_risk_come_highest_first_computed_and_stored_alike(client, portfolio, settings):
    by_report = _all_pages(client, 500)[0]
    computed, _ = _all_pages(client, 3, order="risk")
    risks = [i["gap_risk"] or 0 for i in computed]
    assert risks == sorted(risks, reverse=True) and risks[0] > risks[-1]
    assert sorted(i["strategy_id"] for i in computed) == sorted(i["strategy_id"] for i in by_report)
    watch(client.app.state.engine, settings, NOW)
    stored, _ = _all_pages(client, 4, order="risk")
    assert stored == computed
    at_risk, _ = _all_pages(client, 2, order="risk", status="at_risk")
    assert at_risk == [i for i in computed if i["status"] == "at_risk"]
