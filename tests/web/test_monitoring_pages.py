"""The monitoring overview of the demo's migration strategy: its reporting cycle and reports, the
results with their charts (the same numbers in tables), and the printable report and CSV opened
with the session."""

from __future__ import annotations

import base64
import hashlib
import re
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlmodel import col

from tests.web.conftest import ARTA, DANIEL, PersonFactory
from tests.web.console import post_form
from tests.web.test_report_flow import Target, content, save, start_report, target_of, version_of
from workflow.core import Settings, clock, unit_of_work
from workflow.lifecycle import Strategy
from workflow.monitoring import as_html, as_json, monitoring_for


@pytest.fixture
def target(demo: Engine) -> Target:
    return target_of(demo)


@pytest.fixture
def daniel(person: PersonFactory) -> TestClient:
    return person(DANIEL)


def section(html: str, element_id: str, end: str = "</table>") -> str:
    start = html.index(f'id="{element_id}"')
    return html[start:html.index(end, start)]


def rows(table_html: str) -> list[list[str]]:
    """The table's body rows as the cells' text."""
    body = table_html[table_html.index("<tbody>"):]
    found = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)
        found.append([unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells])
    return found


def test_the_overview_shows_the_cycle_its_periods_and_a_start_button_for_the_contact_point(
    daniel: TestClient, target: Target
) -> None:
    page = daniel.get(f"/console/strategies/{target.strategy_id}/monitoring")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Monitoring: National Strategy for Migration 2024-2030</h1>" in html
    assert "Reports are quarterly, each due 30 days after its period ends." in html
    reporting = section(html, "reporting", "</section>")
    assert "Ministry of Interior" in reporting and "Technical Committee on Migration" in reporting
    assert f'<button type="submit">Start the {target.period} report</button>' in reporting
    # Daniel reports for the Ministry of Interior only: no button on the committee's rows.
    assert reporting.count("Start the ") == reporting.count("<td>Ministry of Interior</td>")
    assert f'href="/console/strategies/{target.strategy_id}/monitoring/report?year=' in html
    assert f'href="/console/strategies/{target.strategy_id}/monitoring.csv?year=' in html


def test_the_results_draw_charts_with_the_same_numbers_in_tables(
    daniel: TestClient, person: PersonFactory, demo: Engine, settings: Settings, target: Target,
) -> None:
    opened = start_report(daniel, demo, target)
    returned_migrants = opened.indicator_ids[0]  # baseline 1200, target 3000: 2100 is half way
    data = content(opened, **{f"value-{returned_migrants}": "2100"})
    assert save(daniel, opened.report_id, data, action="/submit").status_code == 303
    arta = person(ARTA)
    review = arta.get(f"/console/reports/{opened.report_id}")
    post_form(arta, f"/console/reports/{opened.report_id}/accept", review.text, {"version": version_of(review.text)})
    year = int(target.period[:4])

    html = daniel.get(f"/console/strategies/{target.strategy_id}/monitoring?year={year}").text
    expected = as_json(monitoring_for(demo, target.strategy_id, year=year, today=clock.today(settings.zone)))

    statuses = rows(section(html, "table-statuses"))
    counts = {name: int(n) for name, n in statuses}
    assert list(counts) == ["Not started", "On track", "Delayed", "Completed", "Cancelled"]
    by_code = {"not_started": 0, "on_track": 0, "delayed": 0, "completed": 0, "cancelled": 0}
    for measure in expected["measures"]:
        by_code[measure["status"]] += 1
    assert list(counts.values()) == list(by_code.values())
    chart = section(html, "chart-statuses", "</svg>")
    assert 'role="img" aria-labelledby="chart-statuses-title"' in chart
    assert '<title id="chart-statuses-title">Measures by status</title>' in chart
    largest = max(by_code.values())
    bars = re.findall(r'<rect class="s-(\w+)" x="[\d.]+" y="\d+" width="([\d.]+)"', chart)
    drawn = {css: float(width) for css, width in bars}
    assert drawn == {code: round(n / largest * 540, 2) for code, n in by_code.items() if n}

    progress = rows(section(html, "table-progress"))
    line = next(r for r in progress if r[0] == "Returned migrants registered with reintegration support")
    assert line == ["Returned migrants registered with reintegration support", "persons", "1,200 (2023)",
                    f"2,100 ({target.period})", "3,000 (2026)", "50%"]
    progress_chart = section(html, "chart-progress", "</svg>")
    assert 'role="img"' in progress_chart
    assert "Returned migrants registered with reintegration support: 50%" in progress_chart
    assert '<rect class="p-in_progress" x="0.0" y="16" width="270.0" height="18"/>' in progress_chart
    assert progress_chart.count('<line class="target" x1="540.0"') == len(expected["indicators"])

    timeliness = rows(section(html, "table-timeliness"))
    assert timeliness == [
        [t["institution"], str(len(t["on_time"])), str(len(t["late"])), str(len(t["missing"])),
         str(len(t["not_yet_due"]))]
        for t in expected["timeliness"]
    ]
    assert 'id="chart-timeliness" role="img"' in html

    rate = expected["implementation"]["rate_percent"]
    shown = re.search(r'<p class="rate" id="implementation-rate">([^<]+)</p>', html)
    assert shown and shown.group(1) == f"{float(rate):g}%"


