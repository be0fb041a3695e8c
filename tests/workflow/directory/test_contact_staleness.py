"""An edit made from a stale copy of a contact is refused, and saves nothing."""

from datetime import timedelta

import pytest

from tests import factories as f
from workflow.core.errors import StaleVersion
from workflow.directory.contacts import get_contact, update_contact
from workflow.directory.requests import ContactPatch

T0 = f.T0


def test_an_edit_from_the_current_copy_is_saved(session):
    contact_id = f.contact(session, f.institution(session), ["coordinator"])
    seen = get_contact(session, contact_id).updated_at
    later = T0 + timedelta(minutes=5)
    updated = update_contact(session, contact_id, ContactPatch(name="Arta H."), now=later, expected_updated_at=seen)
    assert (updated.name, updated.updated_at) == ("Arta H.", later)


def test_an_edit_from_a_copy_changed_since_is_refused_and_saves_nothing(session):
    contact_id = f.contact(session, f.institution(session), ["coordinator"])
    seen = get_contact(session, contact_id).updated_at
    update_contact(session, contact_id, ContactPatch(language="sq"), now=T0 + timedelta(minutes=1))
    with pytest.raises(StaleVersion) as refused:
        update_contact(session, contact_id, ContactPatch(name="Overwritten", access_role="viewer"),
                       now=T0 + timedelta(minutes=2), expected_updated_at=seen)
    assert refused.value.status == 412
    assert refused.value.extensions["current_updated_at"] == (T0 + timedelta(minutes=1)).isoformat()
    contact = get_contact(session, contact_id)
    assert (contact.name, contact.access_role, contact.language) == ("Arta Hoxha", None, "sq")


def test_without_an_expectation_the_edit_is_not_checked(session):
    contact_id = f.contact(session, f.institution(session), ["coordinator"])
    update_contact(session, contact_id, ContactPatch(language="sq"), now=T0 + timedelta(minutes=1))
    updated = update_contact(session, contact_id, ContactPatch(name="Arta H."), now=T0 + timedelta(minutes=2))
    assert updated.name == "Arta H."
