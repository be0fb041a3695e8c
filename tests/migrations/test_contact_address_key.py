"""Migration 0005 on a database that already holds a person twice: both rows stay (the ledger may
name them), the later one's key is marked with its id, and the constraint holds from then on."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

import migrations
from tests.services import fresh_postgres_database
from workflow.core.db import make_engine

ROWS = [(1, "Arta Hoxha", "arta@example.org"), (2, "Arta H.", "ARTA@example.org"), (3, "Daniel", "d@example.org")]


def _upgrade_with_duplicates(url: str) -> list[tuple[int, str]]:
    migrations.upgrade(url, "0004")
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO institutions (id, name, created_at) VALUES (1, 'MoI', :t)"),
                               {"t": "2026-01-05 09:00:00+00:00"})
            for row_id, name, email in ROWS:
                connection.execute(text(
                    "INSERT INTO contacts (id, name, email, institution_id, language, roles, created_at, updated_at)"
                    " VALUES (:id, :name, :email, 1, 'en', '[\"coordinator\"]', :t, :t)"
                ), {"id": row_id, "name": name, "email": email, "t": "2026-01-05 09:00:00+00:00"})
        migrations.upgrade(url)
        with engine.begin() as connection:
            keys = [tuple(r) for r in connection.execute(text("SELECT id, email_key FROM contacts ORDER BY id"))]
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO contacts (name, email, email_key, institution_id, language, roles, created_at, updated_at)"
                " VALUES ('again', 'd@example.org', 'd@example.org', 1, 'en', '[]', :t, :t)"
            ), {"t": "2026-01-05 09:00:00+00:00"})
        return keys
    finally:
        engine.dispose()


EXPECTED = [(1, "arta@example.org"), (2, "arta@example.org#2"), (3, "d@example.org")]


def test_on_sqlite(tmp_path):
    assert _upgrade_with_duplicates(f"sqlite:///{tmp_path / 'c.db'}") == EXPECTED


@pytest.mark.postgres
def test_on_postgres():
    with fresh_postgres_database() as url:
        assert _upgrade_with_duplicates(url) == EXPECTED
