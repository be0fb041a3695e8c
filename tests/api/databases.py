"""One test, two databases: a fixture body that yields the SQLite engine or PostgreSQL's ``pg_engine``.

A module overrides ``engine`` with it (``engine = both_databases``), so the ``client``, ``client_as``
and ``session`` fixtures, which all stand on ``engine``, run each of its tests on SQLite and on
PostgreSQL (marked ``postgres``: skipped without a server unless CONTINUUM_REQUIRE_SERVICES=1).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from workflow.core.db import make_engine
from workflow.core.settings import Settings


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def both_databases(
    request: pytest.FixtureRequest, settings: Settings, migrated_sqlite_template: Path
) -> Iterator[Engine]:
    if request.param == "postgres":
        yield request.getfixturevalue("pg_engine")
        return
    shutil.copy(migrated_sqlite_template, settings.data_dir.parent / "continuum.db")
    sqlite = make_engine(settings.resolved_database_url)
    yield sqlite
    sqlite.dispose()
