"""Signing people in: one-time links emailed to a contact, and the browser sessions they open.

A link and a session are each 256 random bits; only their SHA-256 is stored (as for API tokens).
``request_links`` issues a link to every contact recorded with the address, unless that address
already had ``per_address`` links within the last hour: the caller answers the same either way, so
nobody learns which addresses are known. ``redeem_link`` claims a link with one conditional update
(unused, unexpired), so two clicks, or a mail scanner and a person, never open two sessions.
``session_principal`` reads the session and its contact on every request.

A deactivated contact (someone who left) is refused quietly everywhere: no link is issued for their
address (the answer is the one an unknown address gets), a link sent before does not open a
session, and their sessions end (``end_sessions_of``; ``session_principal`` refuses them anyway).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlmodel import Session, col

from workflow.access.models import SignInLink, WebSession
from workflow.access.people import principal_of_contact
from workflow.access.principal import Principal
from workflow.core import Unauthenticated
from workflow.directory import Contact, address_key, institution_names

LINK_PREFIX = "csl_"
SESSION_PREFIX = "css_"
MAX_PRESENTED_LENGTH = 200
THROTTLE_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class IssuedLink:
    """A link to email: the plain secret exists only here, in memory, until the email is built."""

    secret: str
    contact_id: int
    name: str
    email: str
    language: str
    institution_id: int
    institution: str | None
    expires_at: datetime


@dataclass(frozen=True)
class OpenedSession:
    secret: str
    csrf_token: str
    expires_at: datetime
    principal: Principal
    language: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _well_formed(presented: str, prefix: str) -> bool:
    return presented.startswith(prefix) and len(presented) <= MAX_PRESENTED_LENGTH and presented.isascii()


def request_links(
    session: Session, email: str, *, now: datetime, lifetime: timedelta, per_address: int
) -> list[IssuedLink]:
    """Links for every contact with ``email`` (case-insensitive); none if unknown or throttled."""
    key = address_key(email.strip())
    recent = session.scalar(
        select(func.count()).select_from(SignInLink)
        .where(col(SignInLink.email_key) == key, col(SignInLink.created_at) > now - THROTTLE_WINDOW)
    ) or 0
    if recent >= per_address:
        return []
    return _issue(session, contacts_with_address(session, email), now=now, lifetime=lifetime)


def issue_link_for(session: Session, contact: Contact, *, now: datetime, lifetime: timedelta) -> IssuedLink:
    """A link for one contact, not throttled: for operators (``continuum sign-in-link``)."""
    return _issue(session, [contact], now=now, lifetime=lifetime)[0]


def _issue(session: Session, contacts: list[Contact], *, now: datetime, lifetime: timedelta) -> list[IssuedLink]:
    names = institution_names(session, {contact.institution_id for contact in contacts})
    issued = []
    for contact in contacts:
        assert contact.id is not None
        secret = LINK_PREFIX + secrets.token_urlsafe(32)
        session.add(SignInLink(
            contact_id=contact.id, email_key=contact.email_key, secret_hash=_digest(secret), created_at=now,
            expires_at=now + lifetime,
        ))
        issued.append(IssuedLink(
            secret=secret, contact_id=contact.id, name=contact.name, email=contact.email, language=contact.language,
            institution_id=contact.institution_id, institution=names.get(contact.institution_id),
            expires_at=now + lifetime,
        ))
    session.flush()
    return issued


def link_language(session: Session, presented: str, *, now: datetime) -> str | None:
    """The language of the person an unused, unexpired link is for (the link stays unused)."""
    if not _well_formed(presented, LINK_PREFIX):
        return None
    language: str | None = session.scalar(
        select(col(Contact.language))
        .join(SignInLink, col(SignInLink.contact_id) == col(Contact.id))
        .where(col(SignInLink.secret_hash) == _digest(presented), col(SignInLink.used_at).is_(None),
               col(SignInLink.expires_at) > now)
    )
    return language


def redeem_link(session: Session, presented: str, *, now: datetime, session_lifetime: timedelta) -> OpenedSession:
    """Use the link once and open a session for its contact, or ``Unauthenticated``."""
    refused = Unauthenticated("this sign-in link is not valid: it was used already, has expired, or was "
                              "copied incompletely; ask for a new one", token_presented=True)
    if not _well_formed(presented, LINK_PREFIX):
        raise refused
    claimed = session.execute(
        update(SignInLink)
        .where(
            col(SignInLink.secret_hash) == _digest(presented),
            col(SignInLink.used_at).is_(None),
            col(SignInLink.expires_at) > now,
        )
        .values(used_at=now)
        .returning(col(SignInLink.contact_id), col(SignInLink.email_key))
    ).first()
    if claimed is None:
        raise refused
    contact = session.get(Contact, claimed[0])
    if contact is None or contact.email_key != claimed[1]:  # the address changed since the link was sent
        raise refused
    if contact.deactivated_at is not None:
        raise refused
    secret = SESSION_PREFIX + secrets.token_urlsafe(32)
    csrf_token = secrets.token_urlsafe(32)
    expires_at = now + session_lifetime
    session.add(WebSession(
        contact_id=claimed[0], secret_hash=_digest(secret), email_key=contact.email_key, csrf_token=csrf_token,
        created_at=now, expires_at=expires_at,
    ))
    session.flush()
    return OpenedSession(
        secret=secret, csrf_token=csrf_token, expires_at=expires_at, principal=principal_of_contact(contact),
        language=contact.language,
    )


@dataclass(frozen=True)
class SignedIn:
    principal: Principal
    csrf_token: str
    language: str
    email: str
    session_id: int


def session_principal(session: Session, presented: str, *, now: datetime) -> SignedIn | None:
    """The person a session cookie belongs to, or None (unknown, expired, ended)."""
    if not _well_formed(presented, SESSION_PREFIX):
        return None
    row = session.execute(
        select(WebSession, Contact)
        .join(Contact, col(Contact.id) == col(WebSession.contact_id))
        .where(
            col(WebSession.secret_hash) == _digest(presented),
            col(WebSession.ended_at).is_(None),
            col(WebSession.expires_at) > now,
            col(WebSession.email_key) == col(Contact.email_key),
            col(Contact.deactivated_at).is_(None),
        )
    ).first()
    if row is None:
        return None
    web_session, contact = row
    assert web_session.id is not None
    return SignedIn(
        principal=principal_of_contact(contact), csrf_token=web_session.csrf_token, language=contact.language,
        email=contact.email, session_id=web_session.id,
    )


def end_sessions_of(session: Session, contact_id: int, *, now: datetime) -> int:
    """End every open session of the contact (they left); returns how many were open."""
    result = session.execute(
        update(WebSession)
        .where(col(WebSession.contact_id) == contact_id, col(WebSession.ended_at).is_(None))
        .values(ended_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def end_session(session: Session, presented: str, *, now: datetime) -> None:
    if not _well_formed(presented, SESSION_PREFIX):
        return
    session.execute(
        update(WebSession)
        .where(col(WebSession.secret_hash) == _digest(presented), col(WebSession.ended_at).is_(None))
        .values(ended_at=now)
    )


LOCAL_ADMIN_EMAIL = "admin@localhost"
LOCAL_ADMIN_NAME = "Local administrator"
LOCAL_ADMIN_INSTITUTION = "Continuum (local administration)"


def sign_in_url(base_url: str, secret: str) -> str:
    """The link a person opens: the console's confirmation page for ``secret``."""
    return f"{base_url.rstrip('/')}/console/sign-in/link?token={secret}"


