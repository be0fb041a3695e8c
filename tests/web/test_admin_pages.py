"""Administration pages: institutions, people and API tokens, for admins only."""

from __future__ import annotations

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlmodel import col

from tests.conftest import TokenIssuer
from tests.web.conftest import ARTA, DANIEL, PersonFactory
from tests.web.console import post_form
from workflow.access import ApiToken
from workflow.core import clock, unit_of_work
from workflow.directory import (
    Contact,
    ContactCreate,
    ContactPatch,
    Institution,
    InstitutionCreate,
    create_contact,
    create_institution,
    find_institution,
)
from workflow.directory import update_contact as domain_update_contact

ADMIN = "ada.admin@example.org"
SQ_ADMIN = "drita.admin@example.org"
SECRET = re.compile(r'id="secret" type="text" class="secret" value="(ctm_[^"]+)"')


def _make_admin(engine: Engine, email: str, language: str) -> None:
    with unit_of_work(engine) as session:
        moi = find_institution(session, "Ministry of Interior")
        assert moi is not None and moi.id is not None
        create_contact(session, ContactCreate(name="Ada Admin", email=email, institution_id=moi.id, language=language,
                                              roles=["escalation"], access_role="admin"), now=clock.now())


@pytest.fixture
def admin(person: PersonFactory, demo: Engine) -> TestClient:
    _make_admin(demo, ADMIN, "en")
    return person(ADMIN)


@pytest.fixture
def sq_admin(person: PersonFactory, demo: Engine) -> TestClient:
    _make_admin(demo, SQ_ADMIN, "sq")
    return person(SQ_ADMIN)


def _count(engine: Engine, table: type) -> int:
    with unit_of_work(engine) as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def _contact(engine: Engine, email: str) -> Contact:
    with unit_of_work(engine) as session:
        contact = session.scalars(select(Contact).where(col(Contact.email_key) == email.lower())).one()
        session.expunge(contact)
        return contact


def _moi(engine: Engine) -> int:
    with unit_of_work(engine) as session:
        moi = find_institution(session, "Ministry of Interior")
        assert moi is not None and moi.id is not None
        return moi.id


