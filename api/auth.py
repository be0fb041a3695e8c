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

One session per request: the middleware checks the token in the session the endpoint then works
in (``api.deps.RequestSession``, in the request's state; ``get_session`` takes it) and closes it
when the request ends. ``last_used_at`` is recorded at most once per few minutes per token, at the
request's commit and in a savepoint (``RequestSession``): a read stays a read for the database
almost always, and a use that cannot be recorded fails nothing.

Between the check and the endpoint the request waits for its body and for a worker thread. The
connection the check used is kept for the endpoint (saving a pool checkout, its ping and a
transaction) only while both waits are short and bounded: for a request without a body or with a
declared one of at most ``HOLD_BODY_BYTES`` (which arrives with the headers from any ordinary
client), and for at most ``holds`` requests at once. Otherwise the check's SELECT runs on its own,
without a transaction, and its connection goes back to the pool at once; the endpoint takes one
again in its worker thread. Unbounded, holding would be a trap: a slow upload would keep a
connection idle in a transaction, and once more requests waited for threads than the pool has
connections, the threads checking new tokens would wait for connections held by requests that
wait for those threads, until the pool's timeout answered 503. Bounded, at most ``holds``
connections are held outside a worker thread and every thread uses at most one, so a pool of
threads plus holds (``api.app.api_engine``, ``CONTINUUM_DB_POOL_SIZE``) never makes a thread wait.

A token the throttle remembers as verified from the same client (``api.throttle``), whose principal
this process knows (``KnownPrincipals``), skips that separate check and its worker-thread hop (on a
busy server, the hop cost a transition as much CPU as everything it does in the database): the
request goes on with the known principal, and its check is *deferred*, not dropped. It runs in the
request's session as the endpoint's first transaction begins, before that transaction's first
statement (``api.deps.RequestBoundSession``), so a token revoked or expired meanwhile writes
nothing; and if the endpoint never began one (it failed on its parameters, or read in a session of
its own, as the gap report does), it runs before the answer's first byte (``_settled_first``).
Either way a refused token gets 401 and nothing else, as with the check up front. What a revoked
token can still cost is bounded: only requests with a short body are deferred (so what the server
may parse first is what it holds for a checked request), and a refusal makes the process forget the
principal and the throttle the token, so the token's next request is checked up front again: at most
one endpoint's read is spent on it, then discarded.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Collection
from datetime import datetime
from functools import partial
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.deps import REQUEST_SESSION, RequestSession, close_unit
from api.problems import PROBLEM_DESCRIPTIONS, PROBLEM_MEDIA_TYPE, database_problem, domain_problem
from api.throttle import Admission, FailureThrottle
from workflow.access import (
    TOKEN_ROLES,
    Principal,
    TokenRefused,
    looks_like_token,
    mark_used,
    use_is_due,
    verify_token,
)
from workflow.core import DomainError, TooManyFailedAuthentications, Unauthenticated, clock

log = logging.getLogger("continuum.api.auth")

ROLES = TOKEN_ROLES
PUBLIC_PATHS = frozenset({"/health", "/calendars/{token}.ics"})  # public operations of the API schema
# Open to the middleware, but not public: the endpoint checks the bearer token itself (``api.routers.metrics``).
SELF_CHECKED_PATHS = frozenset({"/metrics"})
_NO_PRINCIPAL_NEEDED = PUBLIC_PATHS | SELF_CHECKED_PATHS
SECURITY_SCHEME = "bearerToken"
PRINCIPAL = "principal"  # the key in the request's state
HOLD_BODY_BYTES = 64 * 1024


_QUERY_TOKEN = re.compile(rb"(?:^|&)(?:access_token|token)=", re.IGNORECASE)


def bearer_secret(header: str | None, query_string: bytes = b"") -> str:
    if header is None and _QUERY_TOKEN.search(query_string):
        raise Unauthenticated("a token in the query string is not accepted (logs would keep it): "
                              "send it as `Authorization: Bearer <token>`", token_presented=False)
    if header is None:
        raise Unauthenticated("send an API token: `Authorization: Bearer <token>`", token_presented=False)
    scheme, _, secret = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthenticated("the Authorization header must be `Bearer <token>`", token_presented=False)
    return secret.strip()


def check_token(unit: RequestSession, secret: str, now: datetime) -> Principal:
    """The principal whose token ``secret`` is, or ``Unauthenticated``, checked in the request's session;
    a use due to be recorded is left to the request's commit (``RequestSession.record_use``). Unless
    the unit holds its connection for the endpoint, the connection goes back to the pool (see the module)."""
    if unit.hold is None:
        unit.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})  # no BEGIN, no COMMIT
    principal = _verified(unit, secret, now)
    if unit.hold is None:
        unit.release()
    return principal


