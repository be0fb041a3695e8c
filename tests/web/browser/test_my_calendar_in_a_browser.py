"""A person gets their own calendar link on "What needs me" in a real browser, reads it off the
page, and a calendar client (any HTTP client, without the session) opens it; then stops it."""

from __future__ import annotations

from icalendar import Calendar
from playwright.sync_api import expect

from tests.web.browser.harness import check_accessibility, shot, sign_in
from tests.web.conftest import DANIEL
from workflow.feeds import FEED_TOKEN_PREFIX


def test_daniel_gets_his_calendar_link_and_stops_it(page, console, browser):
    sign_in(page, console, DANIEL)
    page.goto(f"{console.url}/console/me")
    section = page.locator("#my-calendar")
    expect(section.get_by_role("heading", name="My calendar")).to_be_visible()
    assert check_accessibility(page) == []
    section.get_by_role("button", name="Get a calendar link").click()
    expect(page.get_by_role("heading", level=1, name="Your calendar link")).to_be_visible()
    link = page.get_by_label("Calendar link")
    url = link.input_value()
    assert url.startswith(f"{console.url}/calendars/{FEED_TOKEN_PREFIX}") and url.endswith(".ics")
    assert link.get_attribute("readonly") is not None
    assert check_accessibility(page) == []
    shot(page, "my-calendar-link")

    client = browser.new_context()  # a calendar client: no cookies, no session
    try:
        feed = client.request.get(url)
        assert feed.status == 200 and feed.headers["content-type"].startswith("text/calendar")
        Calendar.from_ical(feed.body())

        page.get_by_role("link", name="Back to What needs me").click()
        expect(section.locator("#calendar-status")).to_contain_text("You have a calendar link")
        assert url not in page.content()
        section.get_by_role("button", name="Stop my calendar link").click()
        expect(page.get_by_role("status")).to_contain_text("Your calendar link is stopped")
        expect(page.locator("#calendar-status")).to_have_text("You have no calendar link.")
        assert check_accessibility(page) == []
        assert client.request.get(url).status == 404
    finally:
        client.close()
    assert console.foreign_requests() == []
