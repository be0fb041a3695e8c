"""Institutions and their people (contacts), and who hears about a deadline (``recipients``).
"""

from workflow.directory.contacts import create_contact, get_contact, list_contacts, update_contact
from workflow.directory.institutions import (
    create_institution,
    find_institution,
    get_institution,
    institution_names,
    list_institutions,
)
from workflow.directory.models import DELIVERY_PREFERENCES, Contact, Institution, address_key
from workflow.directory.recipients import RecipientBook, contacts_with_role, recipients
from workflow.directory.requests import ContactCreate, ContactPatch, InstitutionCreate, Language, Role

__all__ = [
    "DELIVERY_PREFERENCES",
    "Contact",
    "ContactCreate",
    "ContactPatch",
    "Institution",
    "InstitutionCreate",
    "Language",
    "RecipientBook",
    "Role",
    "address_key",
    "contacts_with_role",
    "create_contact",
    "create_institution",
    "find_institution",
    "get_contact",
    "get_institution",
    "institution_names",
    "list_contacts",
    "list_institutions",
    "recipients",
    "update_contact",
]
