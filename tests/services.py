"""Reaching the real PostgreSQL and Redis the integration tests use.

Where they are comes from the environment, never from a test: ``CONTINUUM_TEST_POSTGRES_URL``
(an admin connection, used to create and drop databases), ``CONTINUUM_TEST_REDIS_URL`` (the
Redis database the tests flush and use) and ``CONTINUUM_TEST_DB_PREFIX`` (the start of the name
of every database the tests create, so runs sharing a server can tell theirs apart).

When a service is unreachable its tests skip with the reason, unless
``CONTINUUM_REQUIRE_SERVICES=1`` (set by .ci/run), where they fail instead.
"""

from __future__ import annotations

import os
import re
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

POSTGRES_ADMIN_URL = os.environ.get(
    "CONTINUUM_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("CONTINUUM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
TEST_DB_PREFIX = os.environ.get("CONTINUUM_TEST_DB_PREFIX", "continuum_test")
_PREFIX_SHAPE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,49}")  # + "_" + 12 hex digits fits PostgreSQL's 63


def new_database_name() -> str:
    """A new, unique database name: ``<CONTINUUM_TEST_DB_PREFIX>_<12 hex digits>``."""
    if not _PREFIX_SHAPE.fullmatch(TEST_DB_PREFIX):
        raise ValueError(
            f"CONTINUUM_TEST_DB_PREFIX={TEST_DB_PREFIX!r}: use up to 50 letters, digits and underscores, "
            "not starting with a digit"
        )
    return f"{TEST_DB_PREFIX}_{uuid.uuid4().hex[:12]}"


def services_required() -> bool:
    return os.environ.get("CONTINUUM_REQUIRE_SERVICES") == "1"


def unavailable(service: str, reason: str) -> None:
    message = f"{service} unreachable ({reason})"
    if services_required():
        pytest.fail(f"{message}; CONTINUUM_REQUIRE_SERVICES=1 makes this a failure", pytrace=False)
    pytest.skip(f"{message}; set CONTINUUM_REQUIRE_SERVICES=1 to fail instead")


def _port_open(host: str, port: int) -> str | None:
    try:
        with socket.create_connection((host, port), timeout=1):
            return None
    except OSError as exc:
        return str(exc)


def require_redis() -> str:
    parts = urlsplit(REDIS_URL)
    error = _port_open(parts.hostname or "127.0.0.1", parts.port or 6379)
    if error:
        unavailable("Redis", f"{REDIS_URL}: {error}")
    return REDIS_URL


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """Create an empty, uniquely named database; drop it afterwards. Yields its URL."""
    url = make_url(POSTGRES_ADMIN_URL)
    error = _port_open(url.host or "127.0.0.1", url.port or 5432)
    if error:
        unavailable("PostgreSQL", f"{url.render_as_string(hide_password=True)}: {error}")
    name = new_database_name()
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any failure here means the service is not usable
        admin.dispose()
        unavailable("PostgreSQL", str(exc).splitlines()[0])
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
