from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import freezegun
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, text
from sqlmodel import Session

import migrations
from api.app import create_app
from tests.api.helpers import bearer
from tests.services import fresh_postgres_database
from workflow.access.tokens import TokenCreate, issue_token
from workflow.consultation import BUILTIN_CATEGORIES, StakeholderCategory
from workflow.core import clock
from workflow.core.db import make_engine, new_session, unit_of_work
from workflow.core.settings import Settings
from workflow.tables import metadata

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
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        connection.execute(  # reference data a migration seeds, back as the next test expects it
            insert(StakeholderCategory),
            [{"code": code, "label_en": en, "label_sq": sq, "builtin": True} for code, en, sq in BUILTIN_CATEGORIES],
        )
    engine.dispose()


TokenIssuer = Callable[..., str]
ClientFactory = Callable[..., TestClient]
ADMIN_TOKEN_NAME = "test-admin"


@pytest.fixture
def token_for(engine: Engine) -> TokenIssuer:
    """Issue a token through the real service: ``token_for(role, institution_id, name=...)`` -> the secret.

    Test tokens never expire, so tests that freeze the clock years ahead keep working."""
    serial = itertools.count(1)

    def issue(role: str = "admin", institution_id: int | None = None, *, name: str | None = None) -> str:
        command = TokenCreate(name=name or f"test-{role}-{next(serial)}", role=role, institution_id=institution_id)
        with unit_of_work(engine) as db_session:
            return issue_token(db_session, command, now=clock.now(), default_lifetime_days=None).plain

    return issue


@pytest.fixture
def client_as(settings: Settings, engine: Engine, token_for: TokenIssuer) -> Iterator[ClientFactory]:
    """``client_as(role, institution_id)``: a client whose requests carry a fresh token of that role;
    ``client_as(None)`` sends none."""
    app = create_app(settings, engine)
    with ExitStack() as stack:

        def make(role: str | None, institution_id: int | None = None, *, name: str | None = None) -> TestClient:
            test_client = stack.enter_context(TestClient(app, raise_server_exceptions=False))
            if role is not None:
                test_client.headers.update(bearer(token_for(role, institution_id, name=name)))
            return test_client

        yield make


@pytest.fixture
def client(client_as: ClientFactory) -> TestClient:
    """A client acting as an admin (token named ``test-admin``), allowed everything."""
    return client_as("admin", name=ADMIN_TOKEN_NAME)


@pytest.fixture
def anonymous(client_as: ClientFactory) -> TestClient:
    return client_as(None)
