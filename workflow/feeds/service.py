"""A feed as served: its owner's entries rendered, with the tag a client revalidates with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from workflow.core import Settings
from workflow.feeds.content import feed_entries
from workflow.feeds.rendering import entity_tag, render_calendar
from workflow.feeds.tokens import FeedOwner


@dataclass(frozen=True)
class FeedDocument:
    body: bytes
    etag: str


def feed_language(owner: FeedOwner, settings: Settings) -> str:
    """The contact's own language; an institution's feed speaks the deployment's."""
    return owner.contact.language if owner.contact is not None else settings.language


def feed_document(session: Session, owner: FeedOwner, settings: Settings, *, now: datetime) -> FeedDocument:
    entries = feed_entries(session, owner, settings)
    language = feed_language(owner, settings)
    return FeedDocument(
        body=render_calendar(entries, owner_name=owner.name, language=language, now=now),
        etag=entity_tag(entries, owner_name=owner.name, language=language),
    )
