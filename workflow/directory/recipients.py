"""Who hears about a deadline: an institution's active contacts with a role, and its escalation contacts.

A deactivated contact (someone who left, see ``turnover``) is nobody's recipient.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlmodel import Session, col

from workflow.directory.models import Contact


def contacts_with_role(session: Session, institution_id: int, role: str) -> list[Contact]:
    """The institution's active contacts holding ``role`` (roles are a JSON list, filtered here for portability)."""
    return RecipientBook(session).with_role(institution_id, role)


def recipients(
    session: Session, institution_id: int, *, role: str = "coordinator", escalate: bool,
    escalation_institution_id: int | None = None,
) -> list[Contact]:
    """The institution's contacts with ``role``, plus escalation contacts when ``escalate`` (those of
    ``escalation_institution_id`` if given, else the institution's own); each address once, so a
    person recorded twice (before duplicates were refused) gets one email, not two."""
    return RecipientBook(session).recipients(
        institution_id, role=role, escalate=escalate, escalation_institution_id=escalation_institution_id
    )


def _each_address_once(contacts: Iterable[Contact]) -> list[Contact]:
    once: dict[str, Contact] = {}
    for contact in contacts:
        once.setdefault(contact.email.casefold(), contact)
    return list(once.values())


class RecipientBook:
    """``recipients`` for many deadlines at once: each institution's contacts read once per pass.

    ``load`` reads the contacts of the institutions not read yet, in one query per thousand; the
    answers are then the same as ``recipients`` gives, from memory."""

    _CHUNK = 1_000

    def __init__(self, session: Session) -> None:
        self._session = session
        self._by_institution: dict[int, list[Contact]] = {}

    def load(self, institution_ids: Iterable[int]) -> None:
        missing = sorted({i for i in institution_ids if i not in self._by_institution})
        for start in range(0, len(missing), self._CHUNK):
            chunk = missing[start:start + self._CHUNK]
            for institution_id in chunk:
                self._by_institution[institution_id] = []
            query = (
                select(Contact)
                .where(col(Contact.institution_id).in_(chunk), col(Contact.deactivated_at).is_(None))
                .order_by(col(Contact.id))
            )
            for contact in self._session.scalars(query):
                self._by_institution[contact.institution_id].append(contact)

    def with_role(self, institution_id: int, role: str) -> list[Contact]:
        self.load([institution_id])
        return [c for c in self._by_institution[institution_id] if role in c.roles]

    def recipients(
        self, institution_id: int, *, role: str = "coordinator", escalate: bool,
        escalation_institution_id: int | None = None,
    ) -> list[Contact]:
        """As ``recipients``, from the contacts loaded."""
        contacts = self.with_role(institution_id, role)
        if escalate:
            contacts += self.with_role(escalation_institution_id or institution_id, "escalation")
        return _each_address_once(contacts)
