"""Consultation rounds in the console: a strategy's rounds and the form to open one, a round's page
with its channels, dates, history, events, submissions and their answers, and the forms that add
to them, extend the round and close it.

Each form calls the same service as the API's ``/consultations`` endpoints (same authorization,
dates and refusals): the change runs in ``changing(request)``, a refusal is caught outside it (so
nothing is half-saved) and the page is shown again from fresh data, the refusal worded next to its
field. Extending and closing carry the round's version: a stale form changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session
from starlette.datastructures import FormData

from web.deps import ReadSession, SettingsDep, changing
from web.forms import PostedForm, parse
from web.i18n import catalog
from web.pages.consultation_forms import (
    ANSWER_FIELDS,
    CLOSE_FIELDS,
    EVENT_FIELDS,
    EXTEND_FIELDS,
    OPEN_FIELDS,
    SUBMISSION_FIELDS,
    Refusal,
    event_locate,
    participants_of,
    posted_of,
    refusal_of,
    request_values,
    text,
    version_seen,
)
from web.pages.consultation_views import round_context, strategy_block
from web.people import PersonDep, check_csrf, read_viewer
from web.rendering import render
from web.words import N_
from workflow import consultation
from workflow.access import Principal, SignedIn
from workflow.calendar import working_calendar
from workflow.core import DomainError, NotFound, Settings, clock, unit_of_work
from workflow.directory import get_institution
from workflow.lifecycle import get_strategy

router = APIRouter()
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Language = Annotated[Literal["en", "sq"] | None, Query(description="Default: the viewer's language.")]
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
NOTICES = {
    "opened": N_("The consultation round is open."),
    "event": N_("The event is recorded."),
    "submission": N_("The submission is recorded."),
    "answered": N_("The answer is recorded."),
    "extended": N_("The round is extended."),
    "closed": N_("The round is closed."),
}


def _notice(language: str, done: str | None) -> str | None:
    return catalog(language).gettext(NOTICES[done]) if done in NOTICES else None


def _csrf(request: Request, form: PostedForm) -> None:
    check_csrf(request, text(form, "csrf") or None)


# A strategy's rounds ---------------------------------------------------------------------------

def _strategy_page(
    request: Request, session: Session, strategy_id: int, principal: Principal, settings: Settings, *,
    refusal: Refusal | None = None,
) -> HTMLResponse:
    strategy = get_strategy(session, strategy_id)
    language = read_viewer(request).language
    return render(request, "consultation_strategy.html", {
        "strategy": strategy, "institution": get_institution(session, strategy.lead_institution_id).name,
        "consultation": strategy_block(session, strategy, principal, settings, language,
                                       calendar=working_calendar(session, settings), refusal=refusal),
    }, status_code=refusal.status if refusal else 200)


@router.get("/strategies/{strategy_id}/consultations", response_class=HTMLResponse)
def strategy_rounds(
    request: Request, strategy_id: Id, person: PersonDep, session: ReadSession, settings: SettingsDep
) -> Response:
    return _strategy_page(request, session, strategy_id, person.principal, settings)


@router.post("/strategies/{strategy_id}/consultations", response_class=HTMLResponse)
def open_round(
    request: Request, strategy_id: Id, person: PersonDep, settings: SettingsDep, form: PostedForm
) -> Response:
    """As ``POST /strategies/{id}/consultations``."""
    _csrf(request, form)
    principal = person.principal
    posted = posted_of(form, OPEN_FIELDS)
    try:
        with changing(request) as session:
            command = parse(consultation.RoundOpen, request_values(posted))
            opened = consultation.open_round(session, principal, strategy_id, command, settings=settings,
                                             now=clock.now())
            round_id = opened.id
    except (DomainError, ValidationError) as failure:
        if isinstance(failure, NotFound):
            raise
        with unit_of_work(request.app.state.engine) as session:
            strategy = get_strategy(session, strategy_id)
            institution = get_institution(session, strategy.lead_institution_id).name
            refusal = refusal_of(failure, read_viewer(request).language, form="open", known=OPEN_FIELDS,
                                 posted=posted, institution=institution)
            return _strategy_page(request, session, strategy_id, principal, settings, refusal=refusal)
    return RedirectResponse(f"/console/consultations/{round_id}?done=opened", status_code=303)


# One round -------------------------------------------------------------------------------------

def _round_page(
    request: Request, session: Session, round_id: int, principal: Principal, settings: Settings, *,
    refusal: Refusal | None = None, done: str | None = None,
) -> HTMLResponse:
    language = read_viewer(request).language
    context = round_context(session, round_id, principal, settings, language, refusal=refusal)
    context["notice"] = _notice(language, done)
    return render(request, "consultation_round.html", context, status_code=refusal.status if refusal else 200)


@router.get("/consultations/{round_id}", response_class=HTMLResponse)
def round_page(
    request: Request, round_id: Id, person: PersonDep, session: ReadSession, settings: SettingsDep,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    return _round_page(request, session, round_id, person.principal, settings, done=done)


def _refused(
    request: Request, round_id: int, principal: Principal, settings: Settings, failure: DomainError | ValidationError,
    *, form: str, known: tuple[str, ...], posted: dict[str, Any], locate: Any = None,
) -> HTMLResponse:
    if isinstance(failure, NotFound):
        raise failure
    with unit_of_work(request.app.state.engine) as session:
        strategy = get_strategy(session, consultation.get_round(session, round_id).strategy_id)
        institution = get_institution(session, strategy.lead_institution_id).name
        refusal = refusal_of(failure, read_viewer(request).language, form=form, known=known, posted=posted,
                             institution=institution, locate=locate)
        return _round_page(request, session, round_id, principal, settings, refusal=refusal)


def _done(round_id: int, done: str, anchor: str) -> RedirectResponse:
    return RedirectResponse(f"/console/consultations/{round_id}?done={done}#{anchor}", status_code=303)


@router.post("/consultations/{round_id}/events", response_class=HTMLResponse)
def add_event(request: Request, round_id: Id, person: PersonDep, settings: SettingsDep, form: PostedForm) -> Response:
    """As ``POST /consultations/{id}/events``: participants by category from ``participants-<code>``."""
    _csrf(request, form)
    posted = posted_of(form, EVENT_FIELDS)
    with unit_of_work(request.app.state.engine) as session:
        codes = [c.code for c in consultation.list_categories(session)]
    participants, shown = participants_of(form, codes)
    posted["participants"] = shown
    known = (*EVENT_FIELDS, *(f"participants-{code}" for code in codes))
    try:
        with changing(request) as session:
            values = request_values({k: v for k, v in posted.items() if k != "participants"})
            command = parse(consultation.EventCreate, {**values, "participants": participants})
            consultation.record_event_of_round(session, person.principal, round_id, command, settings=settings,
                                               now=clock.now())
    except (DomainError, ValidationError) as failure:
        return _refused(request, round_id, person.principal, settings, failure, form="event", known=known,
                        posted=posted, locate=event_locate)
    return _done(round_id, "event", "events")


def _record(
    request: Request, round_id: int, person: SignedIn, settings: Settings, form: FormData, *, name: str,
    fields: tuple[str, ...], command: type[Any], act: Callable[[Session, Any], object], done: str, anchor: str,
) -> Response:
    """The form ``name`` of a round's page: its ``fields`` parsed as ``command`` and handed to ``act``
    in one unit of work; a refusal shows the page again with what was typed, else back to ``anchor``."""
    posted = posted_of(form, fields)
    try:
        with changing(request) as session:
            act(session, parse(command, request_values(posted)))
    except (DomainError, ValidationError) as failure:
        return _refused(request, round_id, person.principal, settings, failure, form=name, known=fields,
                        posted=posted)
    return _done(round_id, done, anchor)


@router.post("/consultations/{round_id}/submissions", response_class=HTMLResponse)
def add_submission(
    request: Request, round_id: Id, person: PersonDep, settings: SettingsDep, form: PostedForm
) -> Response:
    """As ``POST /consultations/{id}/submissions``."""
    _csrf(request, form)
    return _record(
        request, round_id, person, settings, form, name="submission", fields=SUBMISSION_FIELDS,
        command=consultation.SubmissionCreate, done="submission", anchor="submissions",
        act=lambda session, command: consultation.record_submission(
            session, person.principal, round_id, command, settings=settings, now=clock.now()),
    )


@router.post("/submissions/{submission_id}/response", response_class=HTMLResponse)
def answer(
    request: Request, submission_id: Id, person: PersonDep, settings: SettingsDep, form: PostedForm
) -> Response:
    """As ``POST /submissions/{id}/response``: the answer (a later one replaces it as the answer)."""
    _csrf(request, form)
    with unit_of_work(request.app.state.engine) as session:
        round_id = consultation.get_submission(session, submission_id).round_id
    return _record(
        request, round_id, person, settings, form, name=f"answer-{submission_id}", fields=ANSWER_FIELDS,
        command=consultation.ResponseCreate, done="answered", anchor=f"submission-{submission_id}",
        act=lambda session, command: consultation.respond(
            session, person.principal, submission_id, command, settings=settings, now=clock.now()),
    )


@router.post("/consultations/{round_id}/extend", response_class=HTMLResponse)
def extend(request: Request, round_id: Id, person: PersonDep, settings: SettingsDep, form: PostedForm) -> Response:
    """As ``POST /consultations/{id}/extend``, with the version the page showed (If-Match)."""
    _csrf(request, form)
    return _record(
        request, round_id, person, settings, form, name="extend", fields=EXTEND_FIELDS,
        command=consultation.RoundExtend, done="extended", anchor="dates",
        act=lambda session, command: consultation.extend_round(
            session, person.principal, round_id, command, settings=settings, now=clock.now(),
            if_match=version_seen(form)),
    )


@router.post("/consultations/{round_id}/close", response_class=HTMLResponse)
def close(request: Request, round_id: Id, person: PersonDep, settings: SettingsDep, form: PostedForm) -> Response:
    """As ``POST /consultations/{id}/close``, with the version the page showed (If-Match)."""
    _csrf(request, form)
    return _record(
        request, round_id, person, settings, form, name="close", fields=CLOSE_FIELDS,
        command=consultation.RoundClose, done="closed", anchor="dates",
        act=lambda session, command: consultation.close_round(
            session, person.principal, round_id, command, settings=settings, now=clock.now(),
            if_match=version_seen(form)),
    )


# The consultation report ----------------------------------------------------------------------

def _report(
    request: Request, session: Session, settings: Settings, lang: str | None, *, as_csv: bool, name: str,
    strategy_id: int | None = None, round_id: int | None = None,
) -> Response:
    """The domain's report (``workflow.consultation.report``) as the API serves it, in ``lang`` or
    the viewer's language: the printable page under its own policy (its one hashed style), or CSV."""
    language = lang or read_viewer(request).language
    report = consultation.report_for(session, strategy_id, round_id=round_id, today=clock.today(settings.zone),
                                     calendar=working_calendar(session, settings))
    headers = {"Cache-Control": "no-store", "Content-Language": language}
    if as_csv:
        headers["Content-Disposition"] = f'attachment; filename="{name}-{language}.csv"'
        return Response(consultation.as_csv(report, language), media_type=CSV_MEDIA_TYPE, headers=headers)
    headers["Content-Security-Policy"] = consultation.CONTENT_SECURITY_POLICY
    return HTMLResponse(consultation.as_html(report, language), headers=headers)


