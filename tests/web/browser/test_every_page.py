"""Every page of the console, in a real browser, in both languages: axe-core finds no serious or
critical violation, the keyboard reaches the main content, nothing is fetched from another host, and
each page's screenshot is written (the README shows two of them)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Engine

from tests.web.browser.harness import check_accessibility, shot, sign_in
from tests.web.test_report_flow import target_of
from tests.web.test_strategy_page import MIGRATION, by_title
from workflow.consultation import list_rounds
from workflow.core import clock, new_session, unit_of_work
from workflow.directory import ContactCreate, create_contact, find_institution

ADMIN = "ana.admin@example.org"


def make_admin(engine: Engine, language: str) -> None:
    with unit_of_work(engine) as session:
        institution = find_institution(session, "Ministry of Interior")
        assert institution is not None and institution.id is not None
        create_contact(session, ContactCreate(name="Ana Admin", email=ADMIN, institution_id=institution.id,
                                              roles=["coordinator"], access_role="admin", language=language),
                       now=clock.now())


def demo_round(engine: Engine) -> int:
    strategy = by_title(engine, MIGRATION)  # the demo records its consultation
    with new_session(engine) as session:
        (round_,) = list_rounds(session, strategy.id)
        assert round_.id is not None
        return round_.id


def pages(engine: Engine) -> dict[str, str]:
    strategy = by_title(engine, MIGRATION)
    target = target_of(engine)
    round_id = demo_round(engine)
    return {
        "portfolio": "/console/portfolio?as_of=2023-06-30",
        "portfolio-today": "/console/portfolio",
        "needs": "/console/me",
        "strategy-page": f"/console/strategies/{strategy.id}",
        "monitoring-page": f"/console/strategies/{target.strategy_id}/monitoring",
        "printable-report": f"/console/strategies/{target.strategy_id}/monitoring/report",
        "admin-institutions": "/console/admin/institutions",
        "admin-people": "/console/admin/people",
        "admin-tokens": "/console/admin/tokens",
        "admin-calendar": "/console/admin/calendar?year=2026",
        "consultation-round": f"/console/consultations/{round_id}",
        "consultation-report": f"/console/consultations/{round_id}/report",
        "not-found": "/console/strategies/999999",
    }


@pytest.mark.parametrize("language", ["en", "sq"])
def test_every_page_is_accessible_and_self_contained(page, console, demo, language):
    make_admin(demo, language)
    sign_in(page, console, ADMIN)
    problems = {}
    for name, path in pages(demo).items():
        page.goto(f"{console.url}{path}")
        assert page.locator("html").get_attribute("lang") == language, name
        found = check_accessibility(page)
        if found:
            problems[name] = found
        shot(page, f"{name}-{language}")
    assert problems == {}
    assert console.foreign_requests() == []


def test_the_keyboard_reaches_the_content_first(page, console, demo):
    sign_in(page, console, "arta.hoxha@example.org")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.get_attribute("href") == "#main" and skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_the_portfolio_as_of_mid_2023_shows_the_migration_gap(page, console, demo):
    sign_in(page, console, "daniel.price@example.org")
    page.get_by_label("As of").fill("2023-06-30")
    page.get_by_role("button", name=re.compile("Show|Apply|Redraw", re.IGNORECASE)).first.click()
    page.wait_for_url(re.compile(r"as_of=2023-06-30"))
    assert page.locator("svg .gap").count() >= 1
    assert page.get_by_text(re.compile(r"1 Jan 2023")).count() >= 1
    page.goto(f"{console.url}/console/portfolio?as_of=2023-06-30&policy_area=migration")
    assert page.locator("svg .gap").count() >= 1
    shot(page, "portfolio")  # the README's
