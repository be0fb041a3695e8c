"""A progress report in the console: the reporting institution's contact point fills it in (each
measure's status and a comment, each indicator's value), saves it as a draft and submits it; a
reviewer of the plan accepts it or returns it with a comment. Everyone else reads it.

The same services and checks as ``api/routers/monitoring_reports.py``: ``require_report_author``
before ``write_report`` / ``submit_report``, ``require_report_reviewer`` before ``accept_report`` /
``return_report``. Every form carries the report's version (``if_match``): a stale one is refused
with 412 and the report as it is now.

Form fields: ``narrative``; per measure ``status-{measure_id}`` (a radio group) and
``note-{measure_id}``; per indicator ``value-{indicator_id}``; ``version``; for a review ``comment``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session
from starlette.datastructures import FormData

from web.deps import ReadSession, SettingsDep, changing
from web.forms import FormErrors, PostedForm, errors_of, form_values, parse, whole_number
from web.i18n import catalog
from web.people import PersonDep, check_csrf, read_viewer
from web.rendering import render
from web.words import MEASURE_STATUSES, N_, REPORT_STATUSES
from workflow.access import Principal, SignedIn
from workflow.core import DomainError, Forbidden, Settings, StaleVersion, clock
from workflow.directory import get_institution
from workflow.lifecycle import get_strategy
from workflow.monitoring import (
    AcceptRequest,
    ProgressReport,
    ReportContent,
    ReturnRequest,
    reports,
    require_report_author,
    require_report_reviewer,
)

router = APIRouter()
ReportId = Annotated[int, Path(ge=1, le=2**31 - 1)]
NOTICES = {
    "opened": N_("The report is started as a draft. Fill it in and save it."),
    "saved": N_("The draft is saved."),
    "submitted": N_("The report is submitted for review."),
    "accepted": N_("The report is accepted."),
    "returned": N_("The report is returned to the institution with your comment."),
}
STALE = N_("Someone changed this report after you opened it. Below is the report as it is now: make your changes "
           "again and resend them.")
NOT_AUTHOR = N_("Only a contact point of the reporting institution may change this report.")
NOT_REVIEWER = N_("Only a coordinator of the plan's lead institution may review this report.")
NOT_NOW = N_("This cannot be done now: the report's status is %(status)s.")


def _allowed(check: Any, *args: Any) -> bool:
    try:
        check(*args)
    except Forbidden:
        return False
    return True


def stored_values(session: Session, report: ProgressReport) -> dict[str, str]:
    """The form's fields as the report holds them (a measure not reported yet shows its current status)."""
    assert report.id is not None, "a report read from the database has an id"
    measures, values = reports.report_lines(session, report.id)
    lines = {line.measure_id: line for line in measures}
    form: dict[str, str] = {"narrative": report.narrative}
    for measure in reports.report_scope(session, report).measures:
        line = lines.get(measure.id or 0)
        form[f"status-{measure.id}"] = line.status if line else measure.status
        form[f"note-{measure.id}"] = (line.note or "") if line else ""
    for value in values:
        form[f"value-{value.indicator_id}"] = _plain(value.value)
    return form


def _plain(value: Decimal) -> str:
    """``1200.0000`` as ``1200``, for a number input."""
    return format(value.normalize(), "f")


def report_page(
    request: Request, session: Session, settings: Settings, principal: Principal, report_id: int, *,
    form: dict[str, str] | None = None, errors: FormErrors | None = None, review_errors: FormErrors | None = None,
    reviewing: str | None = None, status_code: int = 200, notice: str | None = None,
) -> HTMLResponse:
    report = reports.get_report(session, report_id)
    plan = get_strategy(session, report.plan_id)
    scope = reports.report_scope(session, report)
    moves = reports.moves_allowed(report)
    may_write = reports.editable(report) and _allowed(require_report_author, principal, report.institution_id)
    may_review = "accept" in moves and _allowed(require_report_reviewer, principal, plan)
    measures, values = reports.report_lines(session, report.id or 0)
    if review_errors and not may_review:  # no review form to show them in: above the report
        errors, review_errors = review_errors, None
    return render(request, "progress_report.html", {
        "report": report, "plan": plan, "institution": get_institution(session, report.institution_id).name,
        "scope": scope, "lines": {m.measure_id: m for m in measures}, "values": {v.indicator_id: v for v in values},
        "form": form if form is not None else stored_values(session, report), "statuses": MEASURE_STATUSES,
        "may_write": may_write, "may_review": may_review, "errors": errors or FormErrors(),
        "review_errors": review_errors or FormErrors(), "reviewing": reviewing, "notice": notice,
        "monitoring_of": plan.parent_id or plan.id, "zone": settings.zone, "empty": FormErrors(),
    }, status_code=status_code)


