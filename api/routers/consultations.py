"""Consultation records: rounds, their events, submissions and responses, and the consultation
report (printable HTML and CSV, in English or Albanian). Coordinators of the strategy's lead
institution write (admins too); every token reads."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, Response, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session

from api.auth import PrincipalDep
from api.deps import IfMatchDep, SessionDep, SettingsDep, id_path
from api.problems import responses
from workflow.calendar import working_calendar
from workflow.consultation import (
    CONTENT_SECURITY_POLICY,
    ROUNDS,
    Answered,
    ConsultationReport,
    Counts,
    EventCreate,
    ResponseCreate,
    RoundClose,
    RoundExtend,
    RoundOpen,
    RoundView,
    SubmissionCreate,
    as_csv,
    as_html,
    close_round,
    extend_round,
    get_round,
    get_submission,
    is_late,
    open_round,
    record_event_of_round,
    record_submission,
    report_for,
    respond,
    responses_of,
    round_view,
    strategy_views,
)
from workflow.core import Settings, clock

router = APIRouter(tags=["consultation"])
StrategyId = Annotated[int, id_path("strategy")]
RoundId = Annotated[int, id_path("consultation round")]
SubmissionId = Annotated[int, id_path("submission")]
Language = Annotated[Literal["en", "sq"] | None, Query(
    description="The report's language, `en` or `sq`; default: the deployment's (CONTINUUM_LANGUAGE)."
)]
WRITE = responses(403, 404, 409, 422)
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class CountsOut(_Out):
    submissions: int
    answered: int
    unanswered: int
    accepted: int
    partly_accepted: int
    not_accepted: int
    late: int
    events: int
    participants: int
    participants_by_category: dict[str, int]
    submissions_by_category: dict[str, int]


class RoundOut(_Out):
    id: int
    strategy_id: int
    number: int
    opened_on: date
    closes_on: date
    closed_on: date | None
    channels: list[str]
    state: str
    version: int
    illustrative: bool
    effective_on_approximate: bool
    working_days: int
    working_days_left: int | None
    allowed_events: list[str]
    counts: CountsOut
    created_at: datetime
    updated_at: datetime


class RoundChangeOut(_Out):
    event: str
    from_state: str | None
    to_state: str
    closes_on_before: date | None
    closes_on_after: date
    reason: str | None
    actor: str
    effective_on: date
    recorded_at: datetime


class EventOut(_Out):
    id: int
    round_id: int
    date: date
    kind: str
    place: str
    participants: dict[str, int]
    illustrative: bool
    actor: str
    recorded_at: datetime


class ResponseOut(_Out):
    id: int
    submission_id: int
    decision: str
    reason: str | None
    responded_on: date
    actor: str
    effective_on_approximate: bool
    recorded_at: datetime


class SubmissionOut(_Out):
    id: int
    round_id: int
    submitted_by: str
    organisation: str | None
    category: str
    received_on: date
    summary: str
    late: bool
    illustrative: bool
    actor: str
    recorded_at: datetime
    response: ResponseOut | None = None
    earlier_responses: list[ResponseOut] = []


class RoundDetailOut(RoundOut):
    history: list[RoundChangeOut]
    events: list[EventOut]
    submissions: list[SubmissionOut]


def _round_out(view: RoundView) -> RoundOut:
    r = view.round
    return RoundOut.model_validate({
        **r.model_dump(), "working_days": view.working_days, "working_days_left": view.working_days_left,
        "allowed_events": [str(e) for e in ROUNDS.allowed(r.state)], "counts": _counts(view.counts),
    })


def _counts(counts: Counts) -> CountsOut:
    return CountsOut.model_validate(counts)


def _submission_out(answered: Answered, earlier: list[ResponseOut] | None = None) -> SubmissionOut:
    s = answered.submission
    return SubmissionOut.model_validate({
        **s.model_dump(), "late": answered.late,
        "response": ResponseOut.model_validate(answered.response) if answered.response else None,
        "earlier_responses": earlier or [],
    })


def _view(session: Session, settings: Settings, round_id: int) -> RoundView:
    return round_view(session, round_id, today=clock.today(settings.zone), calendar=working_calendar(session, settings))


def _detail(view: RoundView, response: Response) -> RoundDetailOut:
    response.headers["ETag"] = f'"{view.round.version}"'
    return RoundDetailOut.model_validate({
        **_round_out(view).model_dump(),
        "history": [RoundChangeOut.model_validate(c) for c in view.history],
        "events": [EventOut.model_validate({**e.model_dump(), "date": e.held_on}) for e in view.events],
        "submissions": [_submission_out(a) for a in view.submissions],
    })


@router.post("/strategies/{strategy_id}/consultations", status_code=status.HTTP_201_CREATED,
             response_model=RoundDetailOut, responses=WRITE)
def open_consultation(
    strategy_id: StrategyId, command: RoundOpen, session: SessionDep, settings: SettingsDep,
    principal: PrincipalDep, response: Response,
) -> RoundDetailOut:
    """Open a round while the strategy is in consultation. Without `closes_on` it closes
    `CONTINUUM_MIN_CONSULTATION_DAYS` working days after `opened_on` (day 0), skipping weekends,
    public holidays and declared non-working days; at most `CONTINUUM_MAX_CONSULTATION_DAYS`."""
    round_ = open_round(session, principal, strategy_id, command, settings=settings, now=clock.now())
    assert round_.id is not None
    response.headers["Location"] = f"/consultations/{round_.id}"
    return _detail(_view(session, settings, round_.id), response)


@router.get("/strategies/{strategy_id}/consultations", response_model=list[RoundOut], responses=responses(404, 422))
def list_consultations(strategy_id: StrategyId, session: SessionDep, settings: SettingsDep) -> list[RoundOut]:
    views = strategy_views(session, strategy_id, today=clock.today(settings.zone),
                           calendar=working_calendar(session, settings))
    return [_round_out(v) for v in views]


@router.get("/consultations/{round_id}", response_model=RoundDetailOut, responses=responses(404, 422))
def show_consultation(
    round_id: RoundId, session: SessionDep, settings: SettingsDep, response: Response
) -> RoundDetailOut:
    """The round with its history, events, submissions (each with its current response) and counts."""
    return _detail(_view(session, settings, round_id), response)


@router.post("/consultations/{round_id}/extend", response_model=RoundDetailOut,
             responses=responses(400, 403, 404, 409, 412, 422))
def extend_consultation(
    round_id: RoundId, command: RoundExtend, session: SessionDep, settings: SettingsDep, principal: PrincipalDep,
    if_match: IfMatchDep, response: Response,
) -> RoundDetailOut:
    """Move the closing day later, with a `reason`, on or before the current closing day."""
    extend_round(session, principal, round_id, command, settings=settings, now=clock.now(), if_match=if_match)
    return _detail(_view(session, settings, round_id), response)


@router.post("/consultations/{round_id}/close", response_model=RoundDetailOut,
             responses=responses(400, 403, 404, 409, 412, 422))
def close_consultation(
    round_id: RoundId, session: SessionDep, settings: SettingsDep, principal: PrincipalDep, if_match: IfMatchDep,
    response: Response, command: Annotated[RoundClose | None, Body()] = None,
) -> RoundDetailOut:
    """Close the round on or after its closing day (`closed_on`, default today, never in the future)."""
    close_round(session, principal, round_id, command or RoundClose(), settings=settings, now=clock.now(),
                if_match=if_match)
    return _detail(_view(session, settings, round_id), response)


@router.post("/consultations/{round_id}/events", status_code=status.HTTP_201_CREATED, response_model=EventOut,
             responses=WRITE)
def add_event(
    round_id: RoundId, command: EventCreate, session: SessionDep, settings: SettingsDep, principal: PrincipalDep,
) -> EventOut:
    """A roundtable, workshop, hearing or online session within the round, with participants by category."""
    row = record_event_of_round(session, principal, round_id, command, settings=settings, now=clock.now())
    return EventOut.model_validate({**row.model_dump(), "date": row.held_on})


@router.post("/consultations/{round_id}/submissions", status_code=status.HTTP_201_CREATED,
             response_model=SubmissionOut, responses=WRITE)
def add_submission(
    round_id: RoundId, command: SubmissionCreate, session: SessionDep, settings: SettingsDep,
    principal: PrincipalDep, response: Response,
) -> SubmissionOut:
    """A comment received on or after the round opened; one received after the closing day is kept with
    `late: true`."""
    row = record_submission(session, principal, round_id, command, settings=settings, now=clock.now())
    response.headers["Location"] = f"/submissions/{row.id}"
    return _submission_out(Answered(row, None, is_late(row, get_round(session, round_id))))


@router.get("/submissions/{submission_id}", response_model=SubmissionOut, responses=responses(404, 422))
def show_submission(submission_id: SubmissionId, session: SessionDep) -> SubmissionOut:
    """The submission, its current response and the responses it replaced."""
    submission = get_submission(session, submission_id)
    assert submission.id is not None
    given = responses_of(session, submission.id)
    late = is_late(submission, get_round(session, submission.round_id))
    earlier = [ResponseOut.model_validate(r) for r in given[:-1]]
    return _submission_out(Answered(submission, given[-1] if given else None, late), earlier)


@router.post("/submissions/{submission_id}/response", status_code=status.HTTP_201_CREATED,
             response_model=ResponseOut, responses=WRITE)
def answer_submission(
    submission_id: SubmissionId, command: ResponseCreate, session: SessionDep, settings: SettingsDep,
    principal: PrincipalDep,
) -> ResponseOut:
    """`accepted`, `partly_accepted` or `not_accepted`; a `reason` is required unless `accepted`. A later
    response replaces the earlier one (which is kept)."""
    row = respond(session, principal, submission_id, command, settings=settings, now=clock.now())
    return ResponseOut.model_validate(row)


def _report(session: Session, settings: Settings, *, strategy_id: int | None = None,
            round_id: int | None = None) -> ConsultationReport:
    return report_for(session, strategy_id, round_id=round_id, today=clock.today(settings.zone),
                      calendar=working_calendar(session, settings))


def _html(report: ConsultationReport, lang: str | None, settings: Settings) -> HTMLResponse:
    return HTMLResponse(as_html(report, lang or settings.language),
                        headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY})


def _csv(report: ConsultationReport, lang: str | None, settings: Settings, name: str) -> Response:
    return Response(as_csv(report, lang or settings.language), media_type=CSV_MEDIA_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


REPORT = {**responses(404, 422), 200: {"content": {"text/html": {}}}}
REPORT_CSV = {**responses(404, 422), 200: {"content": {"text/csv": {}}}}


@router.get("/consultations/{round_id}/report", response_class=HTMLResponse, responses=REPORT)
def round_report(round_id: RoundId, session: SessionDep, settings: SettingsDep, lang: Language = None) -> HTMLResponse:
    """The printable consultation report of this round: dates and channels, participation by category,
    every submission with its response and reason, and the counts."""
    return _html(_report(session, settings, round_id=round_id), lang, settings)


@router.get("/consultations/{round_id}/report.csv", response_class=Response, responses=REPORT_CSV)
def round_report_csv(round_id: RoundId, session: SessionDep, settings: SettingsDep, lang: Language = None) -> Response:
    return _csv(_report(session, settings, round_id=round_id), lang, settings, f"consultation-round-{round_id}")


@router.get("/strategies/{strategy_id}/consultation-report", response_class=HTMLResponse, responses=REPORT)
def strategy_report(
    strategy_id: StrategyId, session: SessionDep, settings: SettingsDep, lang: Language = None
) -> HTMLResponse:
    """The consultation report of every round of the strategy."""
    return _html(_report(session, settings, strategy_id=strategy_id), lang, settings)


@router.get("/strategies/{strategy_id}/consultation-report.csv", response_class=Response, responses=REPORT_CSV)
def strategy_report_csv(
    strategy_id: StrategyId, session: SessionDep, settings: SettingsDep, lang: Language = None
) -> Response:
    return _csv(_report(session, settings, strategy_id=strategy_id), lang, settings, f"consultation-{strategy_id}")
