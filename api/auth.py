"""Who is calling: bearer-token authentication and the checks routes use to authorize.

``authenticate`` is an application-wide dependency (see ``api.app``), so every route, including
those of routers added later, needs a valid token unless its path is in ``PUBLIC_PATHS``. The
docs (/docs, /redoc, /openapi.json) are plain Starlette routes that no dependency reaches.
Routes authorize with ``require_roles`` (the role) and ``Principal.may_act_for`` (the object's
institution); admins pass both.

Authentication reads the token in its own short session, so a failure never touches the
request's unit of work, and records ``last_used_at`` at most once per few minutes per token:
a read stays a read for the database almost always.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.exc import DBAPIError

from api.problems import PROBLEM_MEDIA_TYPE
from workflow.access import TOKEN_ROLES, TokenRefused, mark_used, verify_token
from workflow.core import Forbidden, Unauthenticated, clock, new_session

log = logging.getLogger("continuum.api.auth")

ROLES = TOKEN_ROLES
PUBLIC_PATHS = frozenset({"/health"})
SECURITY_SCHEME = "bearerToken"


@dataclass(frozen=True)
class Principal:
    name: str
    role: str
    institution_id: int | None
    token_id: int | None = None

    def may_act_for(self, institution_id: int | None) -> bool:
        """Admins act for every institution; everyone else only for their own."""
        return self.role == "admin" or (institution_id is not None and institution_id == self.institution_id)

    def require_institution(self, institution_id: int | None, what: str = "this") -> None:
        if not self.may_act_for(institution_id):
            own = f"institution {self.institution_id}" if self.institution_id is not None else "no institution"
            raise Forbidden(f"token {self.name!r} acts for {own}; {what} belongs to institution {institution_id}")


def _bearer_secret(request: Request) -> str:
    header = request.headers.get("authorization")
    if header is None:
        raise Unauthenticated("send an API token: `Authorization: Bearer <token>`", token_presented=False)
    scheme, _, secret = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthenticated("the Authorization header must be `Bearer <token>`", token_presented=False)
    return secret.strip()


def authenticate(request: Request) -> Principal | None:
    """The caller behind the bearer token; None on public paths, which need none."""
    route = request.scope.get("route")
    if getattr(route, "path", None) in PUBLIC_PATHS:
        return None
    secret = _bearer_secret(request)
    now = clock.now()
    with new_session(request.app.state.engine) as session:
        try:
            token = verify_token(session, secret, now=now)
        except TokenRefused as refused:
            raise Unauthenticated(refused.reason, token_presented=True) from None
        principal = Principal(name=token.name, role=token.role, institution_id=token.institution_id, token_id=token.id)
        try:
            mark_used(session, token, now)
            session.commit()
        except DBAPIError:  # a busy database must not fail the request over a usage timestamp
            session.rollback()
            log.warning("could not record the use of token %r", token.name, exc_info=True)
    return principal


def current_principal(principal: Annotated[Principal | None, Depends(authenticate)]) -> Principal:
    if principal is None:  # a public route asked who is calling: nobody is
        raise Unauthenticated("send an API token: `Authorization: Bearer <token>`", token_presented=False)
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: str) -> Any:
    """A dependency that refuses principals whose role is not one of ``roles`` (admin always passes)."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")

    def check(principal: PrincipalDep) -> Principal:
        if principal.role != "admin" and principal.role not in roles:
            allowed = ", ".join(("admin", *roles))
            raise Forbidden(f"a {principal.role} token may not do this (allowed: {allowed})")
        return principal

    return Depends(check)


def document_security(openapi: dict[str, Any]) -> None:
    """Declare the bearer scheme, and on every operation outside ``PUBLIC_PATHS`` the 401 and 403
    it may answer (and 413 where it takes a body): the dependency is global, so FastAPI cannot."""
    components = openapi.setdefault("components", {})
    components.setdefault("securitySchemes", {})[SECURITY_SCHEME] = {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token from `continuum tokens create` or `POST /tokens`.",
    }
    problem = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, operations in openapi.get("paths", {}).items():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            if "requestBody" in operation:
                responses.setdefault("413", {"description": "The body is larger than the limit", "content": problem})
            if path in PUBLIC_PATHS:
                continue
            operation["security"] = [{SECURITY_SCHEME: []}]
            responses.setdefault("401", {
                "description": "No token, or a token that is unknown, expired or revoked",
                "headers": {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "`Bearer`"}},
                "content": problem,
            })
            responses.setdefault(
                "403", {"description": "The token's role or institution may not do this", "content": problem}
            )
