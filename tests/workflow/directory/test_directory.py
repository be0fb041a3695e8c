import pytest
from pydantic import ValidationError

from tests import factories as f
from workflow.core.errors import Conflict, NotFound, ValidationFailed
from workflow.directory.contacts import get_contact, list_contacts, update_contact
from workflow.directory.institutions import create_institution, find_institution, get_institution, list_institutions
from workflow.directory.recipients import contacts_with_role
from workflow.directory.requests import ContactCreate, ContactPatch, InstitutionCreate

T0 = f.T0


def test_institution_names_are_unique_regardless_of_case(session):
    first = f.institution(session, "Ministry of Interior")
    with pytest.raises(Conflict) as refused:
        create_institution(session, InstitutionCreate(name="MINISTRY OF INTERIOR"), now=T0)
    assert refused.value.status == 409
    assert refused.value.extensions["errors"] == [{"pointer": "#/name", "detail": "must be unique"}]
    assert find_institution(session, "ministry of interior").id == first
    assert find_institution(session, "Ministry of Finance") is None


def test_institution_names_are_trimmed_single_lines():
    assert InstitutionCreate(name="  Ministry of Interior ").name == "Ministry of Interior"
    for bad in ["Ministry\r\nBcc: x@example.org", "Ministry\nof Interior", "Ministry\x00", ""]:
        with pytest.raises(ValidationError):
            InstitutionCreate(name=bad)


def test_institutions_list_in_id_order_and_page(session):
    ids = [f.institution(session, name) for name in ("A", "B", "C")]
    rows, total = list_institutions(session, limit=2, offset=1)
    assert ([r.id for r in rows], total) == (ids[1:], 3)
    assert get_institution(session, ids[0]).name == "A"
    with pytest.raises(NotFound):
        get_institution(session, 99)


def test_contact_needs_an_existing_institution(session):
    with pytest.raises(ValidationFailed) as refused:
        f.contact(session, 99, ["coordinator"])
    assert [e.pointer for e in refused.value.errors] == ["#/institution_id"]


@pytest.mark.parametrize(
    "fields",
    [
        {"name": "Arta\r\nBcc: victim@example.org"},
        {"name": "Arta\nHoxha"},
        {"email": "arta@example.org\r\nBcc: victim@example.org"},
        {"email": "arta@example.org\n"},
        {"email": "not-an-email"},
        {"roles": []},
        {"roles": ["minister"]},
        {"language": "de"},
    ],
)
def test_contact_fields_are_validated(fields):
    values = {"name": "Arta Hoxha", "email": "arta@example.org", "institution_id": 1, "roles": ["coordinator"]} | fields
    with pytest.raises(ValidationError) as refused:
        ContactCreate(**values)
    assert refused.value.errors()[0]["loc"][0] == next(iter(fields))


def test_contact_roles_are_deduplicated(session):
    moi = f.institution(session)
    contact = get_contact(session, f.contact(session, moi, ["coordinator", "coordinator", "escalation"]))
    assert contact.roles == ["coordinator", "escalation"]


def test_update_contact_changes_only_what_is_given(session):
    moi = f.institution(session)
    other = f.institution(session, "Ministry of Finance")
    contact_id = f.contact(session, moi, ["coordinator"], language="sq")
    updated = update_contact(
        session, contact_id, ContactPatch(email="new@example.org", institution_id=other, roles=["escalation"]), now=T0
    )
    assert (updated.name, updated.email, updated.institution_id, updated.language, updated.roles) == (
        "Arta Hoxha", "new@example.org", other, "sq", ["escalation"]
    )


def test_update_contact_refuses_nulls_and_unknown_institutions(session):
    contact_id = f.contact(session, f.institution(session), ["coordinator"])
    with pytest.raises(ValidationFailed) as refused:
        update_contact(session, contact_id, ContactPatch(email=None), now=T0)
    assert [e.pointer for e in refused.value.errors] == ["#/email"]
    with pytest.raises(ValidationFailed) as refused:
        update_contact(session, contact_id, ContactPatch(institution_id=77), now=T0)
    assert [e.pointer for e in refused.value.errors] == ["#/institution_id"]
    with pytest.raises(NotFound):
        update_contact(session, 555, ContactPatch(name="X"), now=T0)


def test_contacts_filter_by_institution_and_role(session):
    moi = f.institution(session)
    other = f.institution(session, "Ministry of Finance")
    coordinator = f.contact(session, moi, ["coordinator"], "c@example.org")
    both = f.contact(session, moi, ["coordinator", "escalation"], "b@example.org")
    outsider = f.contact(session, other, ["escalation"], "o@example.org")

    def ids(**kw):
        rows, total = list_contacts(session, **({"institution_id": None, "role": None, "limit": 50, "offset": 0} | kw))
        return [r.id for r in rows], total

    assert ids() == ([coordinator, both, outsider], 3)
    assert ids(institution_id=moi) == ([coordinator, both], 2)
    assert ids(role="escalation") == ([both, outsider], 2)
    assert ids(institution_id=moi, role="escalation") == ([both], 1)
    assert ids(limit=1, offset=1) == ([both], 3)
    assert [c.id for c in contacts_with_role(session, moi, "coordinator")] == [coordinator, both]
    assert contacts_with_role(session, other, "coordinator") == []
