"""My calendar, on "What needs me": a person gets a link to their own calendar feed, a new one that
ends the old, and stops it, with the console's forms; nobody reaches another person's feed."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import Engine, select
from sqlmodel import col

from tests.web.conftest import ARTA, DANIEL, PersonFactory
from tests.web.console import csrf_of, post_form
from workflow.access import principal_of_contact
from workflow.core import Settings, clock, unit_of_work
from workflow.directory import Contact
from workflow.feeds import FEED_TOKEN_PREFIX, CalendarFeed, contact_feed_owner, feed_url, issue_feed

URL_FIELD = re.compile(r'<input id="calendar-url"[^>]* value="([^"]+)"')


def shown_url(html: str) -> str:
    found = URL_FIELD.search(html)
    assert found, "the answer shows no calendar link"
    return unescape(found.group(1))


def feed_path(url: str) -> str:
    return urlsplit(url).path


def get_link(client: TestClient) -> str:
    """Press "Get a (new) calendar link" on What needs me; the URL the answer shows."""
    page = client.get("/console/me")
    answer = post_form(client, "/console/me/calendar", page.text, {})
    assert answer.status_code == 201, answer.text
    return shown_url(answer.text)


def live_feeds(engine: Engine, email: str) -> list[CalendarFeed]:
    with unit_of_work(engine) as session:
        contact = session.scalars(select(Contact).where(col(Contact.email_key) == email)).one()
        return list(session.scalars(select(CalendarFeed).where(col(CalendarFeed.contact_id) == contact.id,
                                                                 col(CalendarFeed.revoked_at).is_(None))))


def test_a_person_without_a_link_is_offered_one(person: PersonFactory) -> None:
    page = person(DANIEL).get("/console/me")
    assert page.status_code == 200
    section = page.text[page.text.index('id="my-calendar"'):]
    assert "You have no calendar link." in section
    assert "Outlook, Google Calendar or Thunderbird" in section
    assert ">Get a calendar link<" in section
    assert "Stop my calendar link" not in section


def test_the_link_shown_opens_the_persons_calendar_without_signing_in(
    person: PersonFactory, visitor: TestClient, demo: Engine
) -> None:
    arta = person(ARTA)
    url = get_link(arta)
    assert feed_path(url).startswith(f"/calendars/{FEED_TOKEN_PREFIX}") and url.endswith(".ics")
    feed = visitor.get(feed_path(url))
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    assert Calendar.from_ical(feed.content).walk("VEVENT"), "a coordinator's calendar holds their deadlines"
    page = arta.get("/console/me").text
    assert "Keni një lidhje kalendari" in page  # Arta reads Albanian: her link works, its URL is not shown again
    assert url not in page and feed_path(url) not in page
    assert "Merr një lidhje të re kalendari" in page and "Ndalo lidhjen e kalendarit tim" in page


def test_a_new_link_ends_the_old_one(person: PersonFactory, visitor: TestClient, demo: Engine) -> None:
    daniel = person(DANIEL)
    old = get_link(daniel)
    new = get_link(daniel)
    assert new != old
    assert visitor.get(feed_path(old)).status_code == 404
    assert visitor.get(feed_path(new)).status_code == 200
    assert len(live_feeds(demo, DANIEL)) == 1


def test_stopping_the_link_makes_it_answer_404(person: PersonFactory, visitor: TestClient, demo: Engine) -> None:
    daniel = person(DANIEL)
    url = get_link(daniel)
    page = daniel.get("/console/me")
    stopped = post_form(daniel, "/console/me/calendar/stop", page.text, {})
    assert stopped.status_code == 200 and stopped.url.path == "/console/me"  # the redirect, followed
    assert "Your calendar link is stopped" in stopped.text
    assert "You have no calendar link." in stopped.text
    assert visitor.get(feed_path(url)).status_code == 404
    assert live_feeds(demo, DANIEL) == []


def test_a_form_without_the_right_csrf_token_changes_nothing(
    person: PersonFactory, visitor: TestClient, demo: Engine
) -> None:
    daniel = person(DANIEL)
    url = get_link(daniel)
    for data in ({}, {"csrf": "not-the-token-of-this-session-at-all"}):
        for path in ("/console/me/calendar", "/console/me/calendar/stop"):
            refused = daniel.post(path, data=data)
            assert refused.status_code == 403, (path, data)
            assert "calendar-url" not in refused.text
    page = daniel.get("/console/me")
    elsewhere = daniel.post("/console/me/calendar/stop", data={"csrf": csrf_of(page.text)},
                            headers={"Origin": "https://attacker.example"})
    assert elsewhere.status_code == 403
    assert visitor.get(feed_path(url)).status_code == 200
    assert len(live_feeds(demo, DANIEL)) == 1


def test_nobody_manages_another_persons_link(
    person: PersonFactory, visitor: TestClient, demo: Engine, settings: Settings
) -> None:
    with unit_of_work(demo) as session:
        arta = session.scalars(select(Contact).where(col(Contact.email_key) == ARTA)).one()
        assert arta.id is not None
        owner = contact_feed_owner(session, arta.id, principal_of_contact(arta))
        artas = feed_url(settings, issue_feed(session, owner, now=clock.now()).plain)
        arta_id = arta.id
    daniel = person(DANIEL)
    assert "You have no calendar link." in daniel.get("/console/me").text  # Arta's is not his
    page = daniel.get("/console/me")
    # The forms name no contact; one slipped in is ignored, and only Daniel's own feed moves.
    post_form(daniel, "/console/me/calendar/stop", page.text, {"contact_id": str(arta_id)})
    url = shown_url(post_form(daniel, "/console/me/calendar", page.text, {"contact_id": str(arta_id)}).text)
    assert visitor.get(feed_path(artas)).status_code == 200
    assert len(live_feeds(demo, ARTA)) == 1
    assert visitor.get(feed_path(url)).status_code == 200
    assert daniel.post("/console/contacts/1/calendar", data={"csrf": csrf_of(page.text)}).status_code == 404


def test_signing_in_is_needed_to_get_a_link(visitor: TestClient, demo: Engine) -> None:
    page = visitor.get("/console/sign-in")
    answer = post_form(visitor, "/console/me/calendar", page.text, {}, follow_redirects=False)
    assert answer.status_code == 303 and "/console/sign-in" in answer.headers["location"]
    with unit_of_work(demo) as session:
        assert session.scalars(select(CalendarFeed)).first() is None
