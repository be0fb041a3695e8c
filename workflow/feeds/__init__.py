"""Calendar feeds (RFC 5545): per person and per institution, what concerns them as all-day
events, behind a revocable token in the URL.

It owns the feed tokens (``tokens``: issue, revoke, open, whether an owner has one, and who may
manage a feed), what a feed shows (``content``: the live deadlines of the scheduler's sources, for
whom their reminders are) and how it is written (``rendering``, with the ``icalendar`` package).
"""

from __future__ import annotations

from workflow.feeds.content import FeedEntry, feed_entries
from workflow.feeds.models import CalendarFeed
from workflow.feeds.rendering import event_uid, render_calendar, summary
from workflow.feeds.service import FeedDocument, feed_document, feed_language
from workflow.feeds.tokens import (
    FEED_TOKEN_PREFIX,
    FeedOwner,
    IssuedFeed,
    contact_feed_owner,
    feed_url,
    hash_feed_token,
    institution_feed_owner,
    issue_feed,
    live_feed,
    looks_like_feed_token,
    open_feed,
    revoke_feed,
)

TABLES: tuple[type, ...] = (CalendarFeed,)

__all__ = [
    "FEED_TOKEN_PREFIX",
    "TABLES",
    "CalendarFeed",
    "FeedDocument",
    "FeedEntry",
    "FeedOwner",
    "IssuedFeed",
    "contact_feed_owner",
    "event_uid",
    "feed_document",
    "feed_entries",
    "feed_language",
    "feed_url",
    "hash_feed_token",
    "institution_feed_owner",
    "issue_feed",
    "live_feed",
    "looks_like_feed_token",
    "open_feed",
    "render_calendar",
    "revoke_feed",
    "summary",
]
