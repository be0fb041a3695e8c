"""A coordinator walks a strategy through every stage in a real browser, in Albanian, meeting a
refused guard in words; another institution's coordinator sees no buttons and is refused anyway."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from sqlalchemy import Engine, update
from sqlmodel import col

from tests.web.browser.harness import check_accessibility, shot, sign_in
from tests.web.conftest import ARTA, KLODIANA
from tests.web.test_strategy_page import new_strategy, stored
from workflow.core import Settings, clock, unit_of_work
from workflow.lifecycle import Strategy


def registered_weeks_ago(engine: Engine, settings: Settings, weeks: int) -> tuple[int, str]:
    """A strategy in drafting registered ``weeks`` ago, so its steps can be dated in the past.

    Its registration is moved back in the table: freezing the clock here would freeze the served
    app's event loop too (same process), and uvicorn could then not shut down."""
    strategy_id = new_strategy(engine, title="Strategjia Kombëtare për Integrimin 2025-2030",
                               period_start="2025-01-01", period_end="2030-12-31")
    with unit_of_work(engine) as session:
        session.execute(update(Strategy).where(col(Strategy.id) == strategy_id)
                        .values(created_at=clock.now() - timedelta(weeks=weeks)))
    return strategy_id, clock.today(settings.zone).isoformat()


def stage_of(page) -> str:
    return page.locator("#stage [aria-current=step]").inner_text().split("\n")[0].strip()


def press(page, event_label: str, **fields: str) -> None:
    form = page.locator("form.action").filter(has=page.get_by_role("button", name=event_label, exact=True))
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    form.get_by_role("button", name=event_label, exact=True).click()
    page.wait_for_load_state()


def test_arta_walks_a_strategy_through_every_stage(page, console, demo, settings):
    strategy_id, today = registered_weeks_ago(demo, settings, 10)
    days_ago = lambda n: (clock.today(settings.zone) - timedelta(days=n)).isoformat()  # noqa: E731
    sign_in(page, console, ARTA)
    page.goto(f"{console.url}/console/strategies/{strategy_id}")
    assert stage_of(page) == "Hartimi"
    assert check_accessibility(page) == []

    press(page, "Dërgoje për konsultim", effective_on=days_ago(60))
    assert stage_of(page) == "Konsultimi"
    press(page, "Dërgoje për miratim", effective_on=days_ago(55))  # four working days: too short
    refusal = page.locator("#submit_for_approval-refusal")
    assert refusal.is_visible()
    assert re.search(r"\b\d+\b.*\b20\b", refusal.inner_text()), refusal.inner_text()
    assert stage_of(page) == "Konsultimi"
    assert check_accessibility(page) == []
    shot(page, "strategy-refused-guard")

    press(page, "Dërgoje për miratim", effective_on=days_ago(10))
    assert stage_of(page) == "Miratimi"
    press(page, "Miratoje", approval_reference="VKM nr. 123", approved_on=today)
    assert stage_of(page) == "Zbatimi"
    shot(page, "strategy-walk-sq")
    press(page, "Nis monitorimin")
    assert stage_of(page) == "Monitorimi"
    form = page.locator("#action-expire")
    form.locator("[name=reason]").select_option("terminated")
    form.get_by_role("button", name="Mbyll vlefshmërinë").click()
    page.wait_for_load_state()
    assert stage_of(page) == "Skaduar"
    assert stored(demo, strategy_id).stage == "expiry"
    assert page.locator("#history").get_by_text("Arta Hoxha").count() >= 5
    assert console.foreign_requests() == []


def test_another_institutions_coordinator_sees_no_buttons_and_is_refused(page, console, demo, settings):
    strategy_id, _ = registered_weeks_ago(demo, settings, 1)
    sign_in(page, console, KLODIANA)
    page.goto(f"{console.url}/console/strategies/{strategy_id}")
    assert page.locator("form.action").count() == 0
    csrf = page.locator("input[name=csrf]").first.get_attribute("value")
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    answer = httpx.post(f"{console.url}/console/strategies/{strategy_id}/transitions", cookies=cookies,
                        data={"csrf": csrf, "event": "submit_for_consultation", "version": "1"},
                        headers={"Origin": console.url})  # the form the page would have had, sent anyway
    assert answer.status_code == 403
    assert stored(demo, strategy_id).stage == "drafting"
