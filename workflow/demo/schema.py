"""The shape of the demo portfolio file, checked before anything touches the database.

Field types reuse ``workflow.commands`` so the file obeys the same rules as the API; the checks
here are the ones only the whole file can answer (keys unique, references point backwards,
names resolve, history dates in order).
"""

from __future__ import annotations

import json
from datetime import date
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from workflow.core import Comment, Email, Name, PolicyArea, Reference, SaneDate, Title
from workflow.directory import Language, Role
from workflow.lifecycle import Kind, LifecycleEvent

PORTFOLIO_RESOURCE = "portfolio.json"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DemoInstitution(_Strict):
    name: Name
    source: str = Field(min_length=1)


class DemoContact(_Strict):
    name: Name
    email: Email
    institution: Name
    language: Language
    roles: list[Role] = Field(min_length=1, max_length=3)


class DemoStep(_Strict):
    """One backdated transition. ``approximate`` marks a date the sources do not give."""

    event: LifecycleEvent
    effective_on: SaneDate
    approved_on: SaneDate | None = None
    approval_reference: Reference | None = None
    reason: Literal["superseded", "terminated"] | None = None
    comment: Comment | None = None
    approximate: bool = False


class DemoStrategy(_Strict):
    key: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    title: Title
    policy_area: PolicyArea
    kind: Kind
    parent: str | None = None
    predecessor: str | None = None
    lead_institution: Name
    first_year: int = Field(ge=1900, le=2200)
    last_year: int = Field(ge=1900, le=2200)
    approval_uncertain: bool = False
    source: str = Field(min_length=1)
    history: list[DemoStep] = Field(default_factory=list)

    @property
    def period_start(self) -> date:
        return date(self.first_year, 1, 1)

    @property
    def period_end(self) -> date:
        return date(self.last_year, 12, 31)

    @model_validator(mode="after")
    def _consistent(self) -> DemoStrategy:
        if self.last_year < self.first_year:
            raise ValueError(f"{self.key}: last_year precedes first_year")
        if (self.kind == "action_plan") != (self.parent is not None):
            raise ValueError(f"{self.key}: an action plan needs a parent, and only an action plan has one")
        days = [step.effective_on for step in self.history]
        if days != sorted(days):
            raise ValueError(f"{self.key}: history dates must not decrease")
        return self


class Portfolio(_Strict):
    about: str
    modelling_notes: list[str]
    institutions: list[DemoInstitution]
    contacts: list[DemoContact]
    strategies: list[DemoStrategy]

    @model_validator(mode="after")
    def _references_resolve(self) -> Portfolio:
        names = {i.name.lower() for i in self.institutions}
        if len(names) != len(self.institutions):
            raise ValueError("institution names must be unique")
        for contact in self.contacts:
            if contact.institution.lower() not in names:
                raise ValueError(f"contact {contact.email}: unknown institution {contact.institution!r}")
        seen: set[str] = set()
        for item in self.strategies:
            if item.key in seen:
                raise ValueError(f"strategy key {item.key!r} appears twice")
            if item.lead_institution.lower() not in names:
                raise ValueError(f"{item.key}: unknown lead institution {item.lead_institution!r}")
            for ref in (item.parent, item.predecessor):
                if ref is not None and ref not in seen:
                    raise ValueError(f"{item.key}: {ref!r} must be listed before it")
            seen.add(item.key)
        return self


def read_portfolio(text: str | None = None) -> Portfolio:
    """The packaged portfolio, or ``text`` when given (for tests and other portfolios)."""
    if text is None:
        text = resources.files("workflow.demo").joinpath(PORTFOLIO_RESOURCE).read_text(encoding="utf-8")
    return Portfolio.model_validate(json.loads(text))
