"""Institutions and their contacts: who leads strategies and who hears about deadlines."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from workflow.commands import ContactCreate, ContactPatch, InstitutionCreate
from workflow.errors import Conflict, NotFound, ValidationFailed
from workflow.models import Contact, Institution
from workflow.patching import apply_changes, requested_changes


def create_institution(session: Session, command: InstitutionCreate, *, now: datetime) -> Institution:
    if session.scalar(select(Institution.id).where(func.lower(Institution.name) == command.name.lower())):
        raise _duplicate_name(command.name)
    institution = Institution(name=command.name, created_at=now)
    session.add(institution)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise _duplicate_name(command.name) from exc
    return institution


def _duplicate_name(name: str) -> Conflict:
    return Conflict(
        f"an institution named {name!r} exists already",
        errors=[{"pointer": "#/name", "detail": "must be unique"}],
    )


def get_institution(session: Session, institution_id: int) -> Institution:
    institution = session.get(Institution, institution_id)
    if institution is None:
        raise NotFound(f"no institution with id {institution_id}")
    return institution


def find_institution(session: Session, name: str) -> Institution | None:
    return session.scalar(select(Institution).where(func.lower(Institution.name) == name.lower()))


def list_institutions(session: Session, *, limit: int, offset: int) -> tuple[list[Institution], int]:
    total = session.scalar(select(func.count()).select_from(Institution)) or 0
    rows = session.scalars(select(Institution).order_by(Institution.id).limit(limit).offset(offset))
    return list(rows), total


def _require_institution(session: Session, institution_id: int) -> None:
    if session.get(Institution, institution_id) is None:
        raise ValidationFailed.field("#/institution_id", f"no institution with id {institution_id}")


def create_contact(session: Session, command: ContactCreate, *, now: datetime) -> Contact:
    _require_institution(session, command.institution_id)
    contact = Contact(**command.model_dump(), created_at=now, updated_at=now)
    session.add(contact)
    session.flush()
    return contact


def get_contact(session: Session, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound(f"no contact with id {contact_id}")
    return contact


def update_contact(session: Session, contact_id: int, command: ContactPatch, *, now: datetime) -> Contact:
    contact = get_contact(session, contact_id)
    changes = requested_changes(command, required=lambda _: True)
    if "institution_id" in changes:
        _require_institution(session, changes["institution_id"])
    if "roles" in changes:
        changes["roles"] = list(dict.fromkeys(changes["roles"]))
    return apply_changes(session, contact, changes, now=now)


def list_contacts(
    session: Session, *, institution_id: int | None, role: str | None, limit: int, offset: int
) -> tuple[list[Contact], int]:
    query = select(Contact)
    if institution_id is not None:
        query = query.where(Contact.institution_id == institution_id)
    contacts = list(session.scalars(query.order_by(Contact.id)))
    if role is not None:
        contacts = [c for c in contacts if role in c.roles]
    return contacts[offset : offset + limit], len(contacts)


def contacts_with_role(session: Session, institution_id: int, role: str) -> list[Contact]:
    """The institution's contacts holding ``role`` (roles are a JSON list, filtered here for portability)."""
    contacts = session.scalars(select(Contact).where(Contact.institution_id == institution_id).order_by(Contact.id))
    return [c for c in contacts if role in c.roles]


def recipients(
    session: Session, institution_id: int, *, role: str = "coordinator", escalate: bool,
    escalation_institution_id: int | None = None,
) -> list[Contact]:
    """The institution's contacts with ``role``, plus escalation contacts when ``escalate`` (those of
    ``escalation_institution_id`` if given, else the institution's own); each once."""
    contacts = contacts_with_role(session, institution_id, role)
    if escalate:
        contacts += contacts_with_role(session, escalation_institution_id or institution_id, "escalation")
    return list({c.id: c for c in contacts}.values())
