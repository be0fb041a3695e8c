"""The console's side of contact turnover: an admin sets the delivery preference and deactivates a person
who left, choosing the handover contact, with errors at the field in the admin's language; the
deactivated person is shown as such and can no longer sign in. Plain HTTP forms, then a real browser."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlmodel import col

from api.app import create_app
from tests.smtp_sink import smtp_sink
from tests.web.conftest import ARTA, DANIEL, PersonFactory
from tests.web.console import csrf_of, link_for, post_form
from workflow.core import Settings, clock, unit_of_work
from workflow.directory import Contact, ContactCreate, create_contact, find_institution

ADMIN = "ada.admin@example.org"


def _make_admin(engine: Engine, email: str = ADMIN, language: str = "en") -> None:
    with unit_of_work(engine) as session:
        moi = find_institution(session, "Ministry of Interior")
        assert moi is not None and moi.id is not None
        create_contact(session, ContactCreate(name="Ada Admin", email=email, institution_id=moi.id, language=language,
                                              roles=["escalation"], access_role="admin"), now=clock.now())


def _contact(engine: Engine, email: str) -> Contact:
    with unit_of_work(engine) as session:
        found = session.scalars(select(Contact).where(col(Contact.email_key) == email)).first()
        assert found is not None
        session.expunge(found)
        return found


@pytest.fixture
def admin(person: PersonFactory, demo: Engine) -> TestClient:
    _make_admin(demo)
    return person(ADMIN)


def _person_page(client: TestClient, contact_id: int):
    shown = client.get(f"/console/admin/people/{contact_id}")
    assert shown.status_code == 200, shown.text
    return shown


def test_an_admin_sets_the_delivery_preference(admin, demo):
    arta = _contact(demo, ARTA)
    form_page = _person_page(admin, arta.id)
    assert 'id="person-delivery"' in form_page.text
    form = {"name": arta.name, "email": arta.email, "institution_id": str(arta.institution_id), "language": "sq",
            "roles[]": "coordinator", "access_role": "", "delivery": "weekly",
            "updated_at": re.search(r'name="updated_at" value="([^"]+)"', form_page.text).group(1)}
    saved = post_form(admin, f"/console/admin/people/{arta.id}", form_page.text, form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    assert _contact(demo, ARTA).delivery == "weekly"
    refused = post_form(admin, f"/console/admin/people/{arta.id}", _person_page(admin, arta.id).text,
                        {**form, "delivery": "hourly", "updated_at": _contact(demo, ARTA).updated_at.isoformat()})
    assert refused.status_code == 422 and 'id="delivery-error"' in refused.text


def test_an_admin_deactivates_a_person_with_a_handover_contact(admin, demo):
    arta, daniel = _contact(demo, ARTA), _contact(demo, DANIEL)
    form_page = _person_page(admin, arta.id)
    assert f'<option value="{daniel.id}">' in form_page.text and f'<option value="{arta.id}">' not in form_page.text
    done = post_form(admin, f"/console/admin/people/{arta.id}/deactivate", form_page.text,
                     {"handover_contact_id": str(daniel.id), "confirm": "yes"}, follow_redirects=False)
    assert done.status_code == 303, done.text
    shown = admin.get(done.headers["location"])
    assert "The person was deactivated." in shown.text and 'id="deactivated-badge"' in shown.text
    assert "Daniel Price took over their roles and reminders" in shown.text
    assert 'id="deactivate-person"' not in shown.text  # once
    assert "coordinator" in _contact(demo, DANIEL).roles
    listing = admin.get(f"/console/admin/people?institution_id={arta.institution_id}")
    assert re.search(rf'people/{arta.id}">Arta Hoxha</a> <span class="muted deactivated">\(deactivated\)', listing.text)


def test_without_confirmation_nothing_happens_and_the_error_is_at_the_field(admin, demo):
    arta = _contact(demo, ARTA)
    refused = post_form(admin, f"/console/admin/people/{arta.id}/deactivate", _person_page(admin, arta.id).text,
                        {"handover_contact_id": ""})
    assert refused.status_code == 422
    assert '<p class="field-error" id="confirm-error">Tick the box to confirm that this person has left.</p>' \
        in refused.text
    assert _contact(demo, ARTA).deactivated_at is None


def test_a_bad_handover_contact_is_refused_at_its_field_in_albanian(person, demo):
    _make_admin(demo, "drita.admin@example.org", "sq")
    admin = person("drita.admin@example.org")
    arta, outsider = _contact(demo, ARTA), _contact(demo, "klodiana.leka@example.org")
    refused = post_form(admin, f"/console/admin/people/{arta.id}/deactivate", _person_page(admin, arta.id).text,
                        {"handover_contact_id": str(outsider.id), "confirm": "yes"})
    assert refused.status_code == 422
    assert 'id="handover_contact_id-error">Zgjidhni dikë tjetër të këtij institucioni që është ende aktiv.' \
        in refused.text
    assert _contact(demo, ARTA).deactivated_at is None


def test_only_admins_deactivate_in_the_console(person, demo):
    daniel = person(DANIEL)
    arta = _contact(demo, ARTA)
    me = daniel.get("/console/me")
    refused = post_form(daniel, f"/console/admin/people/{arta.id}/deactivate", me.text, {"confirm": "yes"})
    assert refused.status_code == 403
    assert _contact(demo, ARTA).deactivated_at is None


def test_a_deactivated_person_is_signed_out_and_cannot_sign_in_again(person, admin, demo, settings: Settings):
    arta_browser = person(ARTA)
    assert arta_browser.get("/console/me").status_code == 200
    old_link = link_for(demo, ARTA)
    arta = _contact(demo, ARTA)
    post_form(admin, f"/console/admin/people/{arta.id}/deactivate", _person_page(admin, arta.id).text,
              {"confirm": "yes"}, follow_redirects=False)

    assert arta_browser.get("/console/me", follow_redirects=False).status_code in (303, 401)  # the session ended
    confirm = arta_browser.get(f"/console/sign-in/link?token={old_link}")
    used = arta_browser.post("/console/sign-in/link", data={"token": old_link, "csrf": csrf_of(confirm.text)},
                             follow_redirects=False)
    assert used.status_code == 401  # a link sent before they left opens nothing
    with smtp_sink() as (port, inbox):
        configured = settings.model_copy(update={"smtp_port": port})
        with TestClient(create_app(configured, demo), raise_server_exceptions=False) as visitor:
            def ask(email: str):
                form = visitor.get("/console/sign-in")
                return visitor.post("/console/sign-in", data={"email": email, "csrf": csrf_of(form.text), "next": ""})
            left, unknown, known = ask(ARTA), ask("nobody@example.org"), ask(DANIEL)
            assert left.status_code == unknown.status_code == known.status_code == 200
            assert left.text.replace(ARTA, "X") == unknown.text.replace("nobody@example.org", "X")
            assert [m["To"].addresses[0].addr_spec for m in inbox.wait_for(1)] == [DANIEL]  # none for Arta
