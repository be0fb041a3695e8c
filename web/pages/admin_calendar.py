"""Administration of the working calendar: a year's public holidays (from the ``holidays`` package
for ``CONTINUUM_HOLIDAY_COUNTRY``) and the one-off non-working days a government declared, which an
admin enters here and may remove. The same services as ``/non-working-days`` of the API.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from web.deps import ReadSession, SettingsDep, changing
from web.forms import FormErrors
from web.pages.admin import PostedForm, admin_post, require_admin, status_of, values_of, worded_errors
from web.pages.consultation_forms import reworded
from web.people import PersonDep, ViewerDep
from web.rendering import render, translator
from workflow import calendar
from workflow.core import DomainError, NotFound, Settings, clock

router = APIRouter()
FIELDS = ("day", "name")
FIRST_YEAR, LAST_YEAR = 1990, 2100  # as the API's ``year``
Year = Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR)]
_D = r"(\d{4}-\d{2}-\d{2})"
DAY_PATTERNS = [
    (re.compile(rf"{_D} is already declared a non-working day"), "declared"),
    (re.compile(rf"{_D} is a weekend day"), "weekend"),
    (re.compile(rf"{_D} is already a public holiday"), "holiday"),
]


def _calendar_page(
    request: Request, session: Session, settings: Settings, language: str, *, year: int | None,
    form: dict[str, str] | None = None, errors: FormErrors | None = None, notice: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    this_year = clock.today(settings.zone).year
    shown = year or this_year
    days = calendar.non_working_days(session, settings, shown, language)
    return render(request, "admin_calendar.html", {
        "year": shown, "this_year": this_year, "country": settings.holiday_country,
        "holidays": [d for d in days if d.source == calendar.PUBLIC_HOLIDAY],
        "declared": [d for d in days if d.source == calendar.DECLARED],
        "first_year": FIRST_YEAR, "last_year": LAST_YEAR,
        "form": form or {"day": "", "name": ""}, "errors": errors or FormErrors(), "notice": notice,
    }, status_code=status_code)


@router.get("/admin/calendar", response_class=HTMLResponse)
def calendar_page(
    request: Request, person: PersonDep, viewer: ViewerDep, session: ReadSession, settings: SettingsDep,
    year: Year = None, done: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    require_admin(person)
    _ = translator(viewer.language)
    notices = {"declared": _("The non-working day was declared."), "removed": _("The declared day was removed.")}
    return _calendar_page(request, session, settings, viewer.language, year=year, notice=notices.get(done or ""))


def _day_message(detail: str, language: str) -> str:
    _ = translator(language)
    for pattern, kind in DAY_PATTERNS:
        if pattern.search(detail):
            message: str = {
                "declared": _("This day is already declared a non-working day."),
                "weekend": _("This day is a Saturday or a Sunday, never a working day."),
                "holiday": _("This day is already a public holiday."),
            }[kind]
            return message
    return reworded(detail, language)


@router.post("/admin/calendar", response_class=HTMLResponse)
def declare(
    request: Request, person: PersonDep, viewer: ViewerDep, settings: SettingsDep, form: PostedForm
) -> Response:
    """As ``POST /non-working-days``: a day the government declared non-working."""
    admin_post(request, person, form)
    values = values_of(form, FIELDS)
    try:
        command = calendar.NonWorkingDayCreate.model_validate(values)
        with changing(request) as session:
            row = calendar.declare_non_working_day(session, command, settings, actor=person.principal,
                                                   now=clock.now())
            year = row.day.year
    except (ValidationError, DomainError) as failure:
        _ = translator(viewer.language)
        errors = worded_errors(failure, viewer.language, known=FIELDS, wording={
            ("name", "value_error"): _("Write the name on one line, without special characters."),
        })
        if isinstance(failure, DomainError):  # the day is refused, next to the day
            errors = FormErrors(fields={"day": [_day_message(failure.detail, viewer.language)]})
        shown = {"day": str(values.get("day", "")), "name": str(values.get("name", ""))}
        with changing(request) as session:
            return _calendar_page(request, session, settings, viewer.language, year=None, form=shown, errors=errors,
                                  status_code=status_of(failure))
    return RedirectResponse(f"/console/admin/calendar?year={year}&done=declared", status_code=303)


@router.post("/admin/calendar/{day}/remove", response_class=HTMLResponse)
def remove(
    request: Request, day: Annotated[str, Path(pattern=r"^\d{4}-\d{2}-\d{2}$")], person: PersonDep,
    settings: SettingsDep, form: PostedForm,
) -> Response:
    """As ``DELETE /non-working-days/{day}``; an unknown day is the 404 page."""
    admin_post(request, person, form)
    try:
        chosen = date.fromisoformat(day)
    except ValueError:
        raise NotFound(f"{day} is not a declared non-working day") from None
    with changing(request) as session:
        calendar.remove_non_working_day(session, chosen, actor=person.principal, now=clock.now())
    return RedirectResponse(f"/console/admin/calendar?year={chosen.year}&done=removed", status_code=303)
