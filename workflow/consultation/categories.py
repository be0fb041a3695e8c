"""Stakeholder categories: who is consulted, as bilingual reference data.

Nine are built in (migration 0008 seeds them, ``BUILTIN_CATEGORIES`` lists them); an admin adds
more. A category is never removed: submissions and events name it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from workflow.consultation.access import require_admin
from workflow.consultation.models import StakeholderCategory
from workflow.consultation.requests import CategoryCreate
from workflow.core import Conflict, conflict_on_duplicate, record_event
from workflow.lifecycle import Actor

# (code, English label, Albanian label), in the order reports list them.
BUILTIN_CATEGORIES = (
    ("diaspora", "Diaspora", "Diaspora"),
    ("migrants", "Migrants", "Migrantët"),
    ("local_communities", "Local communities", "Komunitetet lokale"),
    ("development_partners", "Development partners", "Partnerët për zhvillim"),
    ("civil_society", "Civil society", "Shoqëria civile"),
    ("private_sector", "Private sector", "Sektori privat"),
    ("academia", "Academia", "Bota akademike"),
    ("public_institutions", "Public institutions", "Institucionet publike"),
    ("other", "Other", "Të tjerë"),
)
_ORDER = {code: index for index, (code, _, _) in enumerate(BUILTIN_CATEGORIES)}


def list_categories(session: Session) -> list[StakeholderCategory]:
    """Built-in categories in their order, then the added ones by code."""
    rows = session.scalars(select(StakeholderCategory))
    return sorted(rows, key=lambda c: (_ORDER.get(c.code, len(_ORDER)), c.code))


def known_codes(session: Session) -> set[str]:
    return set(session.scalars(select(col(StakeholderCategory.code))))


def label(category: StakeholderCategory, language: str) -> str:
    return category.label_sq if language == "sq" else category.label_en


def create_category(session: Session, actor: Actor, command: CategoryCreate, *, now: datetime) -> StakeholderCategory:
    require_admin(actor, "add stakeholder categories")

    def exists() -> Conflict:
        return Conflict(f"a stakeholder category {command.code!r} exists already", code=command.code)

    if session.get(StakeholderCategory, command.code) is not None:
        raise exists()
    row = StakeholderCategory(code=command.code, label_en=command.label_en, label_sq=command.label_sq, builtin=False)
    with conflict_on_duplicate(session, exists):
        session.add(row)
    record_event(session, "stakeholder_category_added", strategy_id=None, at=now,
                 payload={"code": row.code, "label_en": row.label_en, "label_sq": row.label_sq, "actor": actor.name})
    return row