def test_numbers_and_dates_follow_the_viewers_language(person: PersonFactory, target: Target) -> None:
    arta = person(ARTA)
    html = arta.get(f"/console/strategies/{target.strategy_id}/monitoring?year=2025").text
    assert "<h1>Monitorimi: National Strategy for Migration 2024-2030</h1>" in html
    progress = rows(section(html, "table-progress"))
    assert progress[0][2] == "1\xa0200 (2023)"
    assert "Masat sipas statusit" in html and "Raportimi është tremujor" in html
    # 2025: of the four measures planned, two are on schedule (1.1 and 3.1).
    assert '<p class="rate" id="implementation-rate">50%</p>' in html
    assert "U zbatuan 2 nga 4 masat e planifikuara për vitin 2025" in html


def test_the_printable_report_opens_with_the_session_under_its_own_policy(
    daniel: TestClient, visitor: TestClient, demo: Engine, settings: Settings, target: Target
) -> None:
    path = f"/console/strategies/{target.strategy_id}/monitoring/report?year=2025"
    page = daniel.get(path)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    result = monitoring_for(demo, target.strategy_id, year=2025, today=clock.today(settings.zone))
    assert page.text == as_html(result, "en")  # Daniel reads English
    styles = re.findall(r"<style>(.*?)</style>", page.text, re.DOTALL)
    assert styles
    policy = page.headers["content-security-policy"]
    for css in styles:
        digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    assert "unsafe-inline" not in policy and "default-src 'none'" in policy and "http" not in policy

    csv = daniel.get(f"/console/strategies/{target.strategy_id}/monitoring.csv?year=2025")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text.startswith("section,id,code,name")

    for refused in (path, f"/console/strategies/{target.strategy_id}/monitoring",
                    f"/console/strategies/{target.strategy_id}/monitoring.csv"):
        answer = visitor.get(refused, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/console/sign-in?next=")


def test_a_report_for_an_institution_not_asked_is_refused_in_words(
    daniel: TestClient, demo: Engine, target: Target
) -> None:
    page = daniel.get(f"/console/strategies/{target.strategy_id}/monitoring")
    refused = post_form(daniel, f"/console/strategies/{target.strategy_id}/reports", page.text,
                        {"plan_id": str(target.plan_id), "period": "1999-Q1",
                         "institution_id": str(target.institution_id)})
    assert refused.status_code == 422
    assert "not a reporting period" in refused.text
    assert "Start the " in refused.text


def test_a_strategy_without_a_cycle_says_so_and_an_unknown_one_is_not_found(
    daniel: TestClient, demo: Engine, target: Target
) -> None:
    with unit_of_work(demo) as session:
        other = session.scalars(select(Strategy).where(col(Strategy.id) != target.strategy_id,
                                                       col(Strategy.id) != target.plan_id)).first()
        assert other is not None and other.id is not None
        other_id = other.id
    page = daniel.get(f"/console/strategies/{other_id}/monitoring")
    assert page.status_code == 200
    assert "No reporting cycle is set for this strategy or its action plans." in page.text
    assert "Start the " not in page.text
    assert daniel.get("/console/strategies/999999/monitoring").status_code == 404


def test_arta_prints_the_report_in_albanian_under_the_same_policy(
    person: PersonFactory, demo: Engine, settings: Settings, target: Target
) -> None:
    page = person(ARTA).get(f"/console/strategies/{target.strategy_id}/monitoring/report?year=2025")
    assert page.status_code == 200
    result = monitoring_for(demo, target.strategy_id, year=2025, today=clock.today(settings.zone))
    assert page.text == as_html(result, "sq")
    html = page.text
    assert '<html lang="sq">' in html
    assert "<title>Raporti i monitorimit 2025: National Strategy for Migration 2024-2030</title>" in html
    assert "<h2>Shkalla e zbatimit</h2>" in html and '<span class="rate">50,0%</span>' in html
    assert "<th>Vlera e synuar</th>" in html and "1\xa0200 (2023)" in html and "Sipas planit" in html
    assert "Implementation rate" not in html and "On track" not in html
    policy = page.headers["content-security-policy"]
    for css in re.findall(r"<style>(.*?)</style>", html, re.DOTALL):
        assert f"'sha256-{base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()}'" in policy