def _verified(unit: RequestSession, secret: str, now: datetime, db: Session | Connection | None = None) -> Principal:
    try:
        token = verify_token(unit.session if db is None else db, secret, now=now)
    except TokenRefused as refused:
        raise Unauthenticated(refused.reason, token_presented=True) from None
    if use_is_due(token, now):
        unit.record_use, unit.token_name = partial(mark_used, token=token, now=now), token.name
    return Principal(name=token.name, role=token.role, institution_id=token.institution_id, token_id=token.id)


class KnownPrincipals:
    """The principals of the tokens this process verified last, by the token's digest (at most ``most``,
    the least recently used forgotten first): what a deferred check (see the module) starts from."""

    def __init__(self, most: int = 1024) -> None:
        self.most = most
        self._known: OrderedDict[bytes, Principal] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, admission: Admission | None) -> Principal | None:
        """The principal of a token the throttle remembers as verified from the same client, if known."""
        if admission is None or admission.reserved or admission.retry_after is not None:
            return None
        with self._lock:
            principal = self._known.get(admission.digest)
            if principal is not None:
                self._known.move_to_end(admission.digest)
            return principal

    def put(self, digest: bytes, principal: Principal) -> None:
        with self._lock:
            self._known[digest] = principal
            self._known.move_to_end(digest)
            while len(self._known) > self.most:
                self._known.popitem(last=False)

    def forget(self, digest: bytes) -> None:
        with self._lock:
            self._known.pop(digest, None)


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
        holds: Holds | None = None,
    ) -> None:
        self.app = app
        self.engine = engine
        self.holds = holds
        self.throttle = throttle
        self.open_paths = frozenset(open_paths)
        self.open_prefixes = open_prefixes
        self.known = KnownPrincipals()

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
        headers = Headers(scope=scope)
        short = _short_body(headers)
        try:
            secret = bearer_secret(headers.get("authorization"), scope.get("query_string", b""))
            if looks_like_token(secret):  # only these are looked up, so only these are throttled
                client = scope.get("client")
                admission = self.throttle.admit(client[0] if client else "unknown", secret)
                if admission.retry_after is not None:  # refused before the lookup: no query at all
                    raise TooManyFailedAuthentications(admission.retry_after)
            known = self.known.get(admission) if short else None
            if known is not None:  # checked again as the endpoint's transaction begins (see the module)
                assert admission is not None
                unit = RequestSession.open(self.engine)
                unit.defer(partial(self._deferred_check, unit, secret, clock.now(), admission))
                principal = known
            else:
                unit = RequestSession.open(self.engine, hold=self._hold(short))
                try:
                    principal = await run_in_threadpool(check_token, unit, secret, clock.now())
                except BaseException:
                    await close_unit(unit)
                    raise
        except DomainError as refused:
            if admission is not None and admission.retry_after is None:
                self.throttle.refused(admission)
            await domain_problem(refused, instance=scope["path"])(scope, receive, send)
            return
        except (DBAPIError, PoolTimeout) as failure:  # the reserved failure stays spent: the lookup was tried
            await _database_problem(failure, scope, receive, send)
            return
        if admission is not None and known is None:
            self.throttle.verified(admission)
            self.known.put(admission.digest, principal)
        state = scope.setdefault("state", {})
        state[PRINCIPAL], state[REQUEST_SESSION] = principal, unit
        try:
            await self.app(scope, receive, send if known is None else _settled_first(unit, scope, receive, send))
        finally:
            await close_unit(unit)

    def _deferred_check(self, unit: RequestSession, secret: str, now: datetime, admission: Admission,
                        connection: Connection) -> None:
        try:
            _verified(unit, secret, now, connection)
        except Unauthenticated:
            self.throttle.refused(admission)
            self.known.forget(admission.digest)
            raise

    def _hold(self, short_body: bool) -> threading.Semaphore | None:
        """A hold on the check's connection for this request, if its body is short and one is free."""
        if self.holds is None or not short_body:
            return None
        return self.holds.take()


