"""Administration, for admins only: institutions here; people in ``admin_people``, API tokens in
``admin_tokens``. What the three pages share lives here too: the admin check (the API's, with a
message the console can translate), the posted form, paging, and wording refusals by field.

Anyone but an admin gets the 403 page on every GET and POST, before anything is read or saved.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session
from starlette.datastructures import FormData

from web.deps import ReadSession, changing
from web.forms import FormErrors, errors_of, form_values, parse, whole_number
from web.forms import PostedForm as PostedForm
from web.people import PersonDep, ViewerDep, check_csrf
from web.rendering import render, translator
from web.words import N_
from workflow import directory
from workflow.access import SignedIn
from workflow.core import DomainError, Forbidden, ValidationFailed, clock
from workflow.directory import InstitutionCreate

router = APIRouter()
PAGE_SIZE = 50
MAX_OFFSET = 10_000_000
ADMINS_ONLY = N_("Only administrators may use the administration pages.")
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]


def require_admin(person: SignedIn) -> None:
    """The API's admin check (``require_role()`` with no role: admins only), worded for the console."""
    try:
        person.principal.require_role()
    except Forbidden:
        raise Forbidden(ADMINS_ONLY) from None




def admin_post(request: Request, person: SignedIn, form: FormData) -> None:
    """Every admin POST starts here: the form's CSRF token first, then the admin check."""
    csrf = form.get("csrf")
    check_csrf(request, csrf if isinstance(csrf, str) else None)
    require_admin(person)


def values_of(form: FormData, fields: tuple[str, ...], *, numbers: tuple[str, ...] = ()) -> dict[str, Any]:
    """The form's values for ``fields`` only (blank ones left out); digits in ``numbers`` become ints,
    as the domain's strict ids and counts expect (anything else stays text and is refused by them)."""
    values = {name: value for name, value in form_values(form).items() if name in fields}
    for name in numbers:
        number = whole_number(values.get(name))
        if number is not None:
            values[name] = number
    return values


def worded_errors(
    failure: ValidationError | DomainError, language: str, *, known: tuple[str, ...],
    wording: dict[tuple[str, str], str],
) -> FormErrors:
    """``errors_of``, with this page's own words for some (field, kind) pairs, and a conflict's
    fields (``errors`` pointers, e.g. a duplicate name) put next to those fields too.

    Kinds: pydantic's error type (``value_error``, ``too_short``, ...), ``refused`` for the
    domain's ``ValidationFailed``, ``conflict`` for any other domain refusal naming a field."""
    _ = translator(language)
    if isinstance(failure, ValidationError):
        errors = errors_of(failure, language, known=known)
        for error in failure.errors():
            name = str(error["loc"][0]) if error.get("loc") else ""
            if (name, error["type"]) in wording:
                errors.fields[name] = [wording[(name, error["type"])]]
        return errors
    if isinstance(failure, ValidationFailed):
        errors = errors_of(failure, language, known=known)
        for item in failure.errors:
            name = item.pointer.removeprefix("#/").split("/")[0]
            if (name, "refused") in wording:
                errors.fields[name] = [wording[(name, "refused")]]
        return errors
    errors = errors_of(failure, language, known=known)  # a conflict's fields are put next to them there
    for item in failure.extensions.get("errors") or []:
        name = str(item.get("pointer", "")).removeprefix("#/").split("/")[0]
        if (name, "conflict") in wording and name in errors.fields:
            errors.fields[name] = [wording[(name, "conflict")]]
    return errors


def status_of(failure: ValidationError | DomainError) -> int:
    return 422 if isinstance(failure, ValidationError) else failure.status


def last_offset(total: int) -> int:
    return max(total - 1, 0) // PAGE_SIZE * PAGE_SIZE


def pages(total: int, offset: int) -> dict[str, Any]:
    """What the pager shows: this page's range and the offsets of the pages before and after."""
    return {
        "total": total, "offset": offset, "first": offset + 1 if total else 0, "last": min(offset + PAGE_SIZE, total),
        "previous": max(offset - PAGE_SIZE, 0) if offset > 0 else None,
        "next": offset + PAGE_SIZE if offset + PAGE_SIZE < total else None,
    }


# Institutions --------------------------------------------------------------------------------

INSTITUTION_FIELDS = ("name",)


def _institutions_page(
    request: Request, session: Session, *, offset: int, errors: FormErrors | None = None, name: str = "",
    notice: str | None = None, status_code: int = 200,
) -> HTMLResponse:
    rows, total = directory.list_institutions(session, limit=PAGE_SIZE, offset=offset)
    return render(request, "admin/institutions.html", {
        "institutions": rows, "pager": pages(total, offset), "errors": errors or FormErrors(), "name": name,
        "zone": request.app.state.settings.zone, "notice": notice,
    }, status_code=status_code)


@router.get("/admin/institutions", response_class=HTMLResponse)
def institutions(
    request: Request, person: PersonDep, viewer: ViewerDep, session: ReadSession, offset: Offset = 0,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    require_admin(person)
    _ = translator(viewer.language)
    notice = _("The institution was added.") if done == "added" else None
    return _institutions_page(request, session, offset=offset, notice=notice)


@router.post("/admin/institutions", response_class=HTMLResponse)
def add_institution(request: Request, person: PersonDep, viewer: ViewerDep, form: PostedForm) -> Response:
    admin_post(request, person, form)
    _ = translator(viewer.language)
    values = values_of(form, INSTITUTION_FIELDS)
    try:
        command = parse(InstitutionCreate, values)
        with changing(request) as session:
            directory.create_institution(session, command, now=clock.now())
            _rows, total = directory.list_institutions(session, limit=1, offset=0)
    except (ValidationError, DomainError) as failure:
        errors = worded_errors(failure, viewer.language, known=INSTITUTION_FIELDS, wording={
            ("name", "conflict"): _("An institution with this name exists already."),
            ("name", "value_error"): _("Write the name on one line, without special characters."),
        })
        with changing(request) as session:
            return _institutions_page(request, session, offset=0, errors=errors, name=str(values.get("name", "")),
                                      status_code=status_of(failure))
    return RedirectResponse(f"/console/admin/institutions?offset={last_offset(total)}&done=added", status_code=303)
