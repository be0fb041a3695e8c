"""What a person (a contact) may do when signed in: the same access roles API tokens carry.

Unless an admin set ``Contact.access_role``, it follows the contact's roles: a coordinator of its
institution, else a contact point, else a viewer. Only an admin may be (or make anyone) an admin.
"""

from __future__ import annotations

from workflow.access.principal import Principal
from workflow.directory import Contact

DERIVED_ORDER = ("coordinator", "contact_point")


def access_role_of(contact: Contact) -> str:
    if contact.access_role is not None:
        return contact.access_role
    return next((role for role in DERIVED_ORDER if role in contact.roles), "viewer")


def principal_of_contact(contact: Contact) -> Principal:
    return Principal(
        name=contact.name, role=access_role_of(contact), institution_id=contact.institution_id, contact_id=contact.id
    )
