"""Who hears about a deadline: an institution's contacts with a role, and its escalation contacts."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from workflow.directory.models import Contact


def contacts_with_role(session: Session, institution_id: int, role: str) -> list[Contact]:
    """The institution's contacts holding ``role`` (roles are a JSON list, filtered here for portability)."""
    query = select(Contact).where(col(Contact.institution_id) == institution_id).order_by(col(Contact.id))
    contacts = session.scalars(query)
    return [c for c in contacts if role in c.roles]


def recipients(
    session: Session, institution_id: int, *, role: str = "coordinator", escalate: bool,
    escalation_institution_id: int | None = None,
) -> list[Contact]:
    """The institution's contacts with ``role``, plus escalation contacts when ``escalate`` (those of
    ``escalation_institution_id`` if given, else the institution's own); each address once, so a
    person recorded twice (before duplicates were refused) gets one email, not two."""
    contacts = contacts_with_role(session, institution_id, role)
    if escalate:
        contacts += contacts_with_role(session, escalation_institution_id or institution_id, "escalation")
    once: dict[str, Contact] = {}
    for contact in contacts:
        once.setdefault(contact.email.casefold(), contact)
    return list(once.values())
