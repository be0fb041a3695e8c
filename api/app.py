"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Engine
from sqlalchemy.pool import QueuePool

from api import docs, problems
from api.auth import PUBLIC_PATHS, SELF_CHECKED_PATHS, Authentication, Holds, authenticate, document_security
from api.limits import BodySizeLimit
from api.observability import HttpMetrics, MeasureRequests
from api.request_id import RequestId
from api.routers import (
    calendar,
    consultations,
    directory,
    feeds,
    gaps,
    metrics,
    monitoring_plan,
    monitoring_reports,
    monitoring_results,
    notifications,
    stakeholders,
    strategies,
    system,
    tokens,
    webhooks,
)
from api.routers.feeds import FEED_PREFIX
from api.security import SecurityHeaders
from api.throttle import FailureThrottle
from web import PREFIX as CONSOLE
from web import create_console
from workflow.core import Settings, get_settings, make_engine

DESCRIPTION = """
Continuum keeps national policy strategies in force without gaps.

Coordinators create strategies and action plans, and advance them through the lifecycle
drafting → consultation → approval → implementation → monitoring → expiry by posting events
to `/strategies/{id}/transitions`. Every strategy response carries its `stage`, `version`
(also sent as `ETag`) and the `allowed_events`; send `If-Match` with the ETag you read to make
sure nobody changed it in between. Errors are RFC 9457 `application/problem+json`.

Every endpoint but `/health`, a calendar feed's URL (it carries a token of its own) and these docs
needs an API token: `Authorization: Bearer <token>` (Authorize button above). Tokens come from
`continuum tokens create` or, for admins, `POST /tokens`.
"""


def api_engine(settings: Settings) -> Engine:
    """The API's engine: ``CONTINUUM_DB_POOL_SIZE`` connections, one per worker thread and one per hold
    (see ``lifespan`` and ``api.auth``). A connection is held outside a worker thread only by one of
    the bounded holds, and a request's thread uses one at a time, so no thread waits for a connection:
    ``pool_timeout`` is for a database that is slow."""
    return make_engine(settings.resolved_database_url, pool_timeout=settings.pool_timeout_seconds,
                       pool_size=settings.db_pool_size, max_overflow=0)


def threads_and_holds(settings: Settings) -> tuple[int, int]:
    """The pool split: four fifths for the worker threads, one fifth for the holds of ``api.auth``."""
    holds = settings.db_pool_size // 5
    return settings.db_pool_size - holds, holds


def _holds(engine: Engine) -> int:
    """A fifth of the engine's pool (``threads_and_holds`` for the API's own engine; a test's may differ)."""
    return engine.pool.size() // 5 if isinstance(engine.pool, QueuePool) else 0


def lifespan(settings: Settings) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Sizes the worker threads that run plain ``def`` endpoints and dependencies (AnyIO's default
    limiter, 40 unless told) to their share of the pool (``threads_and_holds``), then lets ``api.auth``
    hold connections in the rest (an app served without its lifespan holds none)."""

    @asynccontextmanager
    async def threads_to_pool(app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads_and_holds(settings)[0]
        app.state.holds.open()  # the threads leave the pool room for them now
        yield

    return threads_to_pool


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="Continuum", version="0.1.0", description=DESCRIPTION, dependencies=[Depends(authenticate)],
        docs_url=None, redoc_url=None, swagger_ui_oauth2_redirect_url=None, lifespan=lifespan(settings),
    )
    app.state.settings = settings
    app.state.engine = engine or api_engine(settings)
    app.state.holds = Holds(_holds(app.state.engine))
    app.state.throttle = FailureThrottle(settings.auth_failures_per_minute)  # also guards feed and metrics tokens
    app.state.http_metrics = HttpMetrics()
    problems.install(app)
    docs.install(app)
    system.install_health_check(app, app.state.engine)
    # The last added runs first: security headers on every answer, then authentication before
    # anything reads the body (401 first), then the body limit for those who may send one. Before all
    # of them: the request id (for every log line of the request) and the HTTP metrics (every answer).
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        Authentication,
        engine=app.state.engine,
        throttle=app.state.throttle,
        # /metrics checks its own tokens (an admin's or the metrics token); a feed's URL carries its token
        open_paths=PUBLIC_PATHS | SELF_CHECKED_PATHS | docs.DOCS_PATHS | {CONSOLE, "/favicon.ico"},
        open_prefixes=(docs.STATIC_PREFIX, CONSOLE + "/", FEED_PREFIX),  # the console signs people in itself
        holds=app.state.holds,
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(MeasureRequests, metrics=app.state.http_metrics)
    app.add_middleware(RequestId)
    app.mount(CONSOLE, create_console(settings, app.state.engine))

    async def root(request: Request) -> Response:
        return RedirectResponse(f"{CONSOLE}/", status_code=307)

    async def favicon(request: Request) -> Response:  # browsers ask for it on every host, signed in or not
        return RedirectResponse(f"{CONSOLE}/static/favicon.svg", status_code=301)

    app.add_route("/", root, include_in_schema=False)
    app.add_route("/favicon.ico", favicon, include_in_schema=False)
    app.include_router(strategies.router)
    app.include_router(directory.router)
    app.include_router(notifications.router)
    app.include_router(system.router)
    app.include_router(gaps.router)
    app.include_router(tokens.router)
    app.include_router(calendar.router)
    app.include_router(consultations.router)
    app.include_router(stakeholders.router)
    app.include_router(webhooks.router)
    app.include_router(feeds.router)
    app.include_router(metrics.router)
    for monitoring_router in (monitoring_plan, monitoring_reports, monitoring_results):
        app.include_router(monitoring_router.router)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            problems.add_problem_schemas(schema)
            document_security(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    # FastAPI's documented way to extend the schema is to replace the instance's ``openapi`` method.
    app.openapi = openapi  # type: ignore[method-assign]
    return app
