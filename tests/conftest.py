from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import freezegun
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session, SQLModel

import migrations
from api.app import create_app
from tests.services import fresh_postgres_database
from workflow.db import make_engine, new_session
from workflow.settings import Settings

# freezegun also freezes time.monotonic; Celery, kombu and redis-py wait on it.
freezegun.configure(extend_ignore_list=["celery", "kombu", "redis"])


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to head; each test gets a copy (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "continuum.db"
    migrations.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path / 'continuum.db'}")


@pytest.fixture
def engine(settings: Settings, migrated_sqlite_template: Path) -> Iterator[Engine]:
    shutil.copy(migrated_sqlite_template, settings.data_dir.parent / "continuum.db")
    engine = make_engine(settings.resolved_database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on a fresh migrated SQLite database; nothing is committed unless the test commits."""
    with new_session(engine) as db_session:
        yield db_session


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database migrated to head, shared by the session's PostgreSQL tests."""
    with fresh_postgres_database() as url:
        migrations.upgrade(url)
        yield url


@pytest.fixture
def pg_engine(postgres_url: str) -> Iterator[Engine]:
    engine = make_engine(postgres_url, pool_size=25, max_overflow=5)
    yield engine
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings, engine), raise_server_exceptions=False) as test_client:
        yield test_client