def contacts_with_address(session: Session, email: str, *, active_only: bool = True) -> list[Contact]:
    """The contacts recorded with ``email`` (case-insensitive); with ``active_only``, not those who left."""
    query = select(Contact).where(col(Contact.email_key) == address_key(email.strip()))
    if active_only:
        query = query.where(col(Contact.deactivated_at).is_(None))
    return list(session.scalars(query.order_by(col(Contact.id))))


def local_admin_person(session: Session, *, now: datetime) -> Contact:
    """The person ``continuum dev`` signs in as: an admin of a local institution, made on first use.

    Made as rows, not through ``ContactCreate``: its address is deliberately a local one, which the
    address check (rightly) refuses for real people."""
    from workflow.directory import Institution

    existing = contacts_with_address(session, LOCAL_ADMIN_EMAIL, active_only=False)
    if existing:
        return existing[0]
    institution = session.scalar(select(Institution).where(col(Institution.name) == LOCAL_ADMIN_INSTITUTION))
    if institution is None:
        institution = Institution(name=LOCAL_ADMIN_INSTITUTION, created_at=now)
        session.add(institution)
        session.flush()
    assert institution.id is not None
    contact = Contact(
        name=LOCAL_ADMIN_NAME, email=LOCAL_ADMIN_EMAIL, email_key=LOCAL_ADMIN_EMAIL, institution_id=institution.id,
        language="en", roles=["coordinator"], access_role="admin", created_at=now, updated_at=now,
    )
    session.add(contact)
    session.flush()
    return contact
