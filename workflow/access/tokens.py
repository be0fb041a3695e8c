"""API tokens: issuing, verifying and revoking bearer secrets.

A token is ``ctm_`` followed by 256 random bits. Only its SHA-256 is stored: the secret has so
much entropy that a slow password hash would add nothing, while a plain digest lets a request be
authenticated with one indexed lookup. The plain value exists in memory once, when issued, and
is handed to the caller to show; nothing here logs it.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Literal, Protocol, cast, get_args

from pydantic import AfterValidator, Field, Strict
from sqlalchemy import Connection, bindparam, func, or_, select, update
from sqlmodel import Session, col

from workflow.access.models import TOKEN_ROLES, ApiToken
from workflow.core import (
    Command,
    Conflict,
    Id,
    Name,
    NotFound,
    ValidationFailed,
    conflict_on_duplicate,
    get_or_not_found,
)
from workflow.directory import Institution

log = logging.getLogger("continuum.tokens")

TOKEN_PREFIX = "ctm_"
SHOWN_PREFIX_LENGTH = 12  # "ctm_" and 8 random characters: enough to tell tokens apart in listings
MAX_PRESENTED_LENGTH = 200
LOCAL_ADMIN_LIFETIME = timedelta(days=30)
LAST_USED_GRANULARITY = timedelta(minutes=5)
ROLES_NEEDING_INSTITUTION = ("coordinator", "contact_point")

TokenRole = Literal["admin", "coordinator", "contact_point", "viewer"]
assert set(get_args(TokenRole)) == set(TOKEN_ROLES)


LOCAL_ADMIN_PREFIX = "local-admin-"


def _not_a_bare_number(name: str) -> str:
    if name.isdigit():
        raise ValueError("must not be a bare number: `continuum tokens revoke` takes names and ids")
    if name.lower().startswith(LOCAL_ADMIN_PREFIX):
        raise ValueError(f"names starting with {LOCAL_ADMIN_PREFIX!r} are kept for the quick start's own token")
    return name


class TokenCreate(Command):
    name: Annotated[Name, AfterValidator(_not_a_bare_number)] = Field(
        description="Who holds the token; recorded as the actor in the history.", examples=["arta-moi"]
    )
    role: TokenRole
    institution_id: Id | None = Field(
        default=None, description="The institution the holder acts for; required for coordinators and contact points."
    )
    expires_in_days: Annotated[int, Strict()] | None = Field(
        default=None, ge=1, le=3650, description="Lifetime; empty means the deployment default."
    )


@dataclass(frozen=True)
class IssuedToken:
    row: ApiToken
    plain: str = field(repr=False)


class TokenRefused(Exception):
    """The presented secret does not authenticate anyone; ``reason`` is safe to show the caller."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def hash_token(plain: str) -> str:
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


class TokenFacts(Protocol):
    """What verifying a token tells: an ``ApiToken``, or the row ``verify_token`` read (no ORM object
    is built on the path of every request)."""

    @property
    def id(self) -> int | None: ...
    @property
    def name(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def institution_id(self) -> int | None: ...
    @property
    def expires_at(self) -> datetime | None: ...
    @property
    def revoked_at(self) -> datetime | None: ...
    @property
    def last_used_at(self) -> datetime | None: ...


def token_status(token: TokenFacts, now: datetime) -> Literal["active", "expired", "revoked"]:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


def issue_token(
    session: Session, command: TokenCreate, *, now: datetime, default_lifetime_days: int | None
) -> IssuedToken:
    """``default_lifetime_days`` None (for programmatic callers only) issues a token that never expires."""
    if command.role in ROLES_NEEDING_INSTITUTION and command.institution_id is None:
        raise ValidationFailed.field(
            "#/institution_id", f"a {command.role} token must name the institution it acts for"
        )
    if command.institution_id is not None and session.get(Institution, command.institution_id) is None:
        raise ValidationFailed.field("#/institution_id", f"no institution with id {command.institution_id}")
    if session.scalar(select(col(ApiToken.id)).where(col(ApiToken.name) == command.name)) is not None:
        raise _duplicate_name(command.name)
    days = command.expires_in_days or default_lifetime_days
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=command.name,
        role=command.role,
        institution_id=command.institution_id,
        token_hash=hash_token(plain),
        prefix=plain[:SHOWN_PREFIX_LENGTH],
        created_at=now,
        expires_at=now + timedelta(days=days) if days else None,
    )
    with conflict_on_duplicate(session, lambda: _duplicate_name(command.name)):
        session.add(token)
    log.info("issued token %r (role %s, prefix %s)", token.name, token.role, token.prefix)
    return IssuedToken(row=token, plain=plain)


def _duplicate_name(name: str) -> Conflict:
    return Conflict(
        f"a token named {name!r} exists already", errors=[{"pointer": "#/name", "detail": "must be unique"}]
    )


