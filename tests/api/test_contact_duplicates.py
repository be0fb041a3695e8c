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
    """Copies from before the rule keep their rows; migration 0005 marks the later keys with their id."""
    with unit_of_work(engine) as session:
        moi = f.institution(session)
        session.add_all([
            Contact(name=name, email=email, email_key=key, institution_id=moi, language="en", roles=["coordinator"],
                    created_at=datetime(2026, 1, 5, tzinfo=UTC), updated_at=datetime(2026, 1, 5, tzinfo=UTC))
            for name, email, key in (("Arta Hoxha", "arta@example.org", "arta@example.org"),
                                     ("Arta H.", "ARTA@example.org", "arta@example.org#2"))
        ])
        session.flush()
        assert [c.email for c in recipients(session, moi, escalate=False)] == ["arta@example.org"]


def test_the_database_itself_refuses_a_second_copy(engine):
    """Even a writer that skips the service's check (or races it) cannot record the address twice."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), unit_of_work(engine) as session:
        moi = f.institution(session)
        for email in ("arta@example.org", "Arta@Example.org"):
            session.add(Contact(name="Arta", email=email, email_key=email.lower(), institution_id=moi, language="en",
                                roles=["coordinator"], created_at=datetime(2026, 1, 5, tzinfo=UTC),
                                updated_at=datetime(2026, 1, 5, tzinfo=UTC)))
            session.flush()


def test_a_writer_that_races_past_the_check_still_gets_the_409(client, monkeypatch):
    """As if another request recorded the address between the check and the write."""
    import workflow.directory.contacts as contacts

    moi = client.post("/institutions", json={"name": "Ministry of Interior"}).json()["id"]
    other = client.post("/institutions", json={"name": "State Minister for Diaspora"}).json()["id"]
    person = {"name": "Arta Hoxha", "email": "arta.hoxha@example.org", "institution_id": moi, "roles": ["coordinator"]}
    assert client.post("/contacts", json=person).status_code == 201
    elsewhere = client.post("/contacts", json=person | {"institution_id": other}).json()["id"]
    monkeypatch.setattr(contacts, "_require_new_address", lambda *args, **kwargs: None)
    created = client.post("/contacts", json=person)
    moved = client.patch(f"/contacts/{elsewhere}", json={"institution_id": moi})
    for response in (created, moved):
        assert response.status_code == 409, response.text
        assert response.json()["errors"] == [{"pointer": "#/email", "detail": "must be unique within the institution"}]
    assert client.get(f"/contacts/{elsewhere}").json()["institution_id"] == other
