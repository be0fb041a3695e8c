"""The gap rules on Albania's own record (the demo portfolio), replayed month by month over HTTP with
``as_of`` and ``known_on`` set to each month's last day: what a ministry would have been told then."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.workflow.gap_builders import month_ends
from workflow.core.db import unit_of_work
from workflow.core.settings import Settings
from workflow.demo import load_portfolio, read_portfolio
from workflow.lifecycle import Strategy

NOW_TODAY = date(2026, 6, 1)
OLD = "National Strategy on Migration Governance and Action Plan 2019-2022"
NEW = "National Strategy for Migration 2024-2030"
APPROVED = date(2024, 5, 2)


@pytest.fixture
def demo(engine) -> dict[str, int]:
    from workflow.core import clock

    with unit_of_work(engine) as s:
        load_portfolio(s, read_portfolio(), now=clock.now(), today=NOW_TODAY, settings=Settings(_env_file=None))
        ids = dict(s.execute(select(Strategy.title, Strategy.id).where(Strategy.title.in_([OLD, NEW]))).all())
    return {"old": ids[OLD], "new": ids[NEW]}


def entry_on(client, month: date, strategy_id: int) -> dict:
    body = client.get("/gaps", params={"as_of": month.isoformat(), "known_on": month.isoformat(),
                                       "policy_area": "migration"})
    assert body.status_code == 200, body.text
    return next(e for e in body.json()["items"] if e["strategy_id"] == strategy_id)


def test_the_2019_strategy_is_at_risk_by_the_pipeline_well_before_2022(client, demo):
    flagged = [m for m in month_ends(date(2020, 1, 1), date(2021, 12, 31))
               if entry_on(client, m, demo["old"])["status"] == "at_risk"]
    assert flagged and flagged[0] <= date(2021, 6, 30)  # the fixed horizon flagged it on 2021-12-31
    first = entry_on(client, flagged[0], demo["old"])
    assert first["risk_rule"] == "pipeline" and first["successor_id"] is None
    assert first["needed_days_upper"] > first["days_left"] > 365
    assert first["explanation"][0].startswith("It lapses on 2022-12-31")
    assert first["explanation"][1].startswith("No successor is under way")
    assert any(line.startswith("To avoid the gap") for line in first["explanation"])
    later = entry_on(client, date(2021, 9, 30), demo["old"])
    assert later["gap_risk"] > first["gap_risk"] > 0.2  # more of the history's pipelines finish too late


def test_the_forecast_range_of_the_2024_strategy_holds_its_real_approval_every_month_before_it(client, demo):
    """From its drafting start (October 2022) to the last month before 2024-05-02, the range (20th to
    80th percentile) holds the real day. The consultation and approval dates before it are approximate
    (the demo's notes): taken as exact, the longest stints recorded would end by 2024-04-24 from
    November 2023 on, and no range drawn from them could reach the day."""
    for month in month_ends(date(2022, 10, 1), date(2024, 4, 30)):
        entry = entry_on(client, month, demo["old"])
        assert entry["successor_id"] == demo["new"]
        lower, median, upper = (date.fromisoformat(entry[f"projected_successor_approval{end}"])
                                for end in ("_lower", "", "_upper"))
        assert month < lower <= median <= upper, month
        assert lower <= APPROVED <= upper, month


def test_the_backtest_scores_each_lapse_of_the_area(client, demo):
    body = client.get("/gaps/backtest", params={"policy_area": "migration", "from": "2008-01", "to": "2024-12"})
    assert body.status_code == 200, body.text
    result = body.json()
    lapses = {lapse["strategy_id"]: lapse for lapse in result["lapses"]}
    old = lapses[demo["old"]]
    assert (old["lapses_on"], old["gap"], old["first_rule"]) == ("2022-12-31", True, "pipeline")
    assert old["first_flagged"] <= "2021-06-30" and old["lead_days"] >= 548
    assert old["successor_approved_on"] == APPROVED.isoformat()
    twelve = next(s for s in old["scored"] if s["months_before"] == 12)
    assert twelve["month"] == "2023-04-30" and twelve["within"] is True
    assert "lapses" in result["summary"] and result["start"] == "2008-01-01"


@pytest.mark.parametrize("params", [{"from": "2024-13"}, {"to": "24-01"}, {"from": "2024-05", "to": "2024-01"}])
def test_a_bad_month_is_a_problem(client, params):
    response = client.get("/gaps/backtest", params=params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
