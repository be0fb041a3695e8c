"""Counting what a piece of work asks of the database: statements (a ``before_cursor_execute``
listener) and transactions committed (the engine's ``commit`` event)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Engine, event


@dataclass
class Tally:
    statements: list[str] = field(default_factory=list)
    commits: int = 0

    @property
    def verbs(self) -> list[str]:
        """Each statement's first word (``UPDATE``, ``SELECT``), in order."""
        return [statement.split(None, 1)[0].upper() for statement in self.statements]


@contextmanager
def counting(engine: Engine) -> Iterator[Tally]:
    tally = Tally()

    def statement(_conn, _cursor, text, *_args) -> None:  # type: ignore[no-untyped-def]
        tally.statements.append(text)

    def commit(_conn) -> None:  # type: ignore[no-untyped-def]
        tally.commits += 1

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "commit", commit)
    try:
        yield tally
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "commit", commit)