@router.get("/consultations/{round_id}/report", response_class=HTMLResponse)
def round_report(
    request: Request, round_id: Id, person: PersonDep, session: ReadSession, settings: SettingsDep,
    lang: Language = None,
) -> Response:
    return _report(request, session, settings, lang, as_csv=False, name="", round_id=round_id)


@router.get("/consultations/{round_id}/report.csv")
def round_report_csv(
    request: Request, round_id: Id, person: PersonDep, session: ReadSession, settings: SettingsDep,
    lang: Language = None,
) -> Response:
    return _report(request, session, settings, lang, as_csv=True, name=f"consultation-round-{round_id}",
                   round_id=round_id)


@router.get("/strategies/{strategy_id}/consultation-report", response_class=HTMLResponse)
def strategy_report(
    request: Request, strategy_id: Id, person: PersonDep, session: ReadSession, settings: SettingsDep,
    lang: Language = None,
) -> Response:
    return _report(request, session, settings, lang, as_csv=False, name="", strategy_id=strategy_id)


@router.get("/strategies/{strategy_id}/consultation-report.csv")
def strategy_report_csv(
    request: Request, strategy_id: Id, person: PersonDep, session: ReadSession, settings: SettingsDep,
    lang: Language = None,
) -> Response:
    return _report(request, session, settings, lang, as_csv=True, name=f"consultation-{strategy_id}",
                   strategy_id=strategy_id)
