"""A feed as an RFC 5545 calendar: one all-day event per deadline, in the owner's language.

Pure. The summaries reuse the reminder emails' vocabulary (``workflow.mail.Phrases``), so a
deadline is called the same in the inbox and the calendar. Each event's ``UID`` comes from its
deadline key: a deadline moved to another day keeps its UID, and clients move the event instead
of adding a second one. Events are transparent (they do not make anyone busy) and carry a display
alarm ``ALARM_BEFORE`` ahead. ``entity_tag`` names the content without ``DTSTAMP`` (the time it
was generated), so a client asking again gets 304 while nothing changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta

from icalendar import Alarm, Calendar, Event

from workflow.feeds.content import FeedEntry
from workflow.mail import Phrases
from workflow.reminders import LAPSE

PRODID = "-//Continuum//Calendar feeds//EN"
UID_DOMAIN = "continuum"
ALARM_BEFORE = timedelta(days=3)
REFRESH_INTERVAL = timedelta(hours=1)  # also written as X-PUBLISHED-TTL below
CALENDAR_NAMES = {"en": "Continuum deadlines: {owner}", "sq": "Afatet në Continuum: {owner}"}


def event_uid(deadline_key: str) -> str:
    return f"{deadline_key}@{UID_DOMAIN}"


def summary(entry: FeedEntry, phrases: Phrases) -> str:
    """``Title lapses`` / ``Title: consultation due``; ``Title skadon`` / ``Title: afati i konsultimit``.
    A report adds its period, and the reporting institution when the feed is not that institution's."""
    albanian = phrases.language == "sq"
    if entry.kind == LAPSE:
        return f"{entry.title} skadon" if albanian else f"{entry.title} lapses"
    deadline = phrases.deadline_name(entry.kind)
    if entry.period_label:
        deadline = f"{deadline} {entry.period_label}"
    if entry.reporting_institution:
        deadline = f"{deadline} ({entry.reporting_institution})"
    return f"{entry.title}: afati i {deadline}" if albanian else f"{entry.title}: {deadline} due"


def _event(entry: FeedEntry, phrases: Phrases, stamp: datetime) -> Event:
    text = summary(entry, phrases)
    event = Event()
    event.add("uid", event_uid(entry.deadline_key))
    event.add("dtstamp", stamp)
    event.add("dtstart", entry.due_on)
    event.add("dtend", entry.due_on + timedelta(days=1))
    event.add("summary", text)
    event.add("transp", "TRANSPARENT")
    if entry.link:
        event.add("url", entry.link)
        event.add("description", entry.link)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", text)
    alarm.add("trigger", -ALARM_BEFORE)
    event.add_component(alarm)
    return event


def render_calendar(entries: Iterable[FeedEntry], *, owner_name: str, language: str, now: datetime) -> bytes:
    """The calendar, as the bytes to serve (UTF-8, CRLF line ends, lines folded at 75 octets)."""
    phrases = Phrases(language)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    name = CALENDAR_NAMES[language].format(owner=owner_name)
    calendar.add("x-wr-calname", name)
    calendar.add("name", name)
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")  # Outlook's name for it (an x-property: its value is text)
    for entry in entries:
        calendar.add_component(_event(entry, phrases, now))
    return bytes(calendar.to_ical())


def entity_tag(entries: Iterable[FeedEntry], *, owner_name: str, language: str) -> str:
    """A strong ETag for the calendar's content, whatever the time it is generated at."""
    digest = hashlib.sha256(f"{owner_name}\x00{language}".encode())
    for entry in entries:
        digest.update(repr(entry).encode())
    return f'"{digest.hexdigest()[:32]}"'
