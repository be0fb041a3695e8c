"""Calendar feeds: create and revoke a contact's or an institution's feed URL, and serve the feed.

The feed itself (``GET /calendars/{token}.ics``) needs no bearer token: calendar clients cannot
send one, so its URL carries a token of its own. Guessing one is hopeless (256 random bits) and
costs the guesser's allowance of refused tokens (``api.throttle``, shared with bearer tokens); a
value that cannot be a feed token is answered 404 without a lookup. Logs never show the token
(``workflow.core.redact``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request, Response, status
from pydantic import BaseModel, Field

from api.auth import PrincipalDep
from api.deps import SessionDep, SettingsDep, id_path
from api.problems import responses
from api.throttle import Admission, FailureThrottle
from workflow import feeds
from workflow.core import NotFound, TooManyFailedAuthentications, clock

router = APIRouter(tags=["calendar feeds"])

FEED_PREFIX = "/calendars/"
CALENDAR_MEDIA_TYPE = "text/calendar; charset=utf-8"
CACHE_CONTROL = "private, max-age=900"  # a client may reuse it for 15 minutes, then asks again (ETag: 304)


class FeedUrl(BaseModel):
    url: str = Field(description="The feed's address, to subscribe to in a calendar client. Shown once: only "
                                 "its hash is kept; creating a feed again gives a new URL and ends this one.",
                     examples=["http://127.0.0.1:8000/calendars/ccf_Xb3...ics"])


CREATED = {**responses(403, 404, 409, 422)}
REVOKED = {**responses(403, 404, 409, 422)}


@router.post("/contacts/{contact_id}/calendar", status_code=status.HTTP_201_CREATED, response_model=FeedUrl,
             responses=CREATED)
def create_contact_feed(contact_id: Annotated[int, id_path("contact")], principal: PrincipalDep,
                        session: SessionDep, settings: SettingsDep) -> FeedUrl:
    """A new calendar feed of what concerns this person (admins, or the person themselves); their
    previous feed URL stops working."""
    owner = feeds.contact_feed_owner(session, contact_id, principal)
    issued = feeds.issue_feed(session, owner, now=clock.now())
    return FeedUrl(url=feeds.feed_url(settings, issued.plain))


@router.delete("/contacts/{contact_id}/calendar", status_code=status.HTTP_204_NO_CONTENT, responses=REVOKED)
def revoke_contact_feed(contact_id: Annotated[int, id_path("contact")], principal: PrincipalDep,
                        session: SessionDep) -> Response:
    """Revoke the person's feed: its URL answers 404 from now on."""
    feeds.revoke_feed(session, feeds.contact_feed_owner(session, contact_id, principal), now=clock.now())
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/institutions/{institution_id}/calendar", status_code=status.HTTP_201_CREATED, response_model=FeedUrl,
             responses=CREATED)
def create_institution_feed(institution_id: Annotated[int, id_path("institution")], principal: PrincipalDep,
                            session: SessionDep, settings: SettingsDep) -> FeedUrl:
    """A new calendar feed of what concerns the institution (admins, or its coordinators); its
    previous feed URL stops working."""
    owner = feeds.institution_feed_owner(session, institution_id, principal)
    issued = feeds.issue_feed(session, owner, now=clock.now())
    return FeedUrl(url=feeds.feed_url(settings, issued.plain))


@router.delete("/institutions/{institution_id}/calendar", status_code=status.HTTP_204_NO_CONTENT, responses=REVOKED)
def revoke_institution_feed(institution_id: Annotated[int, id_path("institution")], principal: PrincipalDep,
                            session: SessionDep) -> Response:
    """Revoke the institution's feed: its URL answers 404 from now on."""
    feeds.revoke_feed(session, feeds.institution_feed_owner(session, institution_id, principal), now=clock.now())
    return Response(status_code=status.HTTP_204_NO_CONTENT)


FEED_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The calendar (RFC 5545)", "content": {"text/calendar": {"schema": {"type": "string"}}}},
    304: {"description": "Unchanged since the ETag sent in If-None-Match"},
    **responses(404, 422, 429),
}


def _admit(request: Request, token: str) -> tuple[FailureThrottle, Admission]:
    throttle: FailureThrottle = request.app.state.throttle
    admission = throttle.admit(request.client.host if request.client else "unknown", token)
    if admission.retry_after is not None:
        raise TooManyFailedAuthentications(admission.retry_after)
    return throttle, admission


@router.get(FEED_PREFIX + "{token}.ics", response_class=Response, responses=FEED_RESPONSES)
def calendar_feed(
    token: Annotated[str, Path(max_length=100, description="The feed's token, from its URL.")],
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    if_none_match: Annotated[str | None, Header(max_length=200, description="The ETag you have.")] = None,
) -> Response:
    """The feed: the owner's deadlines as all-day events, each with an alarm three days before. No
    bearer token: the URL is the credential. Unknown and revoked URLs answer 404."""
    if not feeds.looks_like_feed_token(token):
        raise NotFound("no such calendar feed")
    throttle, admission = _admit(request, token)
    try:
        owner = feeds.open_feed(session, token)
    except NotFound:
        throttle.refused(admission)
        raise
    throttle.verified(admission)
    document = feeds.feed_document(session, owner, settings, now=clock.now())
    headers = {"Cache-Control": CACHE_CONTROL, "ETag": document.etag}
    if if_none_match is not None and document.etag in (tag.strip() for tag in if_none_match.split(",")):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    headers["Content-Disposition"] = 'inline; filename="continuum.ics"'
    return Response(document.body, media_type=CALENDAR_MEDIA_TYPE, headers=headers)
