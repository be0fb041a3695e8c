"""Administration of people: the contacts of every institution, with their contact roles, their
language and the access role they sign in with (derived from their roles, or set by an admin).

Contacts carry no version, so the edit form carries the ``updated_at`` it was rendered from; the
directory refuses the edit (``StaleVersion``) if the contact changed since, and the page shows the
fresh data instead of overwriting.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from web.deps import ReadSession, changing
from web.forms import FormErrors, parse, whole_number
from web.pages.admin import (
    PAGE_SIZE,
    Offset,
    PostedForm,
    admin_post,
    pages,
    require_admin,
    status_of,
    values_of,
    worded_errors,
)
from web.people import PersonDep, ViewerDep
from web.rendering import render, translator
from workflow import directory
from workflow.access import access_role_of
from workflow.core import DomainError, StaleVersion, ValidationFailed, clock
from workflow.directory import Contact, ContactCreate, ContactDeactivate, ContactPatch
from workflow.reminders import deactivate_contact

router = APIRouter()
MAX_ID = 2**31 - 1
ALL_INSTITUTIONS = 10_000
PERSON_FIELDS = ("name", "email", "institution_id", "language", "roles", "access_role", "delivery")
DEACTIVATE_FIELDS = ("handover_contact_id", "confirm")
DELIVERY_PREFERENCES = ("immediate", "daily", "weekly")
CONTACT_ROLES = ("coordinator", "escalation", "contact_point")
ACCESS_ROLES = ("admin", "coordinator", "contact_point", "viewer")
ContactId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _wording(language: str) -> dict[tuple[str, str], str]:
    _ = translator(language)
    return {
        ("name", "value_error"): _("Write the name on one line, without special characters."),
        ("email", "value_error"): _("Enter a valid email address, e.g. name@institution.gov.al."),
        ("email", "conflict"): _("Someone in this institution has this email address already."),
        ("roles", "too_short"): _("Tick at least one role."),
        ("roles", "missing"): _("Tick at least one role."),
        ("institution_id", "int_type"): _("Choose an institution."),
        ("institution_id", "refused"): _("Choose an institution."),
    }


def _posted_person(form: Any, *, editing: bool) -> dict[str, Any]:
    values = values_of(form, PERSON_FIELDS, numbers=("institution_id",))
    values.setdefault("roles", [])
    if editing:  # every field is on the form: a blank one is an error, a blank access role clears it
        for name in ("name", "email", "institution_id", "language"):
            values.setdefault(name, "")
        values.setdefault("access_role", None)
    return values


def _shown(values: dict[str, Any]) -> dict[str, Any]:
    """Posted values as the form shows them again."""
    return {"name": "", "email": "", "institution_id": "", "language": "en", "roles": [], "access_role": "",
            "delivery": "immediate"} | {
        k: ("" if v is None else v) for k, v in values.items()
    }


def _of_contact(contact: Contact) -> dict[str, Any]:
    return {"name": contact.name, "email": contact.email, "institution_id": contact.institution_id,
            "language": contact.language, "roles": list(contact.roles), "access_role": contact.access_role or "",
            "delivery": contact.delivery}


def _common(session: Session) -> dict[str, Any]:
    institutions, _total = directory.list_institutions(session, limit=ALL_INSTITUTIONS, offset=0)
    return {"institutions": [(i.id, i.name) for i in institutions], "contact_roles": CONTACT_ROLES,
            "access_roles": ACCESS_ROLES, "access_role_of": access_role_of, "deliveries": DELIVERY_PREFERENCES}


def _people_page(
    request: Request, session: Session, *, institution_id: int | None, offset: int, form: dict[str, Any] | None = None,
    errors: FormErrors | None = None, notice: str | None = None, status_code: int = 200,
) -> HTMLResponse:
    rows, total = directory.list_contacts(session, institution_id=institution_id, role=None, limit=PAGE_SIZE,
                                          offset=offset)
    common = _common(session)
    return render(request, "admin/people.html", {
        **common, "people": rows, "shown_name": dict(common["institutions"]).get(institution_id),
        "filter_errors": FormErrors(), "pager": pages(total, offset), "shown_institution": institution_id,
        "names": directory.institution_names(session, {c.institution_id for c in rows}),
        "form": form or _shown({"institution_id": institution_id or ""}), "errors": errors or FormErrors(),
        "notice": notice,
    }, status_code=status_code)


def _person_page(
    request: Request, session: Session, contact: Contact, *, form: dict[str, Any] | None = None,
    errors: FormErrors | None = None, notice: str | None = None, status_code: int = 200, seen: str | None = None,
    leaving: dict[str, Any] | None = None, leaving_errors: FormErrors | None = None,
) -> HTMLResponse:
    """``seen``: the ``updated_at`` the posted form came from, kept when it is shown again with its errors;
    ``leaving``/``leaving_errors``: the deactivation form as posted, with its errors."""
    others = [c for c in directory.active_contacts(session, contact.institution_id) if c.id != contact.id]
    handover = directory.get_contact(session, contact.handover_contact_id) if contact.handover_contact_id else None
    return render(request, "admin/person.html", {
        **_common(session), "contact": contact, "institution_name": directory.institution_names(
            session, {contact.institution_id}).get(contact.institution_id, ""),
        "form": form or _of_contact(contact), "updated_at": seen or contact.updated_at.isoformat(),
        "errors": errors or FormErrors(), "notice": notice, "handover": handover,
        "handovers": [(c.id, f"{c.name} <{c.email}>") for c in others],
        "leaving": leaving or {"handover_contact_id": ""}, "leaving_errors": leaving_errors or FormErrors(),
    }, status_code=status_code)


def _institution_filter(text: str | None) -> int | None:
    number = whole_number(text)
    return number if number and number <= MAX_ID else None


@router.get("/admin/people", response_class=HTMLResponse)
def people(
    request: Request, person: PersonDep, viewer: ViewerDep, session: ReadSession, offset: Offset = 0,
    institution_id: Annotated[str | None, Query(max_length=12)] = None,
) -> Response:
    require_admin(person)
    return _people_page(request, session, institution_id=_institution_filter(institution_id), offset=offset)


@router.post("/admin/people", response_class=HTMLResponse)
def add_person(request: Request, person: PersonDep, viewer: ViewerDep, form: PostedForm) -> Response:
    admin_post(request, person, form)
    values = _posted_person(form, editing=False)
    try:
        command = parse(ContactCreate, values)
        with changing(request) as session:
            contact_id = directory.create_contact(session, command, now=clock.now()).id
    except (ValidationError, DomainError) as failure:
        errors = worded_errors(failure, viewer.language, known=PERSON_FIELDS, wording=_wording(viewer.language))
        with changing(request) as session:
            return _people_page(request, session, institution_id=None, offset=0, form=_shown(values),
                                errors=errors, status_code=status_of(failure))
    return RedirectResponse(f"/console/admin/people/{contact_id}?done=added", status_code=303)


@router.get("/admin/people/{contact_id}", response_class=HTMLResponse)
def person_page(
    request: Request, contact_id: ContactId, person: PersonDep, viewer: ViewerDep, session: ReadSession,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    require_admin(person)
    _ = translator(viewer.language)
    notices = {"added": _("The person was added."), "saved": _("The changes were saved."),
               "deactivated": _("The person was deactivated.")}
    contact = directory.get_contact(session, contact_id)
    return _person_page(request, session, contact, notice=notices.get(done or ""))


def _seen(form: Any) -> datetime | None:
    text = form.get("updated_at")
    try:
        seen = datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None
    return seen if seen is not None and seen.tzinfo is not None else None


@router.post("/admin/people/{contact_id}", response_class=HTMLResponse)
def edit_person(
    request: Request, contact_id: ContactId, person: PersonDep, viewer: ViewerDep, form: PostedForm
) -> Response:
    admin_post(request, person, form)
    _ = translator(viewer.language)
    values = _posted_person(form, editing=True)
    seen = _seen(form)
    try:
        command = parse(ContactPatch, values)
        with changing(request) as session:
            if seen is None:
                raise StaleVersion("the form does not say which copy of the contact it was made from")
            directory.update_contact(session, contact_id, command, now=clock.now(), expected_updated_at=seen)
    except StaleVersion:
        errors = FormErrors()
        errors.add(None, _("Someone changed this person while you were editing. The form now shows the current "
                           "details: check them and make your change again."))
        with changing(request) as session:
            return _person_page(request, session, directory.get_contact(session, contact_id), errors=errors,
                                status_code=412)
    except (ValidationError, DomainError) as failure:
        if status_of(failure) == 404:
            raise
        errors = worded_errors(failure, viewer.language, known=PERSON_FIELDS, wording=_wording(viewer.language))
        with changing(request) as session:
            contact = directory.get_contact(session, contact_id)
            return _person_page(request, session, contact, form=_shown(values), errors=errors,
                                status_code=status_of(failure), seen=seen.isoformat() if seen else None)
    return RedirectResponse(f"/console/admin/people/{contact_id}?done=saved", status_code=303)


def _leaving_wording(language: str) -> dict[tuple[str, str], str]:
    _ = translator(language)
    choose = _("Choose someone else of this institution who is still active.")
    return {("handover_contact_id", kind): choose for kind in ("refused", "int_type", "greater_than_equal")}


@router.post("/admin/people/{contact_id}/deactivate", response_class=HTMLResponse)
def deactivate_person(
    request: Request, contact_id: ContactId, person: PersonDep, viewer: ViewerDep, form: PostedForm
) -> Response:
    """Deactivate someone who left, with the handover contact chosen on the form (or nobody), once the
    admin ticked the confirmation."""
    admin_post(request, person, form)
    _ = translator(viewer.language)
    values = values_of(form, DEACTIVATE_FIELDS, numbers=("handover_contact_id",))
    try:
        if values.get("confirm") != "yes":
            raise ValidationFailed.field("#/confirm", _("Tick the box to confirm that this person has left."))
        command = parse(ContactDeactivate, {k: v for k, v in values.items() if k != "confirm"})
        with changing(request) as session:
            deactivate_contact(session, contact_id, command, principal=person.principal, now=clock.now(),
                               today=clock.today(request.app.state.settings.zone))
    except (ValidationError, DomainError) as failure:
        if status_of(failure) == 404:
            raise
        errors = worded_errors(failure, viewer.language, known=DEACTIVATE_FIELDS,
                               wording=_leaving_wording(viewer.language))
        with changing(request) as session:
            contact = directory.get_contact(session, contact_id)
            shown = {"handover_contact_id": values.get("handover_contact_id", "")}
            return _person_page(request, session, contact, leaving=shown, leaving_errors=errors,
                                status_code=status_of(failure))
    return RedirectResponse(f"/console/admin/people/{contact_id}?done=deactivated", status_code=303)