def _short_body(headers: Headers) -> bool:
    """No body, or a declared one of at most ``HOLD_BODY_BYTES``: it arrives with the headers."""
    length = headers.get("content-length")
    return (length is None or (length.isdigit() and int(length) <= HOLD_BODY_BYTES)) \
        and "transfer-encoding" not in headers


async def _database_problem(failure: DBAPIError | PoolTimeout, scope: Scope, receive: Receive, send: Send) -> None:
    problem = database_problem(failure, instance=scope["path"])
    assert problem is not None
    await problem(scope, receive, send)


def _settled_first(unit: RequestSession, scope: Scope, receive: Receive, send: Send) -> Send:
    """``send``, but a deferred check the endpoint never ran runs before the answer starts, and a refusal
    replaces the answer: nothing but 401 reaches the caller of a token refused."""
    replaced = False

    async def settled_send(message: Message) -> None:
        nonlocal replaced
        if replaced:
            return
        if message["type"] == "http.response.start" and unit.check_pending:
            try:
                await run_in_threadpool(unit.settle)
            except DomainError as refused:
                replaced = True
                await domain_problem(refused, instance=scope["path"])(scope, receive, send)
                return
            except (DBAPIError, PoolTimeout) as failure:
                replaced = True
                await _database_problem(failure, scope, receive, send)
                return
        await send(message)

    return settled_send


class Holds:
    """At most ``count`` requests at once keep their token check's connection for their endpoint (see
    the module); none until ``open``, which the application's startup calls once it has sized its
    worker threads to leave the pool room for them (``api.app.lifespan``)."""

    def __init__(self, count: int) -> None:
        self._free = threading.BoundedSemaphore(count) if count else None
        self._open = False

    def open(self) -> None:
        self._open = True

    def take(self) -> threading.Semaphore | None:
        """A hold (``release`` it when done), or None when none is free."""
        if not self._open or self._free is None or not self._free.acquire(blocking=False):
            return None
        return self._free


def _overridden(scope: Scope) -> bool:
    app = scope.get("app")
    return authenticate in getattr(app, "dependency_overrides", {})


async def authenticate(request: Request) -> Principal | None:
    """The caller the ``Authentication`` middleware found; None on public paths, which need none.

    Asynchronous and without I/O, so a request never waits for a worker thread to learn who it is."""
    principal: Principal | None = request.scope.get("state", {}).get(PRINCIPAL)
    if principal is None and getattr(request.scope.get("route"), "path", None) not in _NO_PRINCIPAL_NEEDED:
        raise Unauthenticated("send an API token: `Authorization: Bearer <token>`", token_presented=False)
    return principal


async def current_principal(principal: Annotated[Principal | None, Depends(authenticate)]) -> Principal:
    if principal is None:  # a public route asked who is calling: nobody is
        raise Unauthenticated("send an API token: `Authorization: Bearer <token>`", token_presented=False)
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: str) -> Any:
    """A dependency that refuses principals whose role is not one of ``roles`` (admin always passes)."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")

    async def check(principal: PrincipalDep) -> Principal:
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
