"""Contact turnover, the directory's part: a person who leaves is deactivated, and a handover contact
of the same institution takes over their roles.

The row stays (history, sent emails and stage changes keep naming them); ``deactivated_at`` says
they left and ``handover_contact_id`` who took over. A deactivated contact is never a recipient
(``recipients``), cannot sign in (``workflow.access``), and is not deactivated twice (409). Moving
their pending reminders and telling the escalation contacts about roles nobody holds any more is
the ledger's part (``workflow.reminders.deactivate_contact`` calls ``deactivate`` here first).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from workflow.core import Conflict, Forbidden, NotFound, ValidationFailed, record_event
from workflow.directory.contacts import get_contact
from workflow.directory.models import CONTACT_ROLES, Contact
from workflow.directory.requests import ContactDeactivate

CONTACT_DEACTIVATED = "contact_deactivated"
HANDOVER = "#/handover_contact_id"


@dataclass(frozen=True)
class Deactivated:
    """What deactivating changed: the leaver, who took over (None: nobody), and the roles the leaver held
    that no active person of the institution holds now (always empty with a handover contact)."""

    leaver: Contact
    handover: Contact | None
    uncovered_roles: tuple[str, ...]


def is_active(contact: Contact) -> bool:
    return contact.deactivated_at is None


def active_contacts(session: Session, institution_id: int) -> list[Contact]:
    query = select(Contact).where(col(Contact.institution_id) == institution_id, col(Contact.deactivated_at).is_(None))
    return list(session.scalars(query.order_by(col(Contact.id))))


def _handover_for(session: Session, leaver: Contact, handover_id: int, may_act_for: int | None) -> Contact:
    """The handover contact, checked: it exists, is active, is another person, of the leaver's institution.

    ``may_act_for``: the institution a non-admin caller acts for (None: an admin). A contact the caller
    may not see is refused with the same words as one that does not exist."""
    unknown = ValidationFailed.field(
        HANDOVER, f"no contact with id {handover_id} in institution {leaver.institution_id}"
    )
    handover = session.get(Contact, handover_id, with_for_update=True)
    if handover is None or (may_act_for is not None and handover.institution_id != may_act_for):
        raise unknown
    if handover.id == leaver.id:
        raise ValidationFailed.field(HANDOVER, "must be another person than the one leaving")
    if handover.institution_id != leaver.institution_id:
        raise ValidationFailed.field(
            HANDOVER, f"must be a person of the leaver's institution ({leaver.institution_id}); contact "
            f"{handover_id} is of institution {handover.institution_id}",
        )
    if not is_active(handover):
        raise ValidationFailed.field(HANDOVER, f"contact {handover_id} was deactivated: choose someone still there")
    return handover


def deactivate(
    session: Session, contact_id: int, command: ContactDeactivate, *, now: datetime,
    may_act_for: int | None = None, may_deactivate_admins: bool = True,
) -> Deactivated:
    """Mark ``contact_id`` deactivated, give its roles to the handover contact (if any), record the event.

    ``may_act_for``: a non-admin caller's institution (None: an admin, acting for all); a contact of
    another institution is ``NotFound`` for them. Only admins (``may_deactivate_admins``) deactivate an admin."""
    leaver = get_contact(session, contact_id)
    if may_act_for is not None and leaver.institution_id != may_act_for:
        raise NotFound(f"no contact with id {contact_id}")
    session.refresh(leaver, with_for_update=True)
    if leaver.deactivated_at is not None:
        raise Conflict(
            f"contact {contact_id} was deactivated on {leaver.deactivated_at.isoformat(timespec='seconds')} already",
            deactivated_at=leaver.deactivated_at.isoformat(), handover_contact_id=leaver.handover_contact_id,
        )
    if leaver.access_role == "admin" and not may_deactivate_admins:
        raise Forbidden("only an administrator may deactivate an administrator")
    handover = None
    if command.handover_contact_id is not None:
        handover = _handover_for(session, leaver, command.handover_contact_id, may_act_for)
        handover.roles = list(dict.fromkeys([*handover.roles, *leaver.roles]))
        handover.updated_at = now
        session.add(handover)
    leaver.deactivated_at, leaver.handover_contact_id, leaver.updated_at = now, command.handover_contact_id, now
    session.add(leaver)
    session.flush()
    uncovered: tuple[str, ...] = ()
    if handover is None:
        held = {role for other in active_contacts(session, leaver.institution_id) for role in other.roles}
        uncovered = tuple(role for role in CONTACT_ROLES if role in leaver.roles and role not in held)
    record_event(session, CONTACT_DEACTIVATED, strategy_id=None, at=now, payload={
        "contact_id": leaver.id, "handover_contact_id": command.handover_contact_id,
        "institution_id": leaver.institution_id,
    })
    return Deactivated(leaver, handover, uncovered)

