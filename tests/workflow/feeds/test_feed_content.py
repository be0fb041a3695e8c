"""What a feed shows and how it is written: the deadlines whose reminders go to its owner, as an
RFC 5545 calendar that ``icalendar`` reads back with every property calendar clients need."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar

from tests import factories as f
from tests.workflow.consultation.builders import a_round, in_consultation
from tests.workflow.monitoring.builders import monitored_plan
from workflow.access import Principal
from workflow.core.db import unit_of_work
from workflow.directory import Contact, Institution
from workflow.feeds import FeedOwner, feed_document, feed_entries, render_calendar

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(engine, settings):
    """The monitored plan (lead ministry, partner police), plus a strategy in drafting and one in
    consultation with an open round, both led by the ministry."""
    world = monitored_plan(engine)
    with unit_of_work(engine) as s:
        drafting = f.strategy(s, world.lead, title="Strategy on Youth 2027-2030", period_start=date(2027, 1, 1),
                              period_end=date(2030, 12, 31), drafting_due=date(2026, 3, 31))
        consulted = in_consultation(s, world.lead, title="Strategy on Water 2026-2030")
        admin = Principal(name="root", role="admin", institution_id=None)
        round_ = a_round(s, admin, consulted.id, settings, today=date(2025, 11, 10), opened_on=date(2025, 11, 10),
                         closes_on=date(2025, 12, 22))
        return world, drafting.id, consulted.id, round_.id


def owner_of(engine, *, contact_id: int | None = None, institution_id: int | None = None) -> FeedOwner:
    with unit_of_work(engine) as s:
        if contact_id is not None:
            contact = s.get(Contact, contact_id)
            s.expunge(contact)
            return FeedOwner(contact=contact)
        institution = s.get(Institution, institution_id)
        s.expunge(institution)
        return FeedOwner(institution=institution)


def entries(engine, settings, owner):
    with unit_of_work(engine) as s:
        return feed_entries(s, owner, settings)


def test_a_coordinators_feed_holds_the_stage_lapse_and_round_deadlines_of_the_strategies_their_institution_leads(
    engine, settings, world
):
    world, drafting, consulted, round_id = world
    found = entries(engine, settings, owner_of(engine, contact_id=world.coordinator))
    assert [(e.deadline_key, e.due_on) for e in found] == [
        (f"strategy:{world.plan_id}:period_end", date(2022, 12, 31)),
        (f"consultation:{round_id}:closes", date(2025, 12, 22)),
        (f"strategy:{drafting}:drafting_due", date(2026, 3, 31)),
    ]
    assert found[1].link == f"{settings.link_base}/console/consultations/{round_id}"
    assert found[2].link == f"{settings.link_base}/console/strategies/{drafting}"


def test_a_contact_points_feed_holds_the_reports_their_institution_owes_and_nothing_of_the_lead(
    engine, settings, world
):
    world, *_ = world
    found = entries(engine, settings, owner_of(engine, contact_id=world.partner_contact_point))
    assert found and {e.kind for e in found} == {"report_due"}
    assert all(e.deadline_key.endswith(f":{world.partner}") for e in found)
    assert found[0].period_label == "2020-Q1" and found[0].due_on == date(2020, 4, 30)
    assert found[0].reporting_institution is None  # their own institution: not named


def test_escalation_contacts_hear_of_a_deadline_only_when_late_so_their_calendar_is_empty(engine, settings, world):
    world, *_ = world
    assert entries(engine, settings, owner_of(engine, contact_id=world.lead_escalation)) == []
    assert entries(engine, settings, owner_of(engine, contact_id=world.partner_escalation)) == []


def test_an_institutions_feed_also_holds_the_reports_it_chases_as_the_plans_lead_naming_who_owes_them(
    engine, settings, world
):
    world, *_ = world
    found = entries(engine, settings, owner_of(engine, institution_id=world.lead))
    reports = [e for e in found if e.kind == "report_due"]
    assert reports and all(e.reporting_institution == "State Police" for e in reports)
    assert {e.kind for e in found} == {"period_end", "round_closes", "drafting_due", "report_due"}
    partner = entries(engine, settings, owner_of(engine, institution_id=world.partner))
    assert {e.kind for e in partner} == {"report_due"}


def test_another_institutions_feed_shows_none_of_it(engine, settings, world):
    with unit_of_work(engine) as s:
        outsider = f.institution(s, "Ministry of Finance")
        f.contact(s, outsider, ["coordinator"], "fin@example.org")
    assert entries(engine, settings, owner_of(engine, institution_id=outsider)) == []


def parsed(body: bytes) -> Calendar:
    return Calendar.from_ical(body)


def test_the_calendar_has_every_property_clients_need_on_itself_and_each_event(engine, settings, world):
    world, *_ = world
    owner = owner_of(engine, contact_id=world.coordinator)
    calendar = parsed(render_calendar(entries(engine, settings, owner), owner_name="Arta Hoxha", language="en",
                                      now=NOW))
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]).startswith("-//Continuum//")
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["X-WR-CALNAME"]) == "Continuum deadlines: Arta Hoxha"
    assert str(calendar["REFRESH-INTERVAL"].to_ical().decode()) == "PT1H" and str(calendar["X-PUBLISHED-TTL"]) == "PT1H"
    events = calendar.walk("VEVENT")
    assert len(events) == 3
    for event in events:
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert type(start) is date and end == start + timedelta(days=1)  # all day: VALUE=DATE
        assert event["DTSTART"].params.get("VALUE") == "DATE" or "VALUE=DATE" in event.to_ical().decode()
        assert str(event["UID"]).endswith("@continuum")
        assert event.decoded("DTSTAMP") == NOW
        assert str(event["SUMMARY"])
        (alarm,) = event.walk("VALARM")
        assert str(alarm["ACTION"]) == "DISPLAY" and str(alarm["DESCRIPTION"]) == str(event["SUMMARY"])
        assert alarm.decoded("TRIGGER") == timedelta(days=-3)
    summaries = [str(e["SUMMARY"]) for e in events]
    assert summaries[0] == "National Strategy on Migration 2019-2022 lapses"
    assert summaries[2] == "Strategy on Youth 2027-2030: drafting due"
    assert b"\r\n" in render_calendar([], owner_name="x", language="en", now=NOW)


def test_summaries_speak_the_owners_language_with_the_reminder_emails_words(engine, settings, world):
    world, *_ = world
    with unit_of_work(engine) as s:
        s.get(Contact, world.coordinator).language = "sq"
    owner = owner_of(engine, contact_id=world.coordinator)
    with unit_of_work(engine) as s:
        document = feed_document(s, owner, settings, now=NOW)
    calendar = parsed(document.body)
    assert str(calendar["X-WR-CALNAME"]).startswith("Afatet në Continuum")
    summaries = [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]
    assert summaries[0] == "National Strategy on Migration 2019-2022 skadon"
    assert summaries[2] == "Strategy on Youth 2027-2030: afati i hartimit"


def test_uids_and_the_etag_stay_the_same_across_fetches_while_dtstamp_follows_the_clock(engine, settings, world):
    world, *_ = world
    owner = owner_of(engine, institution_id=world.lead)
    with unit_of_work(engine) as s:
        first = feed_document(s, owner, settings, now=NOW)
        second = feed_document(s, owner, settings, now=NOW + timedelta(hours=2))
    uids = [[str(e["UID"]) for e in parsed(d.body).walk("VEVENT")] for d in (first, second)]
    assert uids[0] == uids[1] and len(set(uids[0])) == len(uids[0])
    assert first.etag == second.etag and first.body != second.body
    with unit_of_work(engine) as s:
        f.strategy(s, world.lead, title="Strategy on Roads", drafting_due=date(2026, 5, 5))
        third = feed_document(s, owner, settings, now=NOW)
    assert third.etag != first.etag


@pytest.mark.postgres
def test_the_feed_reads_the_same_on_postgresql(pg_engine, settings):
    world = monitored_plan(pg_engine)
    coordinator = entries(pg_engine, settings, owner_of(pg_engine, contact_id=world.coordinator))
    assert [e.kind for e in coordinator] == ["period_end"]
    lead = entries(pg_engine, settings, owner_of(pg_engine, institution_id=world.lead))
    assert {e.kind for e in lead} == {"period_end", "report_due"}
