"""Institutions and contacts, and deactivating a contact who left (``POST /contacts/{id}/deactivate``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Response, status
from pydantic import BaseModel, Field

from api.auth import PrincipalDep, require_roles
from api.deps import MAX_ID, MAX_PAGE_SIZE, SessionDep, SettingsDep, id_path
from api.problems import responses
from api.schemas import ContactOut, InstitutionOut, Page, contact_out, institution_out
from workflow import directory
from workflow.core import clock
from workflow.directory import ContactCreate, ContactDeactivate, ContactPatch, InstitutionCreate, Role
from workflow.reminders import deactivate_contact

router = APIRouter(tags=["institutions and contacts"])
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
ADMIN_ONLY = [require_roles()]


@router.post("/institutions", status_code=status.HTTP_201_CREATED, response_model=InstitutionOut,
             responses=responses(409, 422), dependencies=ADMIN_ONLY)
def create_institution(command: InstitutionCreate, session: SessionDep, response: Response) -> InstitutionOut:
    institution = directory.create_institution(session, command, now=clock.now())
    response.headers["Location"] = f"/institutions/{institution.id}"
    return institution_out(institution)


@router.get("/institutions", response_model=Page[InstitutionOut], responses=responses(422))
def list_institutions(session: SessionDep, limit: Limit = 50, offset: Offset = 0) -> Page[InstitutionOut]:
    rows, total = directory.list_institutions(session, limit=limit, offset=offset)
    return Page(items=[institution_out(r) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/institutions/{institution_id}", response_model=InstitutionOut, responses=responses(404, 422))
def show_institution(
    institution_id: Annotated[int, id_path("institution")], session: SessionDep
) -> InstitutionOut:
    return institution_out(directory.get_institution(session, institution_id))


@router.post("/contacts", status_code=status.HTTP_201_CREATED, response_model=ContactOut, responses=responses(422),
             dependencies=ADMIN_ONLY)
def create_contact(command: ContactCreate, session: SessionDep, response: Response) -> ContactOut:
    contact = directory.create_contact(session, command, now=clock.now())
    response.headers["Location"] = f"/contacts/{contact.id}"
    return contact_out(contact)


@router.get("/contacts", response_model=Page[ContactOut], responses=responses(422))
def list_contacts(
    session: SessionDep,
    institution_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    role: Role | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ContactOut]:
    rows, total = directory.list_contacts(
        session, institution_id=institution_id, role=role, limit=limit, offset=offset
    )
    return Page(items=[contact_out(r) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/contacts/{contact_id}", response_model=ContactOut, responses=responses(404, 422))
def show_contact(contact_id: Annotated[int, id_path("contact")], session: SessionDep) -> ContactOut:
    return contact_out(directory.get_contact(session, contact_id))


@router.patch("/contacts/{contact_id}", response_model=ContactOut, responses=responses(404, 422),
              dependencies=ADMIN_ONLY)
def edit_contact(
    contact_id: Annotated[int, id_path("contact")], command: ContactPatch, session: SessionDep
) -> ContactOut:
    contact = directory.update_contact(session, contact_id, command, now=clock.now())
    return contact_out(contact)


class DeactivationOut(BaseModel):
    contact: ContactOut = Field(description="The person as recorded now: deactivated, with their handover contact.")
    handover_contact: ContactOut | None = Field(description="Who took over, with the roles they hold now.")
    reminders_moved: int = Field(description="Pending reminders moved to the handover contact.")
    reminders_cancelled: int = Field(
        description="Pending reminders cancelled: the handover contact had them already, or nobody took over."
    )
    uncovered_roles: list[str] = Field(description="Roles the person held that nobody active in the institution "
                                       "holds now (only without a handover contact).")
    escalation_notices: int = Field(description="`role_uncovered` emails recorded for the escalation contacts.")


@router.post("/contacts/{contact_id}/deactivate", response_model=DeactivationOut,
             responses=responses(404, 409, 422), dependencies=[require_roles("coordinator")])
def deactivate(
    contact_id: Annotated[int, id_path("contact")], session: SessionDep, settings: SettingsDep,
    principal: PrincipalDep, command: Annotated[ContactDeactivate | None, Body()] = None,
) -> DeactivationOut:
    """A person who left: they sign in no more and receive no email; their pending reminders and their
    roles go to `handover_contact_id` (a person of the same institution), in one transaction. Without
    one, their pending reminders are cancelled and the institution's escalation contacts are emailed
    the roles nobody holds now. Deactivating twice is a 409. Coordinators may deactivate the people of
    their own institution (not an administrator); admins anyone."""
    turnover = deactivate_contact(session, contact_id, command or ContactDeactivate(), principal=principal,
                                  now=clock.now(), today=clock.today(settings.zone))
    return DeactivationOut(
        contact=contact_out(turnover.contact),
        handover_contact=contact_out(turnover.handover) if turnover.handover else None,
        reminders_moved=turnover.reminders_moved, reminders_cancelled=turnover.reminders_cancelled,
        uncovered_roles=list(turnover.uncovered_roles), escalation_notices=len(turnover.notices),
    )
