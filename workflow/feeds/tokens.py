"""Issuing, revoking and opening feed tokens, and who may do the first two.

A feed URL carries its token because calendar clients cannot send headers. A token is ``ccf_``
and 256 random bits; only its SHA-256 is stored (``workflow.access`` hashes API tokens the same
way), so opening a feed is one indexed lookup, and a presented value that cannot be a feed token
is refused without any. Issuing a feed revokes the owner's previous one: each owner has at most
one working URL, and handing out a new one is how a leaked URL is replaced.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlmodel import Session, col

from workflow.access import Principal
from workflow.core import Conflict, Forbidden, NotFound, Settings, conflict_on_duplicate
from workflow.directory import Contact, Institution, get_contact, get_institution
from workflow.feeds.models import CalendarFeed

log = logging.getLogger("continuum.feeds")

FEED_TOKEN_PREFIX = "ccf_"
_TOKEN_LENGTH = len(FEED_TOKEN_PREFIX) + 43  # token_urlsafe(32)
_URLSAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@dataclass(frozen=True)
class FeedOwner:
    """Whose feed: a contact or an institution (exactly one), with what its calendar is named."""

    contact: Contact | None = None
    institution: Institution | None = None

    @property
    def column_and_id(self) -> tuple[str, int]:
        if self.contact is not None:
            assert self.contact.id is not None
            return "contact_id", self.contact.id
        assert self.institution is not None and self.institution.id is not None
        return "institution_id", self.institution.id

    @property
    def institution_id(self) -> int:
        """The institution whose deadlines the feed is read from: the contact's, or the institution."""
        if self.contact is not None:
            return self.contact.institution_id
        assert self.institution is not None and self.institution.id is not None
        return self.institution.id

    @property
    def name(self) -> str:
        return self.contact.name if self.contact is not None else self.institution.name if self.institution else ""


@dataclass(frozen=True)
class IssuedFeed:
    row: CalendarFeed
    plain: str = field(repr=False)


def hash_feed_token(plain: str) -> str:
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


def looks_like_feed_token(presented: str) -> bool:
    """Whether ``presented`` could be a feed token at all (so is worth a lookup)."""
    return (len(presented) == _TOKEN_LENGTH and presented.startswith(FEED_TOKEN_PREFIX)
            and _URLSAFE.issuperset(presented[len(FEED_TOKEN_PREFIX):]))


def feed_url(settings: Settings, plain: str) -> str:
    """The absolute URL of a feed: ``settings.link_base``, never a request's Host header."""
    return f"{settings.link_base.rstrip('/')}/calendars/{plain}.ics"


def contact_feed_owner(session: Session, contact_id: int, principal: Principal) -> FeedOwner:
    """A contact's feed, for an admin or the person themselves; a deactivated contact has none."""
    contact = get_contact(session, contact_id)
    if principal.role != "admin" and principal.contact_id != contact.id:
        raise Forbidden(f"only an admin or {contact.name!r} themselves may manage their calendar feed")
    if contact.deactivated_at is not None:
        raise Conflict(f"contact {contact_id} is deactivated: it has no calendar feed")
    return FeedOwner(contact=contact)


def institution_feed_owner(session: Session, institution_id: int, principal: Principal) -> FeedOwner:
    """An institution's feed, for an admin or the institution's coordinators."""
    institution = get_institution(session, institution_id)
    principal.require_role("coordinator")
    principal.require_institution(institution_id, f"institution {institution_id}'s calendar feed")
    return FeedOwner(institution=institution)


def _revoke_live(session: Session, owner: FeedOwner, now: datetime) -> int:
    column, owner_id = owner.column_and_id
    result = session.execute(
        update(CalendarFeed)
        .where(getattr(CalendarFeed, column) == owner_id, col(CalendarFeed.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def issue_feed(session: Session, owner: FeedOwner, *, now: datetime) -> IssuedFeed:
    """A new feed for ``owner``; its previous one (if any) stops working in the same transaction."""
    _revoke_live(session, owner, now)
    plain = FEED_TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = CalendarFeed(token_hash=hash_feed_token(plain), created_at=now,
                       contact_id=owner.contact.id if owner.contact is not None else None,
                       institution_id=owner.institution.id if owner.institution is not None else None)
    column, owner_id = owner.column_and_id
    with conflict_on_duplicate(session, lambda: Conflict("another request created this calendar feed at the "
                                                         "same moment: ask again for a fresh URL")):
        session.add(row)
    log.info("issued calendar feed %s for %s %s", row.id, column.removesuffix("_id"), owner_id)
    return IssuedFeed(row=row, plain=plain)


def live_feed(session: Session, owner: FeedOwner) -> CalendarFeed | None:
    """``owner``'s working feed, if any: when it was issued, never its URL (only the hash is kept)."""
    column, owner_id = owner.column_and_id
    return session.scalars(
        select(CalendarFeed).where(getattr(CalendarFeed, column) == owner_id, col(CalendarFeed.revoked_at).is_(None))
    ).first()


def revoke_feed(session: Session, owner: FeedOwner, *, now: datetime) -> bool:
    """Revoke ``owner``'s feed; whether there was one (revoking none is no error)."""
    revoked = _revoke_live(session, owner, now) > 0
    session.flush()
    if revoked:
        column, owner_id = owner.column_and_id
        log.info("revoked the calendar feed of %s %s", column.removesuffix("_id"), owner_id)
    return revoked


_LIVE_BY_HASH = (
    select(CalendarFeed, Contact, Institution)
    .outerjoin(Contact, col(Contact.id) == col(CalendarFeed.contact_id))
    .outerjoin(Institution, col(Institution.id) == col(CalendarFeed.institution_id))
    .where(col(CalendarFeed.token_hash) == bindparam("token_hash"), col(CalendarFeed.revoked_at).is_(None))
)


def open_feed(session: Session, presented: str) -> FeedOwner:
    """Whose live feed ``presented`` is, or ``NotFound``: the same answer for a value that is not a
    token, an unknown token, a revoked one and a deactivated contact's, so none tells anything."""
    gone = NotFound("no such calendar feed")
    if not looks_like_feed_token(presented):
        raise gone
    found = session.execute(_LIVE_BY_HASH, {"token_hash": hash_feed_token(presented)}).one_or_none()
    if found is None:
        raise gone
    _, contact, institution = found
    if contact is not None:
        if contact.deactivated_at is not None:
            raise gone
        return FeedOwner(contact=contact)
    return FeedOwner(institution=institution)