def _error_of(html: str, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="{re.escape(field)}-error">([^<]*)</p>', html)
    assert found, f"no error next to {field}"
    return unescape(found.group(1))


def _person_fields(contact: Contact, **changes: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "name": contact.name, "email": contact.email, "institution_id": str(contact.institution_id),
        "language": contact.language, "roles[]": list(contact.roles), "access_role": contact.access_role or "",
    }
    return fields | changes


# Institutions --------------------------------------------------------------------------------

def test_an_admin_adds_an_institution(admin: TestClient, demo: Engine) -> None:
    page = admin.get("/console/admin/institutions")
    assert page.status_code == 200
    assert "Ministry of Interior" in page.text
    assert 'aria-label="Administration"' in page.text and '<a href="/console/admin/institutions" aria-current="page"' \
        in page.text
    done = post_form(admin, "/console/admin/institutions", page.text, {"name": "  Ministry of Finance "},
                     follow_redirects=False)
    assert done.status_code == 303
    shown = admin.get(done.headers["location"])
    assert "The institution was added." in shown.text and "Ministry of Finance" in shown.text
    with unit_of_work(demo) as session:
        assert find_institution(session, "Ministry of Finance") is not None


def test_a_duplicate_institution_name_is_refused_next_to_the_field(sq_admin: TestClient, demo: Engine) -> None:
    before = _count(demo, Institution)
    page = sq_admin.get("/console/admin/institutions")
    refused = post_form(sq_admin, "/console/admin/institutions", page.text, {"name": "ministry of INTERIOR"})
    assert refused.status_code == 409
    assert _error_of(refused.text, "name") == "Ekziston tashmë një institucion me këtë emër."
    assert 'value="ministry of INTERIOR"' in refused.text
    blank = post_form(sq_admin, "/console/admin/institutions", page.text, {"name": "  "})
    assert blank.status_code == 422 and _error_of(blank.text, "name") == "Kjo fushë duhet plotësuar."
    assert _count(demo, Institution) == before


# People --------------------------------------------------------------------------------------

def test_an_admin_adds_a_person_who_then_signs_in_with_the_role_shown(
    admin: TestClient, person: PersonFactory, demo: Engine
) -> None:
    page = admin.get("/console/admin/people")
    assert page.status_code == 200
    assert "Arta Hoxha" in page.text and "derived from the roles" in page.text
    assert "set by an administrator" in page.text  # the admin herself
    moi = _moi(demo)
    done = post_form(admin, "/console/admin/people", page.text, {
        "name": "Mira Kola", "email": "mira.kola@example.org", "institution_id": str(moi), "language": "sq",
        "roles[]": ["contact_point", "escalation"], "access_role": "",
    }, follow_redirects=False)
    assert done.status_code == 303, done.text
    shown = admin.get(done.headers["location"])
    assert "The person was added." in shown.text
    assert re.search(r'id="access-role">contact point\s*<span class="muted">\(derived from the roles\)', shown.text)
    mira = _contact(demo, "mira.kola@example.org")
    assert (mira.roles, mira.language, mira.access_role, mira.institution_id) == (
        ["contact_point", "escalation"], "sq", None, moi)
    signed_in = person("mira.kola@example.org").get("/console/admin/people")
    assert signed_in.status_code == 403
    assert "Mira Kola · pikë kontakti" in signed_in.text  # her own language, her derived role


def test_people_filter_by_institution(admin: TestClient, demo: Engine) -> None:
    with unit_of_work(demo) as session:
        other = find_institution(session, "State Minister for Diaspora")
        assert other is not None
    page = admin.get(f"/console/admin/people?institution_id={other.id}")
    assert page.status_code == 200
    assert "Klodiana Leka" in page.text and "Arta Hoxha" not in page.text
    assert "People of State Minister for Diaspora" in page.text


def test_an_admin_makes_a_coordinator_a_viewer_and_back(
    admin: TestClient, person: PersonFactory, demo: Engine
) -> None:
    arta_browser = person(ARTA)
    arta = _contact(demo, ARTA)
    page = admin.get(f"/console/admin/people/{arta.id}")
    assert page.status_code == 200
    assert re.search(r'id="access-role">coordinator\s*<span class="muted">\(derived', page.text)
    done = post_form(admin, f"/console/admin/people/{arta.id}", page.text, {
        **_person_fields(arta, access_role="viewer"), "updated_at": arta.updated_at.isoformat(),
    }, follow_redirects=False)
    assert done.status_code == 303, done.text
    shown = admin.get(done.headers["location"])
    assert "The changes were saved." in shown.text
    assert re.search(r'id="access-role">viewer\s*<span class="muted">\(set by an administrator\)', shown.text)
    assert _contact(demo, ARTA).access_role == "viewer"
    # Her next request runs as a viewer (Albanian: her language).
    assert "Arta Hoxha · vetëm për lexim" in arta_browser.get("/console/admin/people").text
    # A blank access role clears the override: derived again.
    arta = _contact(demo, ARTA)
    again = post_form(admin, f"/console/admin/people/{arta.id}", shown.text, {
        **_person_fields(arta, access_role=""), "updated_at": arta.updated_at.isoformat(),
    }, follow_redirects=False)
    assert again.status_code == 303
    assert _contact(demo, ARTA).access_role is None
    assert "Arta Hoxha · koordinator" in arta_browser.get("/console/admin/people").text


@pytest.mark.parametrize(("changes", "field", "status", "message"), [
    ({"email": "DANIEL.price@example.org"}, "email", 409,
     "Someone in this institution has this email address already."),
    ({"email": "not-an-address"}, "email", 422, "Enter a valid email address, e.g. name@institution.gov.al."),
    ({"roles[]": []}, "roles", 422, "Tick at least one role."),
    ({"name": " "}, "name", 422, "This field is required."),
    ({"access_role": "minister"}, "access_role", 422, "Choose one of the options offered."),
])
def test_a_bad_new_person_is_refused_next_to_the_field_and_nothing_is_saved(
    admin: TestClient, demo: Engine, changes: dict[str, object], field: str, status: int, message: str
) -> None:
    before = _count(demo, Contact)
    page = admin.get("/console/admin/people")
    values = {"name": "Mira Kola", "email": "mira.kola@example.org", "institution_id": str(_moi(demo)),
              "language": "en", "roles[]": ["contact_point"], "access_role": ""} | changes
    refused = post_form(admin, "/console/admin/people", page.text, values)
    assert refused.status_code == status
    assert _error_of(refused.text, field) == message
    assert 'value="Mira Kola"' in refused.text or field == "name"
    assert _count(demo, Contact) == before


def test_an_edit_refused_next_to_its_field_saves_nothing(sq_admin: TestClient, demo: Engine) -> None:
    arta = _contact(demo, ARTA)
    page = sq_admin.get(f"/console/admin/people/{arta.id}")
    refused = post_form(sq_admin, f"/console/admin/people/{arta.id}", page.text, {
        **_person_fields(arta, email=DANIEL, name="Arta H.", access_role="viewer"),
        "updated_at": arta.updated_at.isoformat(),
    })
    assert refused.status_code == 409
    assert _error_of(refused.text, "email") == "Dikush tjetër në këtë institucion e ka tashmë këtë adresë email-i."
    unticked = post_form(sq_admin, f"/console/admin/people/{arta.id}", page.text, {
        **_person_fields(arta, **{"roles[]": [], "access_role": "viewer"}), "updated_at": arta.updated_at.isoformat(),
    })
    assert unticked.status_code == 422
    assert _error_of(unticked.text, "roles") == "Shënoni të paktën një rol."
    after = _contact(demo, ARTA)
    assert (after.name, after.email, after.access_role, after.roles, after.updated_at) == (
        arta.name, arta.email, None, arta.roles, arta.updated_at)


def test_a_stale_person_edit_is_refused_with_the_fresh_data(admin: TestClient, demo: Engine) -> None:
    daniel = _contact(demo, DANIEL)
    page = admin.get(f"/console/admin/people/{daniel.id}")
    with unit_of_work(demo) as session:  # someone else changes Daniel meanwhile
        domain_update_contact(session, daniel.id, ContactPatch(name="Daniel Price-Hoxha"), now=clock.now())
    stale = post_form(admin, f"/console/admin/people/{daniel.id}", page.text, {
        **_person_fields(daniel, language="sq"), "updated_at": daniel.updated_at.isoformat(),
    })
    assert stale.status_code == 412
    assert "Someone changed this person while you were editing." in stale.text
    assert 'value="Daniel Price-Hoxha"' in stale.text  # the fresh data in the form
    fresh = _contact(demo, DANIEL)
    assert (fresh.name, fresh.language) == ("Daniel Price-Hoxha", "en")
    assert f'name="updated_at" value="{fresh.updated_at.isoformat()}"' in stale.text
    # Resent from the fresh form, the change is saved.
    done = post_form(admin, f"/console/admin/people/{daniel.id}", stale.text, {
        **_person_fields(fresh, language="sq"), "updated_at": fresh.updated_at.isoformat(),
    }, follow_redirects=False)
    assert done.status_code == 303
    assert _contact(demo, DANIEL).language == "sq"


# Tokens --------------------------------------------------------------------------------------

def test_an_admin_creates_a_token_that_opens_the_api_until_revoked(admin: TestClient, demo: Engine) -> None:
    page = admin.get("/console/admin/tokens")
    assert page.status_code == 200
    created = post_form(admin, "/console/admin/tokens", page.text, {
        "name": "moi-reporting", "role": "coordinator", "institution_id": str(_moi(demo)), "expires_in_days": "30",
    })
    assert created.status_code == 201, created.text
    assert "Copy the token now: it will not be shown again." in created.text
    found = SECRET.search(created.text)
    assert found
    secret = found.group(1)
    api = {"Authorization": f"Bearer {secret}"}
    assert admin.get("/strategies", headers=api).status_code == 200
    listing = admin.get("/console/admin/tokens")
    assert "moi-reporting" in listing.text and secret not in listing.text
    assert secret[:12] in listing.text and "active" in listing.text and "Ministry of Interior" in listing.text
    with unit_of_work(demo) as session:
        token = session.scalars(select(ApiToken).where(col(ApiToken.name) == "moi-reporting")).one()
        assert (token.role, token.institution_id, (token.expires_at - token.created_at).days) == (
            "coordinator", _moi(demo), 30)
        token_id = token.id
    revoked = post_form(admin, f"/console/admin/tokens/{token_id}/revoke", listing.text, {}, follow_redirects=False)
    assert revoked.status_code == 303
    after = admin.get(revoked.headers["location"])
    assert "The token was revoked" in after.text and "revoked" in after.text
    assert f"/console/admin/tokens/{token_id}/revoke" not in after.text
    assert admin.get("/strategies", headers=api).status_code == 401


@pytest.mark.parametrize(("values", "field", "status", "message"), [
    ({"name": "taken", "role": "viewer"}, "name", 409, "A token with this name exists already."),
    ({"name": "fresh", "role": "coordinator"}, "institution_id", 422,
     "Coordinator and contact point tokens act for an institution: choose it."),
    ({"name": "12345", "role": "viewer"}, "name", 422,
     "Choose another name: on one line, not only digits, and not starting with “local-admin-”."),
    ({"name": "fresh", "role": "viewer", "expires_in_days": "0"}, "expires_in_days", 422, "Must be at least 1."),
    ({"name": "fresh", "role": "viewer", "expires_in_days": "soon"}, "expires_in_days", 422, "Enter a number."),
    ({"name": "fresh"}, "role", 422, "This field is required."),
])
def test_a_bad_token_is_refused_next_to_the_field(
    admin: TestClient, demo: Engine, values: dict[str, str], field: str, status: int, message: str
) -> None:
    page = admin.get("/console/admin/tokens")
    first = post_form(admin, "/console/admin/tokens", page.text, {"name": "taken", "role": "viewer"})
    assert first.status_code == 201
    before = _count(demo, ApiToken)
    refused = post_form(admin, "/console/admin/tokens", page.text, values)
    assert refused.status_code == status
    assert _error_of(refused.text, field) == message
    assert SECRET.search(refused.text) is None
    assert _count(demo, ApiToken) == before


# Who may -------------------------------------------------------------------------------------

ADMIN_PAGES = ["/console/admin/institutions", "/console/admin/people", "/console/admin/tokens"]


def test_a_coordinator_may_neither_open_nor_post_any_admin_page(
    person: PersonFactory, demo: Engine, token_for: TokenIssuer
) -> None:
    token_for("viewer", name="someone-else")
    arta = person(ARTA)
    daniel = _contact(demo, DANIEL)
    counts = (_count(demo, Institution), _count(demo, Contact), _count(demo, ApiToken))
    for path in [*ADMIN_PAGES, f"/console/admin/people/{daniel.id}"]:
        page = arta.get(path)
        assert page.status_code == 403, path
        assert "Vetëm administratorët" in page.text
        assert 'action="/console/admin' not in page.text
    forbidden = arta.get("/console/admin/people")
    posts = {
        "/console/admin/institutions": {"name": "Ministry of Finance"},
        "/console/admin/people": {"name": "X", "email": "x@example.org", "institution_id": str(_moi(demo)),
                                  "language": "en", "roles[]": ["coordinator"], "access_role": "admin"},
        f"/console/admin/people/{daniel.id}": {**_person_fields(daniel, access_role="admin"),
                                               "updated_at": daniel.updated_at.isoformat()},
        "/console/admin/tokens": {"name": "arta-admin", "role": "admin"},
    }
    for path, data in posts.items():
        assert post_form(arta, path, forbidden.text, data).status_code == 403, path
    with unit_of_work(demo) as session:
        token = session.scalars(select(ApiToken).where(col(ApiToken.name) == "someone-else")).one()
        token_id = token.id
    assert post_form(arta, f"/console/admin/tokens/{token_id}/revoke", forbidden.text, {}).status_code == 403
    assert (_count(demo, Institution), _count(demo, Contact), _count(demo, ApiToken)) == counts
    assert _contact(demo, DANIEL).access_role is None
    with unit_of_work(demo) as session:
        assert session.get(ApiToken, token_id).revoked_at is None  # type: ignore[union-attr]


def test_a_visitor_is_sent_to_sign_in(visitor: TestClient) -> None:
    for path in ADMIN_PAGES:
        answer = visitor.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/console/sign-in?next=")


def test_an_admin_post_without_the_form_token_is_refused(admin: TestClient, demo: Engine) -> None:
    before = _count(demo, Institution)
    refused = admin.post("/console/admin/institutions", data={"name": "Ministry of Finance", "csrf": "forged"})
    assert refused.status_code == 403
    assert _count(demo, Institution) == before


def test_a_long_list_of_institutions_is_paged(admin: TestClient, demo: Engine) -> None:
    with unit_of_work(demo) as session:
        for number in range(60):
            create_institution(session, InstitutionCreate(name=f"Agency {number:02}"), now=clock.now())
    total = _count(demo, Institution)
    first = admin.get("/console/admin/institutions")
    assert f"Showing 1 to 50 of {total}" in first.text
    assert "Agency 44" in first.text and "Agency 59" not in first.text
    assert '<a href="/console/admin/institutions?offset=50">Next page</a>' in first.text
    second = admin.get("/console/admin/institutions?offset=50")
    assert "Agency 59" in second.text and "Agency 44" not in second.text
    assert '<a href="/console/admin/institutions?offset=0">Previous page</a>' in second.text
