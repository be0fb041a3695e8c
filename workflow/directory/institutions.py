"""Institutions: the ministries and agencies that lead strategies and report on them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from workflow.core import Conflict, conflict_on_duplicate, get_or_not_found
from workflow.directory.models import Institution
from workflow.directory.requests import InstitutionCreate


def create_institution(session: Session, command: InstitutionCreate, *, now: datetime) -> Institution:
    if session.scalar(select(col(Institution.id)).where(func.lower(col(Institution.name)) == command.name.lower())):
        raise _duplicate_name(command.name)
    institution = Institution(name=command.name, created_at=now)
    with conflict_on_duplicate(session, lambda: _duplicate_name(command.name)):
        session.add(institution)
    return institution


def _duplicate_name(name: str) -> Conflict:
    return Conflict(
        f"an institution named {name!r} exists already",
        errors=[{"pointer": "#/name", "detail": "must be unique"}],
    )


def get_institution(session: Session, institution_id: int) -> Institution:
    return get_or_not_found(session, Institution, institution_id, "institution")


def find_institution(session: Session, name: str) -> Institution | None:
    return session.scalar(select(Institution).where(func.lower(col(Institution.name)) == name.lower()))


def list_institutions(session: Session, *, limit: int, offset: int) -> tuple[list[Institution], int]:
    total = session.scalar(select(func.count()).select_from(Institution)) or 0
    rows = session.scalars(select(Institution).order_by(col(Institution.id)).limit(limit).offset(offset))
    return list(rows), total


def institution_names(session: Session, ids: set[int]) -> dict[int, str]:
    """id -> name for the given institutions (for listings that show names, not ids)."""
    if not ids:
        return {}
    rows = session.execute(select(col(Institution.id), col(Institution.name)).where(col(Institution.id).in_(ids)))
    return {row_id: name for row_id, name in rows}
