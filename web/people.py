"""Who is looking at a page: the signed-in person (from the session cookie), their language, and
the CSRF token their forms carry.

The session cookie holds only the session's random secret (HttpOnly, SameSite=Lax, Secure when the
request came over HTTPS); ``workflow.access.session_principal`` turns it into a ``Principal`` on
every request, so what a person may do follows their contact as it is now. Forms are protected
against CSRF twice: every POST must carry the token of the page it came from (the session's, or for
someone not signed in a random one kept in a cookie), and a browser's Origin, when sent, must be ours.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request, Response
from sqlalchemy import Engine

from web.i18n import best_language, pick_language
from workflow.access import Principal, SignedIn, session_principal
from workflow.core import Forbidden, clock, unit_of_work

SESSION_COOKIE = "continuum_session"
LANGUAGE_COOKIE = "continuum_lang"
ANONYMOUS_CSRF_COOKIE = "continuum_csrf"
CSRF_FIELD = "csrf"


class SignInRequired(Exception):
    """The page needs a signed-in person; the console answers with the sign-in page."""


class CsrfRefused(Forbidden):
    slug = "csrf-refused"
    title = "Form refused"


@dataclass
class Viewer:
    signed_in: SignedIn | None
    language: str
    csrf_token: str
    issue_csrf_cookie: bool = False
    cookie_language: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def principal(self) -> Principal | None:
        return self.signed_in.principal if self.signed_in else None


def _lookup(engine: Engine, secret: str) -> SignedIn | None:
    with unit_of_work(engine) as session:
        return session_principal(session, secret, now=clock.now())


def read_viewer(request: Request) -> Viewer:
    """The viewer of this request, computed once (``request.state.viewer``)."""
    existing: Viewer | None = getattr(request.state, "viewer", None)
    if existing is not None:
        return existing
    secret = request.cookies.get(SESSION_COOKIE)
    signed_in = _lookup(request.app.state.engine, secret) if secret else None
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    own = signed_in.language if signed_in else None
    language = pick_language(chosen, own, best_language(request.headers.get("accept-language")))
    anonymous = request.cookies.get(ANONYMOUS_CSRF_COOKIE)
    if signed_in is not None:
        viewer = Viewer(signed_in, language, signed_in.csrf_token, cookie_language=chosen)
    elif anonymous and 20 <= len(anonymous) <= 100 and anonymous.isascii():
        viewer = Viewer(None, language, anonymous, cookie_language=chosen)
    else:
        viewer = Viewer(None, language, secrets.token_urlsafe(32), issue_csrf_cookie=True, cookie_language=chosen)
    request.state.viewer = viewer
    return viewer


def signed_in_person(request: Request) -> SignedIn:
    signed_in = read_viewer(request).signed_in
    if signed_in is None:
        raise SignInRequired()
    return signed_in


def secure_cookies(request: Request) -> bool:
    return request.url.scheme == "https"


def set_cookie(request: Request, response: Response, name: str, value: str, *, max_age: int | None) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path="/console", httponly=True, samesite="lax", secure=secure_cookies(request)
    )


def check_csrf(request: Request, submitted: str | None) -> None:
    """Refuse a form that does not carry this viewer's token, or that a browser says came from elsewhere."""
    viewer = read_viewer(request)
    origin = request.headers.get("origin")
    own = f"{request.url.scheme}://{request.url.netloc}"
    if origin is not None and origin != "null" and origin.rstrip("/") != own:
        raise CsrfRefused("the form was sent from another site")
    if viewer.issue_csrf_cookie or not submitted or not submitted.isascii() \
            or not hmac.compare_digest(submitted, viewer.csrf_token):
        raise CsrfRefused("the form has expired or was not sent from Continuum: open the page again and resend it")


ViewerDep = Annotated[Viewer, Depends(read_viewer)]
PersonDep = Annotated[SignedIn, Depends(signed_in_person)]