def active_local_admin(session: Session, now: datetime) -> ApiToken | None:
    """The newest local admin token still in use, if any."""
    rows = session.scalars(
        select(ApiToken)
        .where(col(ApiToken.name).startswith(LOCAL_ADMIN_PREFIX), col(ApiToken.revoked_at).is_(None))
        .order_by(col(ApiToken.id).desc())
    )
    return next((row for row in rows if token_status(row, now) == "active"), None)


def issue_local_admin_token(session: Session, now: datetime) -> str:
    """A fresh admin token for the local quick start (`continuum dev`); returns the secret.

    It replaces the previous local admin tokens (they are revoked), so restarts do not pile up
    30-day admin tokens: only the one printed last works."""
    for row in session.scalars(
        select(ApiToken).where(col(ApiToken.name).startswith(LOCAL_ADMIN_PREFIX), col(ApiToken.revoked_at).is_(None))
    ):
        revoke_token(session, row, now=now)
    name = f"{LOCAL_ADMIN_PREFIX}{now.strftime('%Y%m%d-%H%M%S')}"
    if session.scalar(select(col(ApiToken.id)).where(col(ApiToken.name) == name)) is not None:
        name = f"{name}-{secrets.token_hex(3)}"
    # Built without validation: the name prefix is reserved for exactly this token.
    command = TokenCreate.model_construct(name=name, role="admin", institution_id=None,
                                          expires_in_days=LOCAL_ADMIN_LIFETIME.days)
    return issue_token(session, command, now=now, default_lifetime_days=None).plain


def looks_like_token(presented: str) -> bool:
    """Whether ``presented`` could be a Continuum token, i.e. is worth looking up at all."""
    return presented.startswith(TOKEN_PREFIX) and len(presented) <= MAX_PRESENTED_LENGTH


# Built once (every request runs it), and a plain row rather than an ORM load: it runs on a bare
# connection too (the API's deferred check, ``api.auth``), and a row is cheaper to read and to keep.
_TOKENS = ApiToken.__table__  # type: ignore[attr-defined]  # SQLModel declares it untyped
_BY_HASH = select(*_TOKENS.c).where(_TOKENS.c.token_hash == bindparam("token_hash"))


def verify_token(db: Session | Connection, presented: str, *, now: datetime) -> TokenFacts:
    """The live token whose secret is ``presented``, or ``TokenRefused`` saying why not; read in ``db``
    (a session or a connection) as a row: its columns are its attributes."""
    if not looks_like_token(presented):
        raise TokenRefused("the bearer token is not a Continuum token")
    token = cast("TokenFacts | None", db.execute(_BY_HASH, {"token_hash": hash_token(presented)}).one_or_none())
    if token is None:
        log.info("refused an unknown bearer token (prefix %s)", presented[:SHOWN_PREFIX_LENGTH])
        raise TokenRefused("the bearer token is not valid")
    status = token_status(token, now)
    if status != "active":
        log.info("refused %s token %r", status, token.name)
        when = token.revoked_at if status == "revoked" else token.expires_at
        assert when is not None
        raise TokenRefused(f"the bearer token was {status} on {when.isoformat(timespec='seconds')}")
    return token


def use_is_due(token: TokenFacts, now: datetime) -> bool:
    """Whether ``now`` is worth recording as the token's last use (at most once per ``LAST_USED_GRANULARITY``)."""
    return token.last_used_at is None or now - token.last_used_at >= LAST_USED_GRANULARITY


def mark_used(session: Session, token: TokenFacts, now: datetime) -> None:
    """Record use at most once per ``LAST_USED_GRANULARITY``, so reads do not all become writes; a
    concurrent request of the same token that has just recorded it leaves nothing to do."""
    if not use_is_due(token, now):
        return
    last_used = col(ApiToken.last_used_at)
    session.execute(
        update(ApiToken)
        .where(col(ApiToken.id) == token.id)
        .where(or_(last_used.is_(None), last_used < now - LAST_USED_GRANULARITY))
        .values(last_used_at=now)
    )


def list_tokens(session: Session, *, limit: int, offset: int) -> tuple[list[ApiToken], int]:
    total = session.scalar(select(func.count()).select_from(ApiToken)) or 0
    rows = session.scalars(select(ApiToken).order_by(col(ApiToken.id)).limit(limit).offset(offset))
    return list(rows), total


def get_token(session: Session, token_id: int) -> ApiToken:
    return get_or_not_found(session, ApiToken, token_id, "token")


def find_token(session: Session, name_or_id: str) -> ApiToken:
    """By name, or by id when given a bare number (names cannot be bare numbers)."""
    if name_or_id.isascii() and name_or_id.isdigit() and len(name_or_id) <= 9:
        return get_token(session, int(name_or_id))
    token = session.scalar(select(ApiToken).where(col(ApiToken.name) == name_or_id))
    if token is None:
        raise NotFound(f"no token named {name_or_id!r}")
    return token


def revoke_token(session: Session, token: ApiToken, *, now: datetime) -> ApiToken:
    """Revoking twice keeps the first revocation time."""
    if token.revoked_at is None:
        token.revoked_at = now
        session.add(token)
        session.flush()
        log.info("revoked token %r", token.name)
    return token
