"""A contact point submits a progress report in a real browser and a coordinator accepts it, each
in their own browser and language; the monitoring and printable report pages open with the session."""

from __future__ import annotations

import re

from tests.web.browser.harness import check_accessibility, shot, sign_in
from tests.web.conftest import ARTA, DANIEL
from tests.web.test_report_flow import target_of
from workflow.core import unit_of_work
from workflow.monitoring import reports


def test_daniel_submits_a_report_and_arta_accepts_it(page, second_page, console, demo):
    target = target_of(demo)
    sign_in(page, console, DANIEL)
    page.goto(f"{console.url}/console/strategies/{target.strategy_id}/monitoring")
    assert check_accessibility(page) == []
    shot(page, "monitoring")
    page.get_by_role("button", name=f"Start the {target.period} report").click()
    page.wait_for_url(re.compile(r"/console/reports/\d+"))
    form = page.locator("#report-form")
    first_measure = form.locator("fieldset[id^=measure-]").first
    first_measure.get_by_label("Delayed").check()
    first_measure.locator("textarea").fill("Procurement of the registry software slipped to the next quarter.")
    numbers = form.locator("input[type=number]")
    if numbers.count():
        numbers.first.fill("12")
    form.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state()
    assert page.locator("#report-form fieldset[id^=measure-]").first.get_by_label("Delayed").is_checked()
    assert check_accessibility(page) == []
    shot(page, "report-form")
    page.locator("#report-form").get_by_role("button", name="Submit").click()
    page.wait_for_load_state()
    report_url = page.url.split("?")[0]

    sign_in(second_page, console, ARTA)
    second_page.goto(report_url)
    assert second_page.locator("html").get_attribute("lang") == "sq"
    second_page.locator("#accept-form").get_by_role("button", name="Pranoje").click()
    second_page.wait_for_load_state()
    report_id = int(report_url.rsplit("/", 1)[1])
    with unit_of_work(demo) as session:
        assert reports.get_report(session, report_id).status == "accepted"

    second_page.goto(f"{console.url}/console/strategies/{target.strategy_id}/monitoring/report")
    assert second_page.locator("h1").count() >= 1
    assert console.foreign_requests() == []
