"""Administration of API tokens: the list (status, prefix, last use), issuing one exactly as the
API does (the secret is shown once, on the answer to the form, and never again), and revoking."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from web.deps import ReadSession, SettingsDep, changing
from web.forms import FormErrors, parse
from web.pages.admin import (
    PAGE_SIZE,
    Offset,
    PostedForm,
    admin_post,
    last_offset,
    pages,
    require_admin,
    status_of,
    values_of,
    worded_errors,
)
from web.people import PersonDep, ViewerDep
from web.rendering import render, translator
from workflow import directory
from workflow.access import TOKEN_ROLES, TokenCreate, get_token, issue_token, list_tokens, revoke_token, token_status
from workflow.core import DomainError, clock

router = APIRouter()
TOKEN_FIELDS = ("name", "role", "institution_id", "expires_in_days")
TokenId = Annotated[int, Path(ge=1, le=2**31 - 1)]
ALL_INSTITUTIONS = 10_000
ROLE_ORDER = ("admin", "coordinator", "contact_point", "viewer")
assert set(ROLE_ORDER) == set(TOKEN_ROLES)


def _tokens_page(
    request: Request, session: Session, default_days: int, *, offset: int, form: dict[str, Any] | None = None,
    errors: FormErrors | None = None, notice: str | None = None, status_code: int = 200,
) -> HTMLResponse:
    now = clock.now()
    rows, total = list_tokens(session, limit=PAGE_SIZE, offset=offset)
    institutions, _total = directory.list_institutions(session, limit=ALL_INSTITUTIONS, offset=0)
    return render(request, "admin/tokens.html", {
        "tokens": [(token, token_status(token, now)) for token in rows], "pager": pages(total, offset),
        "names": {i.id: i.name for i in institutions}, "institutions": [(i.id, i.name) for i in institutions],
        "roles": ROLE_ORDER, "default_days": default_days, "zone": request.app.state.settings.zone,
        "form": form or {"name": "", "role": "", "institution_id": "", "expires_in_days": ""},
        "errors": errors or FormErrors(), "notice": notice,
    }, status_code=status_code)


@router.get("/admin/tokens", response_class=HTMLResponse)
def tokens(
    request: Request, person: PersonDep, viewer: ViewerDep, session: ReadSession, settings: SettingsDep,
    offset: Offset = 0, done: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    require_admin(person)
    _ = translator(viewer.language)
    notice = _("The token was revoked: it no longer opens the API.") if done == "revoked" else None
    return _tokens_page(request, session, settings.token_lifetime_days, offset=offset, notice=notice)


@router.post("/admin/tokens", response_class=HTMLResponse)
def create_token(
    request: Request, person: PersonDep, viewer: ViewerDep, settings: SettingsDep, form: PostedForm
) -> Response:
    admin_post(request, person, form)
    _ = translator(viewer.language)
    values = values_of(form, TOKEN_FIELDS, numbers=("institution_id", "expires_in_days"))
    now = clock.now()
    try:
        command = parse(TokenCreate, values)
        with changing(request) as session:
            issued = issue_token(session, command, now=now, default_lifetime_days=settings.token_lifetime_days)
            token, plain = issued.row, issued.plain
            institution = directory.institution_names(session, {token.institution_id or 0} - {0})
            _rows, total = list_tokens(session, limit=1, offset=0)
    except (ValidationError, DomainError) as failure:
        errors = worded_errors(failure, viewer.language, known=TOKEN_FIELDS, wording={
            ("name", "conflict"): _("A token with this name exists already."),
            ("name", "value_error"): _("Choose another name: on one line, not only digits, and not starting with "
                                       "“local-admin-”."),
            ("institution_id", "refused"): _("Coordinator and contact point tokens act for an institution: "
                                             "choose it."),
        })
        shown = {"name": "", "role": "", "institution_id": "", "expires_in_days": ""} | values
        with changing(request) as session:
            return _tokens_page(request, session, settings.token_lifetime_days, offset=0, form=shown, errors=errors,
                                status_code=status_of(failure))
    return render(request, "admin/token_issued.html", {
        "token": token, "plain": plain, "zone": settings.zone,
        "institution_name": institution.get(token.institution_id or 0, ""),
        "list_offset": last_offset(total),
    }, status_code=201)


@router.post("/admin/tokens/{token_id}/revoke")
def revoke(request: Request, token_id: TokenId, person: PersonDep, form: PostedForm) -> Response:
    admin_post(request, person, form)
    with changing(request) as session:
        revoke_token(session, get_token(session, token_id), now=clock.now())
    return RedirectResponse("/console/admin/tokens?done=revoked", status_code=303)
