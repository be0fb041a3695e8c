"""Health and the event feed for integrations."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy import Engine, NullPool, create_engine, text
from sqlalchemy.exc import OperationalError

from api.deps import MAX_ID, MAX_PAGE_SIZE, SessionDep
from api.problems import responses
from api.schemas import EventPage, event_out
from workflow.core import UnknownCursor, events_after

router = APIRouter(tags=["system"])

HEALTH_TIMEOUT_SECONDS = 1.0


class HealthCheck:
    """``SELECT 1`` on a connection of its own, in threads of its own, within a second.

    Heavy requests may hold every pooled connection and every worker thread of the API; the health
    check uses neither. It opens a fresh connection (no pool, so no wait for one), in one of two
    threads reserved for it (so at most two connections, however often it is called), and gives up
    after ``HEALTH_TIMEOUT_SECONDS``: a database that cannot answer ``SELECT 1`` within a second is
    reported unavailable rather than waited for."""

    def __init__(self, engine: Engine) -> None:
        self.engine = create_engine(engine.url, poolclass=NullPool, connect_args=_quick_connect(engine))
        self.threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="health")

    def _select_one(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    async def check(self) -> None:
        """Returns when the database answered; raises a ``DBAPIError`` (rendered 503) when it did not."""
        loop = asyncio.get_running_loop()
        try:
            await asyncio.wait_for(loop.run_in_executor(self.threads, self._select_one), HEALTH_TIMEOUT_SECONDS)
        except TimeoutError:
            raise OperationalError("SELECT 1", {}, TimeoutError("no answer within a second")) from None


def _quick_connect(engine: Engine) -> dict[str, Any]:
    backend = engine.url.get_backend_name()
    if backend == "postgresql":  # libpq's minimum connect timeout is 2 s; the wait_for above cuts it to 1
        return {"connect_timeout": 2, "options": f"-c statement_timeout={int(HEALTH_TIMEOUT_SECONDS * 1000)}"}
    if backend == "sqlite":
        return {"check_same_thread": False, "timeout": HEALTH_TIMEOUT_SECONDS}
    return {}


def install_health_check(app: FastAPI, engine: Engine) -> None:
    app.state.health_check = HealthCheck(engine)


@router.get("/health", responses=responses(503))
async def health(request: Request) -> dict[str, str]:
    """Answers 200 when the API can reach its database, 503 (problem+json) when it cannot, within a
    second, also while other requests hold every database connection."""
    checker: HealthCheck = request.app.state.health_check
    await checker.check()
    return {"status": "ok", "database": "ok"}


@router.get("/events", response_model=EventPage, responses=responses(422))
def events(
    session: SessionDep,
    after: Annotated[int, Query(
        ge=0, le=MAX_ID, description="The last event you were given (a page's `next_after`); 0: from the start.",
    )] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 100,
) -> EventPage:
    """Domain events, each once, in an order in which an event never appears before one already
    returned (that of the transactions that wrote them: commit order for changes that did not overlap;
    an event shows once no transaction that began writing before it is still running). Pass the
    returned ``next_after`` to continue; an ``after`` that names no event is 422."""
    try:
        rows = events_after(session, after, limit)
    except UnknownCursor as unknown:
        invalid = [{"loc": ("query", "after"), "msg": unknown.detail, "type": "value_error"}]
        raise RequestValidationError(invalid) from None
    return EventPage(items=[event_out(r) for r in rows], next_after=rows[-1].id if rows else after)
