"""The Alembic migrations build the schema the models describe, on both backends, and come down again."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

import migrations
from tests.services import fresh_postgres_database
from workflow.core.db import make_engine
from workflow.tables import metadata

MODEL_TABLES = set(metadata.tables)


def _schema_diff(engine: Engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": True})
        return compare_metadata(context, metadata)


def _revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'fresh.db'}"


def _assert_upgrade_reaches_the_models(url: str) -> None:
    """Upgrade an empty database to head: every model table, and no difference from the models."""
    migrations.upgrade(url)
    engine = make_engine(url)
    try:
        assert _revision(engine) == migrations.current_head()
        assert set(inspect(engine).get_table_names()) == MODEL_TABLES | {"alembic_version"}
        assert _schema_diff(engine) == []
    finally:
        engine.dispose()


def test_upgrade_builds_every_table_on_a_fresh_sqlite_database(sqlite_url):
    _assert_upgrade_reaches_the_models(sqlite_url)


@pytest.mark.postgres
def test_upgrade_builds_every_table_on_a_fresh_postgres_database():
    with fresh_postgres_database() as url:
        _assert_upgrade_reaches_the_models(url)


def test_the_comparison_notices_a_schema_that_drifted(sqlite_url):
    """Guards the two tests above: an index the models declare but the database lacks is a diff."""
    migrations.upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP INDEX ix_strategies_stage"))
        diff = _schema_diff(engine)
        assert [(d[0], d[1].name) for d in diff] == [("add_index", "ix_strategies_stage")]
    finally:
        engine.dispose()


def test_downgrade_to_base_and_up_again_on_sqlite(sqlite_url):
    migrations.upgrade(sqlite_url)
    command.downgrade(migrations.alembic_config(sqlite_url), "base")
    engine = make_engine(sqlite_url)
    try:
        assert _revision(engine) is None
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrations.upgrade(sqlite_url)
        assert _revision(engine) == migrations.current_head()
        assert _schema_diff(engine) == []
    finally:
        engine.dispose()


def test_each_revision_steps_down_and_up_on_sqlite(sqlite_url):
    config = migrations.alembic_config(sqlite_url)
    migrations.upgrade(sqlite_url)
    head = migrations.current_head()
    command.downgrade(config, "-1")
    command.upgrade(config, "+1")
    engine = make_engine(sqlite_url)
    try:
        assert _revision(engine) == head
        assert _schema_diff(engine) == []
    finally:
        engine.dispose()
