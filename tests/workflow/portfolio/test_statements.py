"""An import's statement count does not grow with the file (up to a chunk: 1,000 rows a statement):
rows go in multi-row INSERTs, the database is read in chunked queries, an empty table not at all."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, event

from tests.workflow.portfolio.builders import many, text
from tests.workflow.portfolio.conftest import export_text, import_text


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def statements_to_import(engine: Engine, settings, raw: str) -> int:
    with counting(engine) as statements:
        import_text(engine, raw, settings)
    return len(statements)


def test_importing_ten_times_more_strategies_takes_as_many_statements(engine, other_engine, settings):
    small, large = statements_to_import(engine, settings, text(many(20))), statements_to_import(
        other_engine, settings, text(many(200)))
    assert small == large
    assert small <= 20


def test_importing_them_again_takes_as_many_statements_whatever_their_number(engine, other_engine, settings):
    import_text(engine, text(many(20)), settings)
    import_text(other_engine, text(many(200)), settings)
    assert statements_to_import(engine, settings, text(many(20))) == statements_to_import(
        other_engine, settings, text(many(200)))


def test_exporting_ten_times_more_strategies_takes_as_many_statements(engine, other_engine, settings):
    import_text(engine, text(many(20)), settings)
    import_text(other_engine, text(many(200)), settings)
    with counting(engine) as small:
        export_text(engine)
    with counting(other_engine) as large:
        export_text(other_engine)
    assert len(small) == len(large) <= 8


@pytest.mark.postgres
def test_on_postgresql_too(pg_engine, pg_other_engine, settings):
    assert statements_to_import(pg_engine, settings, text(many(20))) == statements_to_import(
        pg_other_engine, settings, text(many(200)))
