"""The database for a command: the configured engine, checked to be migrated, one unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session


@contextmanager
def command_session() -> Iterator[Session]:
    """A session on the configured database, committed when the command's block ends normally."""
    from cli.demo import require_migrated
    from workflow.core import get_settings, make_engine, unit_of_work

    engine = make_engine(get_settings().resolved_database_url)
    try:
        require_migrated(engine)
        with unit_of_work(engine) as session:
            yield session
    finally:
        engine.dispose()
