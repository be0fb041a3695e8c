"""Stakeholder categories: who is consulted, as bilingual reference data; admins add more."""

from __future__ import annotations

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict

from api.auth import PrincipalDep
from api.deps import SessionDep
from api.problems import responses
from workflow.consultation import CategoryCreate, create_category, list_categories
from workflow.core import clock

router = APIRouter(prefix="/stakeholder-categories", tags=["consultation"])


class CategoryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    label_en: str
    label_sq: str
    builtin: bool


@router.get("", response_model=list[CategoryOut])
def categories(session: SessionDep) -> list[CategoryOut]:
    """The nine built-in categories in their order, then those admins added, by code."""
    return [CategoryOut.model_validate(c) for c in list_categories(session)]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CategoryOut, responses=responses(409, 422))
def add_category(command: CategoryCreate, session: SessionDep, principal: PrincipalDep) -> CategoryOut:
    """Admins only; a code is lowercase letters, digits and underscores (`trade_unions`)."""
    return CategoryOut.model_validate(create_category(session, principal, command, now=clock.now()))
