"""Property-based: schemathesis generates requests from the app's own OpenAPI schema, valid and invalid,
with an admin token and without one, against the ASGI app in-process on a fresh migrated SQLite
database seeded so that small ids resolve.

Whatever it sends, the app must not answer 5xx, must answer only statuses the schema documents,
with the documented media type, headers and body (errors: the ``Problem`` document), and must not
serve a secured operation without a token.

One app and database serve the whole module: building an app's schema costs more than the
requests themselves. Generation is derandomized, so a run is reproducible and its length steady.
"""

from __future__ import annotations

import shutil
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Engine

from api.app import create_app
from tests import factories as f
from tests.api.helpers import bearer
from workflow.access.tokens import TokenCreate, issue_token
from workflow.core import clock
from workflow.core.db import make_engine, unit_of_work
from workflow.core.settings import Settings

EXAMPLES_PER_MODE = 12  # per operation, generation mode (valid, invalid) and caller (admin token, none)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    ignored_auth,
]

# Read at collection from an app that needs no database, so routers added later are fuzzed too.
PATHS = create_app(Settings(_env_file=None, database_url="sqlite://")).openapi()["paths"]
OPERATIONS = [(method.upper(), path) for path, operations in sorted(PATHS.items()) for method in operations]
TALLY: Counter[str] = Counter()


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory, migrated_sqlite_template: Path) -> Iterator[tuple[Engine, object]]:
    """Ids 1 and 2 exist for institutions and strategies (a strategy and its action plan), 1 for a contact."""
    path = tmp_path_factory.mktemp("schemathesis") / "continuum.db"
    shutil.copy(migrated_sqlite_template, path)
    settings = Settings(_env_file=None, data_dir=path.parent / "data", database_url=f"sqlite:///{path}")
    engine = make_engine(settings.resolved_database_url)
    with unit_of_work(engine) as session:
        moi = f.institution(session)
        f.institution(session, "Ministry of Finance")
        f.contact(session, moi, ["coordinator"])
        parent = f.strategy_in_stage(session, moi, "implementation", today=date(2026, 1, 5))
        f.strategy(session, moi, kind="action_plan", parent_id=parent.id, title="Action Plan 2019-2020",
                   period_end=date(2020, 12, 31))
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(settings, engine))
    start = time.monotonic()
    yield engine, schema
    elapsed = time.monotonic() - start
    print(f"\nschemathesis: {sum(TALLY.values())} requests to {len(TALLY)} operations in {elapsed:.1f}s")
    engine.dispose()


@pytest.fixture
def admin_token(fuzzed) -> str:
    """A fresh one per test: fuzzing POST /tokens/{id}/revoke may have revoked an earlier one."""
    engine, _ = fuzzed
    with unit_of_work(engine) as session:
        command = TokenCreate(name=f"schemathesis-{time.monotonic_ns()}", role="admin")
        return issue_token(session, command, now=clock.now(), default_lifetime_days=1).plain


@pytest.mark.parametrize("authenticated", [True, False], ids=["admin-token", "no-token"])
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_operation_conforms_to_its_schema(fuzzed, admin_token, method, path, authenticated):
    _, schema = fuzzed
    operation = schema[path][method]
    headers = bearer(admin_token) if authenticated else {}
    modes = [GenerationMode.POSITIVE]
    if operation.path_parameters or operation.query or operation.body:
        modes.append(GenerationMode.NEGATIVE)  # an operation without inputs has nothing to get wrong

    for mode in modes:

        @hypothesis.settings(
            max_examples=EXAMPLES_PER_MODE,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def exercise(case) -> None:
            TALLY[f"{method} {path}"] += 1
            case.call_and_validate(headers=headers, checks=CHECKS)

        exercise()
