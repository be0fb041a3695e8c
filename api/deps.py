"""Request-scoped dependencies: the session (unit of work), settings and If-Match. Who acts: ``api.auth``.

The dependencies that do no I/O are ``async``: FastAPI runs a plain ``def`` dependency in a worker
thread, and each such hop costs a request more than the dependency itself does (a transition
request used to make eight).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, TypeVar

import anyio
from fastapi import Depends, Header, Path, Request
from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from workflow.core import MalformedIfMatch, Settings

log = logging.getLogger("continuum.api.deps")

MAX_ID = 2**31 - 1
MAX_PAGE_SIZE = 200
REQUEST_SESSION = "session"  # the key in the request's state
_UNIT, _COMMITTED = "continuum.unit", "continuum.committed"  # keys in the session's ``info``
_DEFERRED = "continuum.deferred_check"
T = TypeVar("T")


class RequestBoundSession(Session):
    """The session of an API request (``RequestSession``). A token check the middleware deferred
    (``RequestSession.defer``, see ``api.auth``) runs as its first transaction begins, on that
    transaction's connection, before the first statement of the endpoint's: a token refused there
    fails the request before it has read or written anything."""


def _run_deferred_check(session: Session, transaction: SessionTransaction, connection: Connection) -> None:
    check = session.info.pop(_DEFERRED, None)
    if check is not None:
        check(connection)


event.listen(RequestBoundSession, "after_begin", _run_deferred_check)


@dataclass
class RequestSession:
    """The request's one session: ``api.auth.Authentication`` opens it to check the token, the
    endpoint's ``get_session`` works in it, and the middleware closes it when the request ends.

    ``record_use`` (the token's ``last_used_at``, due at most once per few minutes) is written at the
    request's commit, in a savepoint: a use that cannot be recorded fails nothing else. When the
    request commits nothing (it failed, or never used its session), ``close`` records it alone."""

    session: Session
    record_use: Callable[[Session], None] | None = None
    token_name: str = ""
    # Set while the session keeps the token check's connection (and transaction) for the endpoint: one
    # of a bounded number of such holds (see ``api.auth``), given back when that transaction ends.
    hold: threading.Semaphore | None = None

    @classmethod
    def open(cls, engine: Engine, *, hold: threading.Semaphore | None = None) -> RequestSession:
        return cls(RequestBoundSession(engine, expire_on_commit=False), hold=hold)

    def defer(self, check: Callable[[Connection], None]) -> None:
        """Run ``check`` as the session's first transaction begins (see ``RequestBoundSession``)."""
        self.session.info[_DEFERRED] = check

    @property
    def check_pending(self) -> bool:
        """A deferred check has not run yet: the endpoint has not begun a transaction in this session."""
        return _DEFERRED in self.session.info

    def settle(self) -> None:
        """Run a deferred check the endpoint never ran (it read nothing in this session), in autocommit,
        giving the connection back at once; raises what the check raises."""
        try:
            self.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        except BaseException:
            self.session.info.pop(_DEFERRED, None)
            self.session.rollback()
            raise
        self.release()

    def _end_hold(self) -> None:
        hold, self.hold = self.hold, None
        if hold is not None:
            hold.release()

    def _record_use(self) -> None:
        record, self.record_use = self.record_use, None
        if record is None:
            return
        try:
            with self.session.begin_nested():
                record(self.session)
        except DBAPIError:
            log.warning("could not record the use of token %r", self.token_name, exc_info=True)

    def release(self) -> None:
        """End the token check's autocommit use of the session, giving its connection back to the pool
        until the endpoint needs one (the check wrote nothing: there is nothing to commit)."""
        self.session.commit()

    def commit(self) -> None:
        try:
            self._record_use()
            self.session.commit()
        finally:
            self._end_hold()

    def rollback(self) -> None:
        try:
            self.session.rollback()
        finally:
            self._end_hold()

    @property
    def closing_waits(self) -> bool:
        """Whether ``close`` talks to the database (so belongs in a worker thread): a use still to record,
        or a transaction still open (the request ended before its endpoint's unit of work did)."""
        return self.record_use is not None or self.session.in_transaction()

    def close(self) -> None:
        try:
            if self.record_use is not None:
                self.session.rollback()
                self._record_use()
                self.session.commit()
        except DBAPIError:  # the request's answer stands; its token's use is recorded next time
            log.warning("could not record the use of token %r", self.token_name, exc_info=True)
        finally:
            self.session.close()
            self._end_hold()


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's unit of work: one session, committed when the endpoint returns and rolled back
    when it raises. Its scope is the endpoint function, so the commit happens before the response
    is sent: a commit that fails is the request's error, never a success reported for lost work.

    It is the session the token was checked in (``RequestSession``), or, where authentication was
    left to a test's override, one of its own. Entering costs no worker thread; the commit or
    rollback takes one."""
    stashed: RequestSession | None = request.scope.get("state", {}).get(REQUEST_SESSION)
    unit = stashed or RequestSession.open(request.app.state.engine)
    unit.session.info[_UNIT] = unit
    try:
        yield unit.session
    except BaseException:
        with anyio.CancelScope(shield=True):  # rolled back even when the request was cancelled
            await run_in_threadpool(unit.rollback)
        raise
    else:
        if not unit.session.info.pop(_COMMITTED, False):
            await run_in_threadpool(unit.commit)
    finally:
        if stashed is None:
            await close_unit(unit)


def _work_then_commit(session: Session, work: Callable[[], T]) -> T:
    result = work()
    session.info[_UNIT].commit()
    session.info[_COMMITTED] = True
    return result


async def work_and_commit(session: Session, work: Callable[[], T]) -> T:
    """``work()`` and then the request's commit, in one worker thread: for an ``async`` endpoint on a
    hot path (``POST /strategies/{id}/transitions``), one thread hop where a plain ``def`` endpoint
    takes two (its body, then ``get_session``'s commit). The unit of work is the same: a commit that
    fails is the request's error, and ``get_session`` rolls back whatever raised."""
    return await run_in_threadpool(_work_then_commit, session, work)


async def close_unit(unit: RequestSession) -> None:
    """``unit.close()``, in a worker thread only when it has to talk to the database. Shielded: a
    request cancelled meanwhile (a shutdown, a client gone) still gives its connection and its
    hold back."""
    with anyio.CancelScope(shield=True):
        if unit.closing_waits:
            await run_in_threadpool(unit.close)
        else:
            unit.close()


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def expected_version(if_match: str | None) -> set[int] | None:
    """The versions the client says it has seen. ``*`` and no header mean any version."""
    if if_match is None or if_match.strip() == "*":
        return None
    versions = set()
    for tag in if_match.split(","):
        tag = tag.strip()
        if tag.startswith("W/"):
            raise MalformedIfMatch("If-Match needs a strong ETag such as \"3\", not a weak one")
        digits = tag.strip('"')
        quoted = tag.startswith('"') and tag.endswith('"')
        if not (quoted and digits.isascii() and digits.isdigit() and len(digits) <= 9):
            raise MalformedIfMatch(f"If-Match must list ETags such as \"3\"; got {if_match!r}")
        versions.add(int(digits))
    return versions


async def if_match_versions(
    if_match: Annotated[str | None, Header(description='The ETag you read, e.g. "3"; a stale one gets 412.')] = None,
) -> set[int] | None:
    return expected_version(if_match)


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]
IfMatchDep = Annotated[set[int] | None, Depends(if_match_versions)]


def id_path(name: str) -> object:
    return Path(ge=1, le=MAX_ID, description=f"The {name}'s id.")
