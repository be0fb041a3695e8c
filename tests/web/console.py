"""What the console tests share: reading a page's CSRF token and form fields, signing a person in
through the real link flow, and the demo portfolio loaded as ``continuum demo`` loads it."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlmodel import col

from workflow.access import issue_link_for
from workflow.core import clock, unit_of_work
from workflow.directory import Contact

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return unescape(found.group(1))


def link_for(engine: Engine, email: str) -> str:
    """A fresh one-time sign-in secret for the contact with ``email`` (the first, if several)."""
    with unit_of_work(engine) as session:
        contact = session.scalars(select(Contact).where(col(Contact.email_key) == email.lower())).first()
        assert contact is not None, f"no contact {email}"
        return issue_link_for(session, contact, now=clock.now(), lifetime=timedelta(minutes=15)).secret


def sign_in(client: TestClient, engine: Engine, email: str) -> TestClient:
    """Sign ``client`` in as ``email`` the way a person does: open the link, press Sign in."""
    secret = link_for(engine, email)
    page = client.get(f"/console/sign-in/link?token={secret}")
    assert page.status_code == 200, page.text
    done = client.post("/console/sign-in/link", data={"token": secret, "csrf": csrf_of(page.text)},
                       follow_redirects=False)
    assert done.status_code == 303, done.text
    return client


def post_form(client: TestClient, path: str, page_html: str, data: dict[str, str], **kwargs: object):
    """Post ``data`` with the CSRF token of the page the form came from."""
    return client.post(path, data={"csrf": csrf_of(page_html), **data}, **kwargs)  # type: ignore[arg-type]
