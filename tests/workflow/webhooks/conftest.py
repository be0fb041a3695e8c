from __future__ import annotations

import pytest
from sqlalchemy import Engine


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest) -> Engine:
    """The fan-out's SQL on both backends: a migrated SQLite file, or the suite's PostgreSQL database."""
    return request.getfixturevalue("engine" if request.param == "sqlite" else "pg_engine")
