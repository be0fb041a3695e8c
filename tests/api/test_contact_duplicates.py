"""One contact per address and institution: a second copy is refused (409 at #/email), and a person
recorded twice before that rule existed still gets each email once."""

from __future__ import annotations

from datetime import UTC, datetime

from tests import factories as f
from tests.api.databases import both_databases
from workflow.core import unit_of_work
from workflow.directory import Contact, recipients

engine = both_databases


def test_the_same_address_twice_in_one_institution_is_refused(client):
    moi = client.post("/institutions", json={"name": "Ministry of Interior"}).json()["id"]
    other = client.post("/institutions", json={"name": "State Minister for Diaspora"}).json()["id"]
    person = {"name": "Arta Hoxha", "email": "arta.hoxha@example.org", "institution_id": moi, "roles": ["coordinator"]}
    assert client.post("/contacts", json=person).status_code == 201
    again = client.post("/contacts", json=person | {"email": "Arta.Hoxha@example.org", "name": "A. Hoxha"})
    assert again.status_code == 409
    assert again.json()["errors"] == [{"pointer": "#/email", "detail": "must be unique within the institution"}]
    elsewhere = client.post("/contacts", json=person | {"institution_id": other})
    assert elsewhere.status_code == 201  # the same person may serve two institutions
    moved = client.patch(f"/contacts/{elsewhere.json()['id']}", json={"institution_id": moi})
    assert moved.status_code == 409
    assert len(client.get("/contacts", params={"institution_id": moi}).json()["items"]) == 1


def test_a_person_recorded_twice_hears_about_a_deadline_once(engine):
    with unit_of_work(engine) as session:
        moi = f.institution(session)
        session.add_all([
            Contact(name=name, email=email, institution_id=moi, language="en", roles=["coordinator"],
                    created_at=datetime(2026, 1, 5, tzinfo=UTC), updated_at=datetime(2026, 1, 5, tzinfo=UTC))
            for name, email in (("Arta Hoxha", "arta@example.org"), ("Arta H.", "ARTA@example.org"))
        ])
        session.flush()
        assert [c.email for c in recipients(session, moi, escalate=False)] == ["arta@example.org"]
