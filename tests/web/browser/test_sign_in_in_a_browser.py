"""A person signs in in a real browser with the link a real SMTP server received."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.web.browser.harness import check_accessibility, shot, sign_in
from tests.web.conftest import ARTA, DANIEL


def test_a_person_signs_in_with_the_emailed_link(page, console):
    page.goto(f"{console.url}/console/")
    assert check_accessibility(page) == []
    shot(page, "sign-in")
    sign_in(page, console, DANIEL)
    assert page.get_by_text("Daniel Price").first.is_visible()
    assert console.foreign_requests() == []


def test_an_albanian_speaker_sees_the_console_in_albanian_and_can_switch(page, console):
    sign_in(page, console, ARTA)
    assert page.locator("html").get_attribute("lang") == "sq"
    assert page.get_by_role("navigation").get_by_role("link", name="Portofoli").is_visible()
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")  # waits for the page the click loads
    expect(page.get_by_role("navigation").get_by_role("link", name="Portfolio")).to_be_visible()
    page.get_by_role("button", name="Shqip").click()
    expect(page.locator("html")).to_have_attribute("lang", "sq")
    expect(page.get_by_role("navigation").get_by_role("link", name="Portofoli")).to_be_visible()


def test_signing_out_returns_to_the_sign_in_page(page, console):
    sign_in(page, console, DANIEL)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/console/sign-in"))
    page.goto(f"{console.url}/console/me")
    assert "/console/sign-in" in page.url
