"""API tokens, for admins: issue (the secret is in this one response only), list, revoke."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field

from api.auth import require_roles
from api.deps import MAX_PAGE_SIZE, SessionDep, SettingsDep, id_path
from api.problems import responses
from api.schemas import Page
from workflow.access import ApiToken, TokenCreate, get_token, issue_token, list_tokens, revoke_token, token_status
from workflow.core import clock

router = APIRouter(prefix="/tokens", tags=["tokens"], dependencies=[require_roles()])
TokenId = Annotated[int, id_path("token")]


class TokenOut(BaseModel):
    id: int
    name: str
    role: str
    institution_id: int | None
    prefix: str = Field(description="The first characters of the secret, to recognise it; never the secret.")
    status: Literal["active", "expired", "revoked"]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None = Field(description="Recorded to within a few minutes.")

    @classmethod
    def of(cls, token: ApiToken, now: datetime) -> TokenOut:
        return cls(
            id=token.id,
            name=token.name,
            role=token.role,
            institution_id=token.institution_id,
            prefix=token.prefix,
            status=token_status(token, now),
            created_at=token.created_at,
            expires_at=token.expires_at,
            revoked_at=token.revoked_at,
            last_used_at=token.last_used_at,
        )


class TokenIssued(TokenOut):
    token: str = Field(description="The secret. Shown only in this response: store it now.")


@router.post("", status_code=status.HTTP_201_CREATED, response_model=TokenIssued, responses=responses(409, 422))
def create(command: TokenCreate, session: SessionDep, settings: SettingsDep, response: Response) -> TokenIssued:
    now = clock.now()
    issued = issue_token(session, command, now=now, default_lifetime_days=settings.token_lifetime_days)
    response.headers["Location"] = f"/tokens/{issued.row.id}"
    response.headers["Cache-Control"] = "no-store"
    return TokenIssued(**TokenOut.of(issued.row, now).model_dump(), token=issued.plain)


@router.get("", response_model=Page[TokenOut], responses=responses(422))
def index(
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Page[TokenOut]:
    now = clock.now()
    rows, total = list_tokens(session, limit=limit, offset=offset)
    return Page(items=[TokenOut.of(t, now) for t in rows], total=total, limit=limit, offset=offset)


@router.get("/{token_id}", response_model=TokenOut, responses=responses(404, 422))
def show(token_id: TokenId, session: SessionDep) -> TokenOut:
    return TokenOut.of(get_token(session, token_id), clock.now())


@router.post("/{token_id}/revoke", response_model=TokenOut, responses=responses(404, 422))
def revoke(token_id: TokenId, session: SessionDep) -> TokenOut:
    """Takes effect on the next request made with the token. Revoking twice keeps the first time."""
    now = clock.now()
    token = revoke_token(session, get_token(session, token_id), now=now)
    return TokenOut.of(token, now)
