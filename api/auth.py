"""Who is calling: bearer-token authentication and the checks routes use to authorize.

Authentication comes before anything else. ``Authentication`` is an ASGI middleware that checks
the bearer token of every request outside the open paths (``/health``, the docs and their assets)
before routing, so no body, content type, encoding, parameter or unknown route can earn an
unauthenticated caller anything but 401, nor make the server parse a byte for them. It stores the
``Principal`` in the request's state, where the application-wide ``authenticate`` dependency (see
``api.app``) hands it to routes. Tokens shaped like a Continuum token (the only ones looked up;
anything else is refused without a query and could never succeed) pass ``api.throttle`` first:
a client past its allowance of refused tokens gets 429 with Retry-After before any lookup, unless
the token was verified from that client recently; a valid token gives back what it reserved.

Tests may replace the principal with FastAPI's ``dependency_overrides[authenticate]``; the
middleware then leaves authentication to the override.

Routes authorize with ``require_roles`` (the role) and ``Principal.may_act_for`` (the object's
institution); admins pass both.

The token is read in its own short session, so a failure never touches the request's unit of
work, and ``last_used_at`` is recorded at most once per few minutes per token: a read stays a
read for the database almost always.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from api.problems import PROBLEM_DESCRIPTIONS, PROBLEM_MEDIA_TYPE, database_problem, domain_problem
from api.throttle import Admission, FailureThrottle
from workflow.access import TOKEN_ROLES, Principal, TokenRefused, looks_like_token, mark_used, verify_token
from workflow.core import DomainError, TooManyFailedAuthentications, Unauthenticated, clock, unit_of_work

log = logging.getLogger("continuum.api.auth")

ROLES = TOKEN_ROLES
PUBLIC_PATHS = frozenset({"/health"})  # public operations of the API schema
SECURITY_SCHEME = "bearerToken"
PRINCIPAL = "principal"  # the key in the request's state


_QUERY_TOKEN = re.compile(rb"(?:^|&)(?:access_token|token)=", re.IGNORECASE)


def _bearer_secret(header: str | None, query_string: bytes = b"") -> str:
    if header is None and _QUERY_TOKEN.search(query_string):
        raise Unauthenticated("a token in the query string is not accepted (logs would keep it): "
                              "send it as `Authorization: Bearer <token>`", token_presented=False)
    if header is None:
        raise Unauthenticated("send an API token: `Authorization: Bearer <token>`", token_presented=False)
    scheme, _, secret = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthenticated("the Authorization header must be `Bearer <token>`", token_presented=False)
    return secret.strip()


def principal_of(engine: Engine, secret: str) -> Principal:
    """The principal whose token ``secret`` is, or ``Unauthenticated``; records the token's use."""
    now = clock.now()
    principal: Principal | None = None
    try:
        with unit_of_work(engine) as session:
            try:
                token = verify_token(session, secret, now=now)
            except TokenRefused as refused:
                raise Unauthenticated(refused.reason, token_presented=True) from None
            principal = Principal(
                name=token.name, role=token.role, institution_id=token.institution_id, token_id=token.id
            )
            mark_used(session, token, now)
    except DBAPIError:
        if principal is None:  # the token could not be checked: the database's problem is the request's
            raise
        # Verified, but the usage timestamp could not be written: a busy database must not fail the request.
        log.warning("could not record the use of token %r", principal.name, exc_info=True)
    assert principal is not None, "unit_of_work re-raises every other failure"
    return principal


class Authentication:
    """Authenticates every request outside ``open_paths`` / ``open_prefixes`` before the app sees it."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        engine: Engine,
        throttle: FailureThrottle,
        open_paths: Collection[str],
        open_prefixes: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.engine = engine
        self.throttle = throttle
        self.open_paths = frozenset(open_paths)
        self.open_prefixes = open_prefixes

    def is_open(self, scope: Scope) -> bool:
        path: str = scope["path"]
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root):]
        return (path.rstrip("/") or "/") in self.open_paths or path.startswith(self.open_prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.is_open(scope) or _overridden(scope):
            await self.app(scope, receive, send)
            return
        admission: Admission | None = None
        try:
            secret = _bearer_secret(Headers(scope=scope).get("authorization"), scope.get("query_string", b""))
            if looks_like_token(secret):  # only these are looked up, so only these are throttled
                client = scope.get("client")
                admission = self.throttle.admit(client[0] if client else "unknown", secret)
                if admission.retry_after is not None:  # refused before the lookup: no query at all
                    raise TooManyFailedAuthentications(admission.retry_after)
            principal = await run_in_threadpool(principal_of, self.engine, secret)
        except DomainError as refused:
            if admission is not None and admission.retry_after is None:
                self.throttle.refused(admission)
            await domain_problem(refused, instance=scope["path"])(scope, receive, send)
            return
        except (DBAPIError, PoolTimeout) as failure:  # the reserved failure stays spent: the lookup was tried
            problem = database_problem(failure, instance=scope["path"])
            assert problem is not None
            await problem(scope, receive, send)
            return
        if admission is not None:
            self.throttle.verified(admission)
        scope.setdefault("state", {})[PRINCIPAL] = principal
        await self.app(scope, receive, send)


def _overridden(scope: Scope) -> bool:
    app = scope.get("app")
    return authenticate in getattr(app, "dependency_overrides", {})


async def authenticate(request: Request) -> Principal | None:
    """The caller the ``Authentication`` middleware found; None on public paths, which need none.

    Asynchronous and without I/O, so a request never waits for a worker thread to learn who it is."""
    principal: Principal | None = request.scope.get("state", {}).get(PRINCIPAL)
    if principal is None and getattr(request.scope.get("route"), "path", None) not in PUBLIC_PATHS:
        raise Unauthenticated("send an API token: `Authorization: Bearer <token>`", token_presented=False)
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
        principal.require_role(*roles)
        return principal

    return Depends(check)


def document_security(openapi: dict[str, Any]) -> None:
    """Declare the bearer scheme, and on every operation outside ``PUBLIC_PATHS`` the 401, 403 and 429
    it may answer (and 413 where it takes a body, 503 everywhere): the middleware is global, so
    FastAPI cannot see them."""
    components = openapi.setdefault("components", {})
    components.setdefault("securitySchemes", {})[SECURITY_SCHEME] = {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token from `continuum tokens create` or `POST /tokens`.",
    }
    problem = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    retry_after = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before retrying"}}
    for path, operations in openapi.get("paths", {}).items():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            if "requestBody" in operation:
                responses.setdefault("413", {"description": PROBLEM_DESCRIPTIONS[413], "content": problem})
            busy = responses.setdefault("503", {"description": PROBLEM_DESCRIPTIONS[503], "content": problem})
            busy.setdefault("headers", {}).update(retry_after)
            if path in PUBLIC_PATHS:
                continue
            operation["security"] = [{SECURITY_SCHEME: []}]
            responses.setdefault("401", {
                "description": PROBLEM_DESCRIPTIONS[401],
                "headers": {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "`Bearer`"}},
                "content": problem,
            })
            responses.setdefault("403", {"description": PROBLEM_DESCRIPTIONS[403], "content": problem})
            responses.setdefault(
                "429", {"description": PROBLEM_DESCRIPTIONS[429], "headers": dict(retry_after), "content": problem}
            )
