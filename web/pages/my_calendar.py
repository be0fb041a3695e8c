"""My calendar: the signed-in person's own calendar feed, managed from "What needs me".

The API lets only admins manage a person's feed (its tokens name no person); here a person gets a
link for their own contact, or a new one that ends the old, and stops it, through the same domain
services (``workflow.feeds``), which decide that a person may manage their own feed. The URL is
shown once, on the answer to the form: only its hash is kept. The forms name no contact, so nobody
can reach another person's feed from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from web.deps import SettingsDep, changing
from web.forms import PostedForm
from web.people import PersonDep, check_csrf
from web.rendering import render
from web.words import N_
from workflow.access import Principal, SignedIn
from workflow.core import Forbidden, Settings, clock
from workflow.feeds import contact_feed_owner, feed_url, issue_feed, live_feed, revoke_feed

router = APIRouter()
STOPPED = "calendar-stopped"  # the ``done`` of "What needs me" once the link was stopped
NO_CONTACT = N_("Only a person signed in with their own email address has a calendar of their own.")


@dataclass(frozen=True)
class MyCalendar:
    since: date | None  # the day the working link was issued; None: no working link


def my_calendar(session: Session, principal: Principal, settings: Settings) -> MyCalendar | None:
    """Whether the person has a working link, for their page; None for a principal without a contact."""
    if principal.contact_id is None:
        return None
    feed = live_feed(session, contact_feed_owner(session, principal.contact_id, principal))
    return MyCalendar(since=clock.local_date(feed.created_at, settings.zone) if feed is not None else None)


def _own_contact(request: Request, person: SignedIn, form: PostedForm) -> int:
    """Every POST here starts with the form's CSRF token, then the person's own contact."""
    csrf = form.get("csrf")
    check_csrf(request, csrf if isinstance(csrf, str) else None)
    if person.principal.contact_id is None:
        raise Forbidden(NO_CONTACT)
    return person.principal.contact_id


@router.post("/me/calendar", response_class=HTMLResponse)
def get_link(request: Request, person: PersonDep, settings: SettingsDep, form: PostedForm) -> Response:
    """A new link for the person's own calendar; the previous one stops working in the same change."""
    contact_id = _own_contact(request, person, form)
    with changing(request) as session:
        owner = contact_feed_owner(session, contact_id, person.principal)
        issued = issue_feed(session, owner, now=clock.now())
    return render(request, "my_calendar_link.html", {"url": feed_url(settings, issued.plain)}, status_code=201)


@router.post("/me/calendar/stop")
def stop_link(request: Request, person: PersonDep, form: PostedForm) -> Response:
    contact_id = _own_contact(request, person, form)
    with changing(request) as session:
        revoke_feed(session, contact_feed_owner(session, contact_id, person.principal), now=clock.now())
    return RedirectResponse(f"/console/me?done={STOPPED}#my-calendar", status_code=303)
