"""Applying a PATCH: the fields the caller sent, checked for nulls where a value is required."""

from __future__ import annotations

from collections.abc import Callable, Container
from datetime import datetime
from typing import Any

from sqlmodel import Session, SQLModel

from workflow.errors import FieldError, ValidationFailed


def requested_changes(command: Any, *, required: Container[str] | Callable[[str], bool]) -> dict[str, Any]:
    """The fields the caller sent; a null for a ``required`` field is refused, pointing at it."""
    is_required = required if callable(required) else required.__contains__
    changes = command.model_dump(exclude_unset=True)
    nulls = [FieldError(f"#/{name}", "cannot be null") for name, value in changes.items() if value is None and is_required(name)]
    if nulls:
        raise ValidationFailed(nulls)
    return changes


def apply_changes(session: Session, row: SQLModel, changes: dict[str, Any], *, now: datetime) -> SQLModel:
    for name, value in changes.items():
        setattr(row, name, value)
    row.updated_at = now  # type: ignore[attr-defined]
    session.add(row)
    session.flush()
    return row
