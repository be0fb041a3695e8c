"""Contacts: the people of an institution, with their roles and language."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from workflow.core import (
    Conflict,
    StaleVersion,
    ValidationFailed,
    apply_changes,
    conflict_on_duplicate,
    get_or_not_found,
    requested_changes,
)
from workflow.directory.models import Contact, Institution, address_key
from workflow.directory.requests import ContactCreate, ContactPatch


def _require_institution(session: Session, institution_id: int) -> None:
    if session.get(Institution, institution_id) is None:
        raise ValidationFailed.field("#/institution_id", f"no institution with id {institution_id}")


def _require_new_address(session: Session, institution_id: int, email: str, *, contact_id: int | None) -> None:
    """One contact per address and institution: a second copy would receive every email twice."""
    query = select(col(Contact.id)).where(
        col(Contact.institution_id) == institution_id, col(Contact.email_key) == address_key(email)
    )
    if contact_id is not None:
        query = query.where(col(Contact.id) != contact_id)
    existing = session.scalar(query.limit(1))
    if existing is not None:
        raise _taken(institution_id, email, existing)


def _taken(institution_id: int, email: str, existing: int | None) -> Conflict:
    holder = f"contact {existing}" if existing is not None else "another contact"
    return Conflict(
        f"{holder} of institution {institution_id} has the address {email} already",
        errors=[{"pointer": "#/email", "detail": "must be unique within the institution"}],
        contact_id=existing,
    )


def create_contact(session: Session, command: ContactCreate, *, now: datetime) -> Contact:
    _require_institution(session, command.institution_id)
    _require_new_address(session, command.institution_id, command.email, contact_id=None)
    contact = Contact(**command.model_dump(), email_key=address_key(command.email), created_at=now, updated_at=now)
    with conflict_on_duplicate(session, lambda: _taken(command.institution_id, command.email, None)):
        session.add(contact)
    return contact


def get_contact(session: Session, contact_id: int) -> Contact:
    return get_or_not_found(session, Contact, contact_id, "contact")


def update_contact(
    session: Session,
    contact_id: int,
    command: ContactPatch,
    *,
    now: datetime,
    expected_updated_at: datetime | None = None,
) -> Contact:
    """``expected_updated_at``: when the caller's copy was last changed (a form's); if the contact
    changed since, nothing is saved and ``StaleVersion`` says so. None: the caller did not say."""
    contact = get_contact(session, contact_id)
    if expected_updated_at is not None:
        session.refresh(contact, with_for_update=True)
        if contact.updated_at != expected_updated_at:
            raise StaleVersion(
                f"contact {contact_id} was changed at {contact.updated_at.isoformat()}, after the copy you "
                f"edited ({expected_updated_at.isoformat()}): reload and retry",
                current_updated_at=contact.updated_at.isoformat(),
            )
    changes = requested_changes(command, required=lambda name: name != "access_role")
    if "institution_id" in changes:
        _require_institution(session, changes["institution_id"])
    if "roles" in changes:
        changes["roles"] = list(dict.fromkeys(changes["roles"]))
    if "institution_id" in changes or "email" in changes:
        institution_id = changes.get("institution_id", contact.institution_id)
        email = changes.get("email", contact.email)
        _require_new_address(session, institution_id, email, contact_id=contact.id)
        if "email" in changes:
            changes["email_key"] = address_key(email)
        with conflict_on_duplicate(session, lambda: _taken(institution_id, email, None)):
            return apply_changes(session, contact, changes, now=now)
    return apply_changes(session, contact, changes, now=now)


def list_contacts(
    session: Session, *, institution_id: int | None, role: str | None, limit: int, offset: int
) -> tuple[list[Contact], int]:
    query = select(Contact)
    if institution_id is not None:
        query = query.where(col(Contact.institution_id) == institution_id)
    contacts = list(session.scalars(query.order_by(col(Contact.id))))
    if role is not None:
        contacts = [c for c in contacts if role in c.roles]
    return contacts[offset : offset + limit], len(contacts)
