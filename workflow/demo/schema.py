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
    """One backdated transition. ``effective_on_approximate`` marks a date the sources do not give,
    ``approval_reference_unknown`` an approval whose act number they do not give (as the API says both)."""

    event: LifecycleEvent
    effective_on: SaneDate
    effective_on_approximate: bool = False
    approved_on: SaneDate | None = None
    approval_reference: Reference | None = None
    approval_reference_unknown: bool = False
    reason: Literal["superseded", "terminated"] | None = None
    comment: Comment | None = None


class DemoResponse(_Strict):
    decision: Literal["accepted", "partly_accepted", "not_accepted"]
    reason: str | None = None
    responded_on: SaneDate


class DemoSubmission(_Strict):
    submitted_by: Name
    organisation: Name | None = None
    category: str
    received_on: SaneDate
    summary: str = Field(min_length=1)
    response: DemoResponse


class DemoEvent(_Strict):
    date: SaneDate
    kind: Literal["roundtable", "workshop", "hearing", "online_session"]
    place: str = Field(min_length=1)
    participants: dict[str, int]


class DemoRound(_Strict):
    """A consultation round, opened after the strategy's ``submit_for_consultation`` step and
    closed before its ``submit_for_approval``. Every record made from it is flagged illustrative."""

    opened_on: SaneDate
    channels: list[Literal["e_register", "meetings", "written", "online"]] = Field(min_length=1)
    closed_on: SaneDate
    events: list[DemoEvent] = Field(default_factory=list)
    submissions: list[DemoSubmission] = Field(default_factory=list)


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
    drafting_started_on: SaneDate | None = None
    history: list[DemoStep] = Field(default_factory=list)
    consultation: list[DemoRound] = Field(default_factory=list)

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
        if self.kind == "strategy" and self.parent is not None:
            raise ValueError(f"{self.key}: only an action plan has a parent (one without is a standalone plan)")
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
