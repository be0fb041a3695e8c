"""Calendar feeds over HTTP: create a URL, subscribe without a bearer token, revoke it; who may."""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar

from tests import factories as f
from tests.api.helpers import assert_problem
from workflow.core.db import unit_of_work
from workflow.directory import Contact


@pytest.fixture
def people(engine):
    with unit_of_work(engine) as s:
        moi = f.institution(s)
        mof = f.institution(s, "Ministry of Finance")
        arta = f.contact(s, moi, ["coordinator"], "arta@example.org", language="sq")
        f.strategy(s, moi, title="Strategy on Youth 2027-2030", period_start=date(2027, 1, 1),
                   period_end=date(2030, 12, 31), drafting_due=date(2026, 3, 31))
        f.strategy_in_stage(s, moi, "implementation", today=date(2020, 1, 1))
        return moi, mof, arta


def feed_path(response) -> str:
    assert response.status_code == 201, response.text
    url = response.json()["url"]
    assert set(response.json()) == {"url"}
    return urlsplit(url).path


def test_a_contacts_feed_url_serves_their_calendar_without_a_bearer_token(client, anonymous, settings, people):
    _, _, arta = people
    created = client.post(f"/contacts/{arta}/calendar")
    url = created.json()["url"]
    assert url.startswith(settings.link_base + "/calendars/ccf_") and url.endswith(".ics")
    response = anonymous.get(feed_path(created))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "max-age" in response.headers["cache-control"] and "private" in response.headers["cache-control"]
    calendar = Calendar.from_ical(response.content)
    for name in ("VERSION", "PRODID", "CALSCALE", "X-WR-CALNAME"):
        assert calendar.get(name), name
    events = calendar.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == [
        "National Strategy on Migration 2019-2022 skadon",  # in Albanian: the contact's language
        "Strategy on Youth 2027-2030: afati i hartimit",
    ]
    for event in events:
        for name in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"):
            assert event.get(name) is not None, name
        assert event.walk("VALARM")
    again = anonymous.get(feed_path(created))
    assert [str(e["UID"]) for e in Calendar.from_ical(again.content).walk("VEVENT")] == [
        str(e["UID"]) for e in events
    ]
    unchanged = anonymous.get(feed_path(created), headers={"If-None-Match": response.headers["etag"]})
    assert unchanged.status_code == 304 and unchanged.content == b""


def test_an_institutions_feed_speaks_the_deployments_language(client, anonymous, people):
    moi, _, _ = people
    response = anonymous.get(feed_path(client.post(f"/institutions/{moi}/calendar")))
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "Continuum deadlines: Ministry of Interior"
    assert "Strategy on Youth 2027-2030: drafting due" in [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]


def test_revoking_or_replacing_a_feed_makes_the_old_url_404(client, anonymous, people):
    moi, _, arta = people
    first = feed_path(client.post(f"/contacts/{arta}/calendar"))
    second = feed_path(client.post(f"/contacts/{arta}/calendar"))
    assert_problem(anonymous.get(first), 404)
    assert anonymous.get(second).status_code == 200
    assert client.delete(f"/contacts/{arta}/calendar").status_code == 204
    assert_problem(anonymous.get(second), 404)
    assert client.delete(f"/contacts/{arta}/calendar").status_code == 204  # nothing left: still done
    office = feed_path(client.post(f"/institutions/{moi}/calendar"))
    assert client.delete(f"/institutions/{moi}/calendar").status_code == 204
    assert_problem(anonymous.get(office), 404)


def test_a_deactivated_persons_feed_answers_404_and_no_new_one_is_made(client, anonymous, engine, people):
    _, _, arta = people
    path = feed_path(client.post(f"/contacts/{arta}/calendar"))
    with unit_of_work(engine) as s:
        s.get(Contact, arta).deactivated_at = datetime(2026, 1, 5, tzinfo=UTC)
    assert_problem(anonymous.get(path), 404)
    assert_problem(client.post(f"/contacts/{arta}/calendar"), 409)


@pytest.mark.parametrize("path", ["/calendars/nothing.ics", "/calendars/ccf_" + "A" * 43 + ".ics",
                                  "/calendars/ctm_" + "A" * 43 + ".ics", "/calendars/" + "x" * 300 + ".ics"])
def test_unknown_feed_urls_are_404_or_refused_input_never_401(anonymous, path):
    response = anonymous.get(path)
    assert response.status_code in (404, 422)
    assert_problem(response, response.status_code)


def test_guessing_feed_tokens_runs_out_of_the_clients_allowance(anonymous, settings):
    statuses = [anonymous.get(f"/calendars/ccf_{i:043d}.ics").status_code
                for i in range(settings.auth_failures_per_minute + 1)]
    assert set(statuses[:-1]) == {404}
    assert statuses[-1] == 429


def test_coordinators_manage_their_own_institutions_feed_only(client_as, people):
    moi, mof, arta = people
    own = client_as("coordinator", moi)
    assert own.post(f"/institutions/{moi}/calendar").status_code == 201
    assert own.delete(f"/institutions/{moi}/calendar").status_code == 204
    other = client_as("coordinator", mof)
    assert_problem(other.post(f"/institutions/{moi}/calendar"), 403)
    assert_problem(other.delete(f"/institutions/{moi}/calendar"), 403)
    assert_problem(client_as("viewer", moi).post(f"/institutions/{moi}/calendar"), 403)
    assert_problem(own.post(f"/contacts/{arta}/calendar"), 403)  # only an admin or the person themselves
    assert_problem(client_as(None).post(f"/contacts/{arta}/calendar"), 401)


def test_bad_ids_are_404_and_out_of_range_ones_422(client, people):
    assert_problem(client.post("/contacts/999/calendar"), 404)
    assert_problem(client.post("/institutions/999/calendar"), 404)
    assert_problem(client.delete("/contacts/999/calendar"), 404)
    assert_problem(client.post("/contacts/0/calendar"), 422)

