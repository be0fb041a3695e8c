"""Signing in and out, and choosing the language.

The sign-in form answers the same whether or not the address is known, and sends the email after
the response (and after the commit). Opening an emailed link shows a "Sign in" button rather than
signing in at once, so a mail scanner that fetches the link does not use it up.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web.deps import SettingsDep
from web.forms import FormErrors
from web.i18n import LANGUAGES, catalog
from web.mailer import send_links
from web.people import (
    ANONYMOUS_CSRF_COOKIE,
    LANGUAGE_COOKIE,
    SESSION_COOKIE,
    ViewerDep,
    check_csrf,
    set_cookie,
)
from web.rendering import render
from web.throttle import RequestThrottle
from workflow.access import end_session, link_language, redeem_link, request_links
from workflow.core import Unauthenticated, clock, unit_of_work

router = APIRouter()
HOME = "/console/portfolio"


def safe_next(target: str | None) -> str:
    """Only a path of the console: never another host (``//evil``, ``/\\evil``, ``https://``)."""
    if not target or not target.startswith("/console") or target.startswith("//") or "\\" in target:
        return HOME
    return target


@router.get("/", include_in_schema=False)
def home() -> Response:
    return RedirectResponse(HOME, status_code=303)


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(
    request: Request, viewer: ViewerDep, next: Annotated[str | None, Query(max_length=2000)] = None
) -> Response:
    if viewer.signed_in is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "sign_in.html", {"next": safe_next(next), "errors": FormErrors(), "email": ""})


@router.post("/sign-in", response_class=HTMLResponse)
def ask_for_link(
    request: Request,
    viewer: ViewerDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=320)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    check_csrf(request, csrf)
    _ = catalog(viewer.language).gettext
    address = email.strip()
    if "@" not in address or any(c.isspace() for c in address) or len(address) > 320:
        errors = FormErrors()
        errors.add("email", _("Enter your email address, e.g. name@institution.gov.al."))
        return render(request, "sign_in.html", {"next": safe_next(next), "errors": errors, "email": address},
                      status_code=422)
    client = request.client.host if request.client else "unknown"
    throttle: RequestThrottle = request.app.state.sign_in_throttle
    wait = throttle.retry_after(client)
    if wait is not None:
        errors = FormErrors()
        errors.add(None, _("Too many sign-in requests from this computer. Try again in a minute."))
        response = render(request, "sign_in.html", {"next": safe_next(next), "errors": errors, "email": address},
                          status_code=429)
        response.headers["Retry-After"] = str(wait)
        return response
    with unit_of_work(request.app.state.engine) as session:
        links = request_links(
            session, address, now=clock.now(), lifetime=timedelta(minutes=settings.sign_in_link_minutes),
            per_address=settings.sign_in_links_per_hour,
        )
    if links:
        # Sent from a thread of its own, after the commit: the answer, and the next request on this
        # connection, take as long whether or not the address is known.
        senders: ThreadPoolExecutor = request.app.state.mail_senders
        senders.submit(send_links, settings, links)
    return render(request, "sign_in_sent.html", {"email": address, "minutes": settings.sign_in_link_minutes})


@router.get("/sign-in/link", response_class=HTMLResponse)
def confirm_form(request: Request, viewer: ViewerDep, token: Annotated[str, Query(max_length=200)] = "") -> Response:
    if viewer.cookie_language is None and viewer.signed_in is None:  # greet the person in their own language
        with unit_of_work(request.app.state.engine) as session:
            viewer.language = link_language(session, token, now=clock.now()) or viewer.language
    return render(request, "sign_in_confirm.html", {"token": token})


@router.post("/sign-in/link")
def confirm(
    request: Request,
    viewer: ViewerDep,
    settings: SettingsDep,
    token: Annotated[str, Form(max_length=200)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    check_csrf(request, csrf)
    lifetime = timedelta(hours=settings.session_hours)
    try:
        with unit_of_work(request.app.state.engine) as session:
            opened = redeem_link(session, token, now=clock.now(), session_lifetime=lifetime)
            previous = request.cookies.get(SESSION_COOKIE)
            if previous:  # signing in again in this browser ends the session it had
                end_session(session, previous, now=clock.now())
    except Unauthenticated:
        return render(request, "sign_in_confirm.html", {"token": "", "refused": True}, status_code=401)
    response = RedirectResponse(HOME, status_code=303)
    set_cookie(request, response, SESSION_COOKIE, opened.secret, max_age=int(lifetime.total_seconds()))
    response.delete_cookie(ANONYMOUS_CSRF_COOKIE, path="/console")
    return response


@router.post("/sign-out")
def sign_out(request: Request, viewer: ViewerDep, csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    check_csrf(request, csrf)
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        with unit_of_work(request.app.state.engine) as session:
            end_session(session, secret, now=clock.now())
    response = RedirectResponse("/console/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return response


@router.post("/language")
def choose_language(
    request: Request,
    viewer: ViewerDep,
    language: Annotated[str, Form(max_length=5)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    check_csrf(request, csrf)
    response = RedirectResponse(safe_next(next), status_code=303)
    if language in LANGUAGES:
        set_cookie(request, response, LANGUAGE_COOKIE, language, max_age=365 * 86400)
    return response
