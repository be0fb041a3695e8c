from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, insert, select, text

import migrations
from tests.services import fresh_postgres_database
from workflow.consultation import BUILTIN_CATEGORIES, StakeholderCategory
from workflow.core import OutboxEvent
from workflow.core.db import make_engine, new_session, unit_of_work
from workflow.core.settings import Settings
from workflow.directory import Contact, Institution
from workflow.lifecycle import StageChange, Strategy, StrategyRevision
from workflow.portfolio import ImportReport, export_portfolio, import_portfolio
from workflow.tables import metadata

TODAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TABLES = (Institution, Contact, Strategy, StageChange, StrategyRevision, OutboxEvent)


def import_text(engine: Engine, raw: str | bytes, settings: Settings, today: date = TODAY) -> ImportReport:
    with unit_of_work(engine) as session:
        return import_portfolio(session, raw, now=NOW, today=today, settings=settings)


def export_text(engine: Engine) -> str:
    out = io.StringIO()
    with new_session(engine) as session:
        export_portfolio(session, out)
    return out.getvalue()


def counts(engine: Engine) -> dict[str, int]:
    with new_session(engine) as session:
        return {model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0 for model in TABLES}


@pytest.fixture
def other_engine(tmp_path: Path, migrated_sqlite_template: Path) -> Iterator[Engine]:
    """A second empty, migrated SQLite database."""
    path = tmp_path / "other.db"
    shutil.copy(migrated_sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def other_postgres_url() -> Iterator[str]:
    with fresh_postgres_database() as url:
        migrations.upgrade(url)
        yield url


@pytest.fixture
def pg_other_engine(other_postgres_url: str) -> Iterator[Engine]:
    """A second empty, migrated PostgreSQL database, emptied again after the test."""
    engine = make_engine(other_postgres_url)
    yield engine
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        connection.execute(
            insert(StakeholderCategory),
            [{"code": code, "label_en": en, "label_sq": sq, "builtin": True} for code, en, sq in BUILTIN_CATEGORIES],
        )
    engine.dispose()
