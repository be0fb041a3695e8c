"""Waiting for something another process or thread brings up: the one place tests poll.

Every readiness wait in the suite goes through here: ``wait_until_healthy`` (an HTTP ``/health``
URL answers 200) and ``wait_for_port`` (a TCP socket accepts connections); ``wait_for_files`` is
the same loop for files another process writes (the ``continuum dev`` mailbox), ``wait_for_lock_wait``
for PostgreSQL backends waiting on a lock, ``wait_for_feed`` for events to reach ``GET /events``.

Why polling, and why only here: a socket that is not listening yet, or a file another process has
not written yet, sends no event a test could block on, so the only way to see it appear is to try
again after a short sleep. Log lines are no substitute: uvicorn logs "Application startup
complete" *before* it binds its socket, so a request sent on that line can meet "connection
refused" on a busy machine. Everywhere else tests wait on conditions (``threading.Condition``,
as ``RecordingHandler.wait_for`` in tests/smtp_sink.py does), never on sleeps.

Each wait fails early, saying why, when the ``process`` meant to bring the thing up has ended: a
``subprocess.Popen`` (with its exit code) or a ``threading.Thread``.
"""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import TypeVar

import httpx
from sqlalchemy import Engine, text

POLL_SECONDS = 0.05  # short, and it releases the GIL a server thread being waited on needs
ATTEMPT_SECONDS = 2.0  # one connection attempt; a listening server answers far sooner
DEFAULT_TIMEOUT = 60.0

T = TypeVar("T")
Process = subprocess.Popen | threading.Thread | None


class _NotYet(Exception):
    """An attempt found the thing not ready; the message says what it saw."""


def _check_alive(process: Process, waiting_for: str) -> None:
    if isinstance(process, subprocess.Popen):
        code = process.poll()
        if code is not None:
            raise AssertionError(f"process {process.pid} exited with code {code} while waiting for {waiting_for}")
    elif isinstance(process, threading.Thread) and not process.is_alive():
        raise AssertionError(f"thread {process.name} ended while waiting for {waiting_for}")


def _poll(attempt: Callable[[], T], *, waiting_for: str, process: Process, timeout: float) -> T:
    """Call ``attempt`` until it returns instead of raising ``_NotYet``, ``OSError`` or an httpx
    transport error; a short sleep between attempts."""
    deadline = time.monotonic() + timeout
    while True:
        _check_alive(process, waiting_for)
        try:
            return attempt()
        except (_NotYet, OSError, httpx.TransportError) as exc:
            last = f"{type(exc).__name__}: {exc}"
        if time.monotonic() >= deadline:
            raise AssertionError(f"{waiting_for}: not within {timeout}s (last attempt: {last})")
        time.sleep(POLL_SECONDS)  # nothing to await: see the module docstring


def wait_until_healthy(url: str, *, process: Process = None, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Return once GET ``url`` (a ``/health`` URL) answers 200."""
    with httpx.Client(timeout=ATTEMPT_SECONDS, trust_env=False) as client:

        def attempt() -> None:
            response = client.get(url)
            if response.status_code != 200:
                raise _NotYet(f"{response.status_code} {response.text[:200]}")

        _poll(attempt, waiting_for=f"{url} answering 200", process=process, timeout=timeout)


def wait_for_port(host: str, port: int, *, process: Process = None, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Return once ``host:port`` accepts a TCP connection."""

    def attempt() -> None:
        with socket.create_connection((host, port), timeout=ATTEMPT_SECONDS):
            pass

    _poll(attempt, waiting_for=f"{host}:{port} accepting connections", process=process, timeout=timeout)


def wait_for_files(
    directory: Path, pattern: str = "*", *, process: Process = None, timeout: float = DEFAULT_TIMEOUT
) -> list[Path]:
    """Return the files in ``directory`` matching ``pattern``, sorted, once there is at least one."""

    def attempt() -> list[Path]:
        files = sorted(directory.glob(pattern))
        if not files:
            raise _NotYet("no such file yet")
        return files

    return _poll(attempt, waiting_for=f"a file {pattern} in {directory}", process=process, timeout=timeout)


def wait_for_lock_wait(
    engine: Engine, *, at_least: int = 1, process: Process = None, timeout: float = DEFAULT_TIMEOUT
) -> None:
    """Return once ``at_least`` PostgreSQL backends of this database wait for a lock another holds
    (the same loop: a lock wait sends no event)."""

    def attempt() -> None:
        with engine.connect() as connection:
            waiting = connection.scalar(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )) or 0
        if waiting < at_least:
            raise _NotYet(f"{waiting} backend(s) wait for a lock")

    _poll(attempt, waiting_for=f"{at_least} transaction(s) waiting for a lock", process=process, timeout=timeout)


def wait_until(produce: Callable[[], T], done: Callable[[T], bool], *, waiting_for: str,
               timeout: float = DEFAULT_TIMEOUT) -> T:
    """Return ``produce()`` once ``done`` accepts it (the same loop, for a state that comes without an
    event: the outbox feed, which a transaction still running anywhere on the PostgreSQL server holds
    back for as long as it runs)."""

    def attempt() -> T:
        value = produce()
        if not done(value):
            raise _NotYet(repr(value)[:200])
        return value

    return _poll(attempt, waiting_for=waiting_for, process=None, timeout=timeout)


def wait_for_feed(
    base_url: str, event_ids: Collection[int], *, headers: Mapping[str, str], process: Process = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> None:
    """Return once ``GET /events`` of the API at ``base_url`` lists every event in ``event_ids``.

    The feed holds a committed event back while a transaction that took its id earlier is still
    writing (in any database of the server: see ``workflow.core.outbox``), and the scheduler pass
    plans from the feed; no event says when the feed has moved on."""
    wanted = set(event_ids)
    with httpx.Client(timeout=ATTEMPT_SECONDS, trust_env=False, headers=dict(headers)) as client:

        def attempt() -> None:
            seen: set[int] = set()
            after = 0
            while True:
                response = client.get(f"{base_url}/events", params={"after": after, "limit": 200})
                if response.status_code != 200:
                    raise _NotYet(f"{response.status_code} {response.text[:200]}")
                page = response.json()
                if not page["items"]:
                    break
                seen |= {event["id"] for event in page["items"]}
                after = page["next_after"]
            if wanted - seen:
                raise _NotYet(f"events {sorted(wanted - seen)} not in the feed yet")

        _poll(attempt, waiting_for=f"events {sorted(wanted)} in {base_url}/events", process=process, timeout=timeout)
