"""Applying a PATCH: the fields the caller sent, checked for nulls where a value is required."""

from __future__ import annotations

from collections.abc import Callable, Container
from datetime import datetime
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel

from workflow.core.errors import FieldError, ValidationFailed

Row = TypeVar("Row", bound=SQLModel)


def requested_changes(command: Any, *, required: Container[str] | Callable[[str], bool]) -> dict[str, Any]:
    """The fields the caller sent; a null for a ``required`` field is refused, pointing at it."""
    is_required = required if callable(required) else required.__contains__
    changes: dict[str, Any] = command.model_dump(exclude_unset=True)
    nulls = [
        FieldError(f"#/{name}", "cannot be null")
        for name, value in changes.items()
        if value is None and is_required(name)
    ]
    if nulls:
        raise ValidationFailed(nulls)
    return changes


def apply_changes(session: Session, row: Row, changes: dict[str, Any], *, now: datetime) -> Row:
    for name, value in changes.items():
        setattr(row, name, value)
    row.updated_at = now
    session.add(row)
    session.flush()
    return row
