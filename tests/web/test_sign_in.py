"""Signing in with an emailed one-time link, through a real SMTP server; sessions, sign-out, CSRF."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from freezegun import freeze_time
from sqlalchemy import Engine, func, select

from api.app import create_app
from tests.smtp_sink import smtp_sink
from tests.web.conftest import ARTA, BESNIK, DANIEL
from tests.web.console import csrf_of, link_for, sign_in
from workflow.access import SignInLink, WebSession
from workflow.core import Settings, clock, new_session

LINK = re.compile(r"(http://\S+/console/sign-in/link\?token=(csl_[A-Za-z0-9_\-]+))")


@pytest.fixture
def mailed(settings: Settings, demo: Engine):
    """A visitor whose Continuum sends email to a real SMTP server: (client, handler)."""
    with smtp_sink() as (port, handler):
        configured = settings.model_copy(update={"smtp_port": port})
        with TestClient(create_app(configured, demo), raise_server_exceptions=False) as client:
            yield client, handler


def ask_for_link(client: TestClient, email: str):
    form = client.get("/console/sign-in")
    return client.post("/console/sign-in", data={"email": email, "csrf": csrf_of(form.text), "next": ""})


def test_a_person_signs_in_with_the_link_from_the_email(mailed):
    client, handler = mailed
    answer = ask_for_link(client, "Arta.Hoxha@example.org")
    assert answer.status_code == 200
    assert "Check your email" in answer.text or "Shikoni email-in" in answer.text
    message = handler.wait_for(1)[0]
    assert message["To"].addresses[0].addr_spec == ARTA
    assert "identifikuar" in message["Subject"]  # Arta's language is Albanian
    url, secret = LINK.search(message.get_body(("plain",)).get_content()).groups()
    assert url.startswith("http://127.0.0.1:8000/console/")  # where `continuum serve` listens by default

    confirm = client.get(url.removeprefix("http://127.0.0.1:8000"))
    assert confirm.status_code == 200 and 'type="submit"' in confirm.text
    assert client.get("/console/portfolio", follow_redirects=False).status_code == 303  # not signed in by the GET
    done = client.post("/console/sign-in/link", data={"token": secret, "csrf": csrf_of(confirm.text)},
                       follow_redirects=False)
    assert done.status_code == 303
    cookie = done.headers["set-cookie"]
    assert "continuum_session=css_" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http here; https requests get Secure
    page = client.get("/console/me")
    assert page.status_code == 200 and "Arta Hoxha" in page.text and "koordinator" in page.text


def test_the_answer_does_not_say_whether_the_address_is_known(mailed):
    client, handler = mailed
    known = ask_for_link(client, DANIEL)
    unknown = ask_for_link(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace(DANIEL, "X") == unknown.text.replace("nobody@example.org", "X")
    assert len(handler.wait_for(1)) == 1
    assert [m["To"].addresses[0].addr_spec for m in handler.messages] == [DANIEL]


def test_a_link_works_once(person, demo: Engine, visitor: TestClient):
    secret = link_for(demo, DANIEL)
    page = visitor.get(f"/console/sign-in/link?token={secret}")
    first = visitor.post("/console/sign-in/link", data={"token": secret, "csrf": csrf_of(page.text)},
                         follow_redirects=False)
    assert first.status_code == 303
    with TestClient(visitor.app, raise_server_exceptions=False) as other:
        page = other.get(f"/console/sign-in/link?token={secret}")
        again = other.post("/console/sign-in/link", data={"token": secret, "csrf": csrf_of(page.text)})
        assert again.status_code == 401 and "cannot be used" in again.text


def test_a_link_expires_after_its_minutes(demo: Engine, visitor: TestClient, settings: Settings):
    secret = link_for(demo, DANIEL)
    page = visitor.get(f"/console/sign-in/link?token={secret}")
    with freeze_time(clock.now() + timedelta(minutes=settings.sign_in_link_minutes, seconds=1)):
        late = visitor.post("/console/sign-in/link", data={"token": secret, "csrf": csrf_of(page.text)})
    assert late.status_code == 401


def test_links_and_sessions_are_stored_only_as_hashes(demo: Engine, visitor: TestClient):
    secret = link_for(demo, DANIEL)
    sign_in(visitor, demo, DANIEL)
    session_secret = visitor.cookies["continuum_session"]
    with new_session(demo) as session:
        stored = [*session.scalars(select(SignInLink.secret_hash)), *session.scalars(select(WebSession.secret_hash))]
    assert stored and all(len(value) == 64 for value in stored)
    assert secret not in stored and session_secret not in stored


def test_signing_out_ends_the_session(person):
    client = person(DANIEL)
    page = client.get("/console/me")
    secret = client.cookies["continuum_session"]
    out = client.post("/console/sign-out", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert out.status_code == 303
    client.cookies.set("continuum_session", secret, path="/console")  # a copied cookie no longer works
    assert client.get("/console/me", follow_redirects=False).status_code == 303


def test_a_session_expires(person, settings: Settings):
    client = person(DANIEL)
    with freeze_time(clock.now() + timedelta(hours=settings.session_hours, seconds=1)):
        assert client.get("/console/me", follow_redirects=False).status_code == 303


def test_a_form_without_the_pages_token_is_refused(person):
    client = person(DANIEL)
    refused = client.post("/console/sign-out", data={"csrf": "forged"})
    assert refused.status_code == 403
    assert client.get("/console/me").status_code == 200  # still signed in


def test_a_form_posted_from_another_site_is_refused(person):
    client = person(DANIEL)
    page = client.get("/console/me")
    refused = client.post("/console/sign-out", data={"csrf": csrf_of(page.text)},
                          headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403


def test_requests_for_links_are_throttled_per_address(mailed, demo: Engine, settings: Settings):
    client, handler = mailed
    for _ in range(settings.sign_in_links_per_hour + 2):
        assert ask_for_link(client, BESNIK).status_code in (200, 429)
    with new_session(demo) as session:
        issued = session.scalar(select(func.count()).select_from(SignInLink))
    assert issued == settings.sign_in_links_per_hour


def test_requests_for_links_are_throttled_per_client(settings: Settings, demo: Engine):
    configured = settings.model_copy(update={"sign_in_requests_per_minute": 2, "smtp_port": 9})
    with TestClient(create_app(configured, demo), raise_server_exceptions=False) as client:
        answers = [ask_for_link(client, f"someone{i}@example.org").status_code for i in range(3)]
    assert answers == [200, 200, 429]


def test_the_next_page_is_kept_but_only_within_the_console(visitor: TestClient):
    bounced = visitor.get("/console/me", follow_redirects=False)
    assert bounced.status_code == 303 and bounced.headers["location"].startswith("/console/sign-in?next=")
    page = visitor.get("/console/sign-in?next=//evil.example/x")
    assert 'value="/console/portfolio"' in page.text


def test_a_person_sees_their_language_and_can_switch(person):
    arta = person(ARTA)
    page = arta.get("/console/me")
    assert '<html lang="sq">' in page.text
    switched = arta.post("/console/language", data={"language": "en", "csrf": csrf_of(page.text),
                                                    "next": "/console/me"}, follow_redirects=False)
    assert switched.status_code == 303
    assert '<html lang="en">' in arta.get("/console/me").text


def test_a_visitor_gets_the_language_of_their_browser(visitor: TestClient):
    page = visitor.get("/console/sign-in", headers={"Accept-Language": "sq-AL,sq;q=0.9,en;q=0.5"})
    assert '<html lang="sq">' in page.text and "Identifikohuni" in page.text
    assert '<html lang="en">' in visitor.get("/console/sign-in", headers={"Accept-Language": "de"}).text


def test_the_link_leads_to_the_public_url_whatever_host_the_request_names(settings: Settings, demo: Engine):
    with smtp_sink() as (port, handler):
        configured = settings.model_copy(update={"smtp_port": port, "public_url": "https://continuum.example.al"})
        with TestClient(create_app(configured, demo), base_url="http://evil.example") as client:
            assert ask_for_link(client, DANIEL).status_code == 200
            body = handler.wait_for(1)[0].get_body(("plain",)).get_content()
    assert "https://continuum.example.al/console/sign-in/link?token=csl_" in body
    assert "evil.example" not in body


def test_signing_in_again_ends_the_browsers_previous_session(person, demo: Engine):
    client = person(DANIEL)
    first = client.cookies["continuum_session"]
    sign_in(client, demo, DANIEL)
    assert client.cookies["continuum_session"] != first
    with new_session(demo) as session:
        still_open = select(func.count()).select_from(WebSession).where(WebSession.ended_at.is_(None))
        open_sessions = session.scalar(still_open)
    assert open_sessions == 1


def test_a_changed_address_ends_the_sessions_and_links_of_the_old_one(person, demo: Engine, visitor: TestClient):
    from workflow.access import contacts_with_address
    from workflow.core import unit_of_work
    from workflow.directory import ContactPatch, update_contact

    client = person(DANIEL)
    secret = link_for(demo, DANIEL)
    with unit_of_work(demo) as session:
        daniel = contacts_with_address(session, DANIEL)[0]
        update_contact(session, daniel.id, ContactPatch(email="d.price@example.org"), now=clock.now())
    assert client.get("/console/me", follow_redirects=False).status_code == 303
    page = visitor.get(f"/console/sign-in/link?token={secret}")
    assert visitor.post("/console/sign-in/link", data={"token": secret, "csrf": csrf_of(page.text)}).status_code == 401


@pytest.mark.parametrize("token", ["é", "\u00b2", "x" * 150])
def test_a_garbled_form_token_is_refused_not_a_server_error(person, token: str):
    client = person(DANIEL)
    assert client.post("/console/sign-out", data={"csrf": token}).status_code == 403


def test_the_console_without_its_slash_is_still_the_console(visitor: TestClient):
    answer = visitor.get("/console", follow_redirects=False)
    assert answer.status_code in (301, 302, 303, 307, 308)
    assert visitor.get("/console").headers["content-type"].startswith("text/html")


def test_the_favicon_is_served_to_anyone(visitor: TestClient):
    icon = visitor.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")


def test_the_sign_in_button_speaks_the_language_of_the_person_the_link_is_for(demo: Engine, visitor: TestClient):
    page = visitor.get(f"/console/sign-in/link?token={link_for(demo, ARTA)}", headers={"Accept-Language": "en"})
    assert '<html lang="sq">' in page.text and "Identifikohuni" in page.text
    assert '<html lang="en">' in visitor.get("/console/sign-in/link?token=csl_unknown").text