@router.get("/reports/{report_id}", response_class=HTMLResponse)
def show_report(
    report_id: ReportId, request: Request, session: ReadSession, settings: SettingsDep, person: PersonDep,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    _ = catalog(read_viewer(request).language).gettext
    notice = _(NOTICES[done]) if done in NOTICES else None
    return report_page(request, session, settings, person.principal, report_id, notice=notice)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _version(form: FormData) -> set[int]:
    """The version the form was rendered from; a missing or garbled one matches no report (412)."""
    text = _text(form, "version")
    version = whole_number(text)
    return {version} if version is not None else {0}


def content_of(form: FormData, measure_ids: list[int], indicator_ids: list[int]) -> tuple[dict[str, Any], Any]:
    """The posted fields as ``ReportContent`` values, and where each line's errors go on the form."""
    lines, shown_measures = [], []
    for measure_id in measure_ids:
        status, note = _text(form, f"status-{measure_id}"), _text(form, f"note-{measure_id}")
        if not status and not note:
            continue
        line: dict[str, Any] = {"measure_id": measure_id, "note": note or None}
        if status:
            line["status"] = status
        lines.append(line)
        shown_measures.append(measure_id)
    values, shown_indicators = [], []
    for indicator_id in indicator_ids:
        text = _text(form, f"value-{indicator_id}")
        if text:
            values.append({"indicator_id": indicator_id, "value": text})
            shown_indicators.append(indicator_id)

    def locate(parts: list[str]) -> str | None:
        if parts[:1] == ["narrative"]:
            return "narrative"
        if len(parts) >= 2 and parts[1].isdigit():
            index = int(parts[1])
            if parts[0] == "measures" and index < len(shown_measures):
                return f"{'note' if parts[2:3] == ['note'] else 'status'}-{shown_measures[index]}"
            if parts[0] == "indicator_values" and index < len(shown_indicators):
                return f"value-{shown_indicators[index]}"
        return None

    return {"narrative": _text(form, "narrative"), "measures": lines, "indicator_values": values}, locate


def _posted(form: FormData) -> dict[str, str]:
    return {name: _text(form, name) for name in form if name not in ("csrf", "version")}


def _write(request: Request, form: FormData, session: Session, settings: Settings, person: SignedIn,
           report_id: int, *, submit: bool) -> Response:
    check_csrf(request, _text(form, "csrf") or None)
    principal: Principal = person.principal
    language = read_viewer(request).language
    _ = catalog(language).gettext
    report = reports.get_report(session, report_id)  # 404 before anything else
    scope = reports.report_scope(session, report)
    measure_ids = [m.id for m in scope.measures if m.id is not None]
    indicator_ids = [i.id for i in scope.indicators if i.id is not None]
    values, locate = content_of(form, measure_ids, indicator_ids)
    known = ("narrative", *(f"{kind}-{i}" for i in measure_ids for kind in ("status", "note")),
             *(f"value-{i}" for i in indicator_ids))
    try:
        with changing(request) as change:
            require_report_author(principal, reports.get_report(change, report_id).institution_id)
            content = parse(ReportContent, values)
            written = reports.write_report(change, report_id, content, now=clock.now(), if_match=_version(form))
            if submit:
                reports.submit_report(change, report_id, actor=principal.name, today=clock.today(settings.zone),
                                      now=clock.now(), if_match={written.version})
    except Forbidden:
        return _refused(request, session, settings, principal, report_id, _(NOT_AUTHOR), 403)
    except StaleVersion:
        return _refused(request, session, settings, principal, report_id, _(STALE), 412)
    except (ValidationError, DomainError) as refused:
        if isinstance(refused, DomainError) and refused.status != 422:
            return _refused(request, session, settings, principal, report_id, _not_now(session, report_id, _),
                            refused.status)
        errors = errors_of(refused, language, known=known, locate=locate)
        return report_page(request, session, settings, principal, report_id, form=_posted(form), errors=errors,
                           status_code=422)
    return RedirectResponse(f"/console/reports/{report_id}?done={'submitted' if submit else 'saved'}",
                            status_code=303)


def _not_now(session: Session, report_id: int, _: Any) -> str:
    current = reports.get_report(session, report_id).status
    return str(_(NOT_NOW) % {"status": _(REPORT_STATUSES.get(current, current))})


def _refused(request: Request, session: Session, settings: Settings, principal: Principal, report_id: int,
             message: str, status: int, *, reviewing: str | None = None) -> HTMLResponse:
    """The report as it is now, with why the form was refused."""
    errors = FormErrors(general=[message])
    if reviewing:
        return report_page(request, session, settings, principal, report_id, review_errors=errors,
                           reviewing=reviewing, status_code=status)
    return report_page(request, session, settings, principal, report_id, errors=errors, status_code=status)


@router.post("/reports/{report_id}", response_class=HTMLResponse)
def save_report(
    report_id: ReportId, request: Request, form: PostedForm, session: ReadSession, settings: SettingsDep,
    person: PersonDep,
) -> Response:
    """Save the draft: ``PUT /reports/{id}``'s ``write_report``."""
    return _write(request, form, session, settings, person, report_id, submit=False)


@router.post("/reports/{report_id}/submit", response_class=HTMLResponse)
def submit_report(
    report_id: ReportId, request: Request, form: PostedForm, session: ReadSession, settings: SettingsDep,
    person: PersonDep,
) -> Response:
    """Save what the form holds and submit it, in one unit of work: both or neither."""
    return _write(request, form, session, settings, person, report_id, submit=True)


def _review(request: Request, form: FormData, session: Session, settings: Settings, person: SignedIn,
            report_id: int, decision: str) -> Response:
    check_csrf(request, _text(form, "csrf") or None)
    principal: Principal = person.principal
    language = read_viewer(request).language
    _ = catalog(language).gettext
    report = reports.get_report(session, report_id)
    try:
        with changing(request) as change:
            require_report_reviewer(principal, get_strategy(change, report.plan_id))
            values = form_values(form)
            if decision == "accept":
                reports.accept_report(change, report_id, parse(AcceptRequest, values), actor=principal.name,
                                      now=clock.now(), if_match=_version(form))
            else:
                reports.return_report(change, report_id, parse(ReturnRequest, values), actor=principal.name,
                                      now=clock.now(), if_match=_version(form))
    except Forbidden:
        return _refused(request, session, settings, principal, report_id, _(NOT_REVIEWER), 403, reviewing=decision)
    except StaleVersion:
        return _refused(request, session, settings, principal, report_id, _(STALE), 412, reviewing=decision)
    except (ValidationError, DomainError) as refused:
        if isinstance(refused, DomainError) and refused.status != 422:
            return _refused(request, session, settings, principal, report_id, _not_now(session, report_id, _),
                            refused.status, reviewing=decision)
        errors = errors_of(refused, language, known=("comment",))
        return report_page(request, session, settings, principal, report_id, review_errors=errors,
                           reviewing=decision, status_code=422)
    return RedirectResponse(f"/console/reports/{report_id}?done={decision}ed", status_code=303)


@router.post("/reports/{report_id}/accept", response_class=HTMLResponse)
def accept_report(
    report_id: ReportId, request: Request, form: PostedForm, session: ReadSession, settings: SettingsDep,
    person: PersonDep,
) -> Response:
    return _review(request, form, session, settings, person, report_id, "accept")


@router.post("/reports/{report_id}/return", response_class=HTMLResponse)
def return_report(
    report_id: ReportId, request: Request, form: PostedForm, session: ReadSession, settings: SettingsDep,
    person: PersonDep,
) -> Response:
    return _review(request, form, session, settings, person, report_id, "return")
