"""Institutions and their people (contacts), and who hears about a deadline (``recipients``), how
each person's reminders reach them (``delivery``) and contact turnover (``turnover``: deactivating
someone who left, with a handover contact taking over their roles).
"""

from workflow.directory.contacts import create_contact, get_contact, list_contacts, update_contact
from workflow.directory.institutions import (
    create_institution,
    find_institution,
    get_institution,
    institution_names,
    list_institutions,
)
from workflow.directory.models import DELIVERY_PREFERENCES, IMMEDIATE, Contact, Institution, address_key
from workflow.directory.recipients import RecipientBook, contacts_with_role, recipients
from workflow.directory.requests import (
    ContactCreate,
    ContactDeactivate,
    ContactPatch,
    Delivery,
    InstitutionCreate,
    Language,
    Role,
)
from workflow.directory.turnover import CONTACT_DEACTIVATED, Deactivated, active_contacts, deactivate, is_active

__all__ = [
    "CONTACT_DEACTIVATED",
    "DELIVERY_PREFERENCES",
    "IMMEDIATE",
    "Contact",
    "ContactCreate",
    "ContactDeactivate",
    "ContactPatch",
    "Deactivated",
    "Delivery",
    "Institution",
    "InstitutionCreate",
    "Language",
    "RecipientBook",
    "Role",
    "active_contacts",
    "address_key",
    "contacts_with_role",
    "create_contact",
    "create_institution",
    "deactivate",
    "find_institution",
    "get_contact",
    "get_institution",
    "institution_names",
    "is_active",
    "list_contacts",
    "list_institutions",
    "recipients",
    "update_contact",
]
