"""The portfolio file: the demo portfolio's format, extended compatibly with optional fields.

Field types reuse the request models' (``workflow.core``, ``workflow.directory``, ``workflow.lifecycle``),
so a row obeys the same rules as the API. A row is checked here alone; what only the whole file
(or the database) can answer is ``validate``'s and ``replay``'s.

Compatible extensions of the demo's format (every one optional, so the demo's file stays valid):
exact ``period_start``/``period_end`` for a period that is not whole calendar years (instead of
``first_year``/``last_year``), the stage due dates, ``min_consultation_days``, the reminder and
overdue offsets, each history step's ``actor``, a contact's ``delivery`` (immediate when left out),
and ``revisions`` (recorded edits, each changed field as ``[old, new]``, strategies named by key
and institutions by name). ``about``, ``modelling_notes`` and ``source`` are optional and not stored.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from workflow.core import Comment, Email, Name, PolicyArea, Reference, SaneDate, Title
from workflow.directory import Delivery, Language, Role
from workflow.lifecycle import ConsultationDays, Kind, LifecycleEvent, Offsets

KEY_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Key = Annotated[str, StringConstraints(pattern=KEY_PATTERN, max_length=120)]
Year = Annotated[int, Field(ge=1900, le=2200)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InstitutionRow(_Strict):
    name: Name
    source: str | None = Field(default=None, min_length=1)


class ContactRow(_Strict):
    """A person, found again by institution and address (case-folded). Console access roles an
    admin set are not part of the file: importing a file grants nobody access."""

    name: Name
    email: Email
    institution: Name
    language: Language
    roles: list[Role] = Field(min_length=1, max_length=3)
    delivery: Delivery = "immediate"  # left out of the file when immediate


class HistoryStep(_Strict):
    """One backdated transition. ``effective_on_approximate`` marks a date the sources do not give,
    ``approval_reference_unknown`` an approval whose act number they do not give (as the API says both).
    ``actor`` is who made it (default: the importer)."""

    event: LifecycleEvent
    effective_on: SaneDate
    effective_on_approximate: bool = False
    approved_on: SaneDate | None = None
    approval_reference: Reference | None = None
    approval_reference_unknown: bool = False
    reason: Literal["superseded", "terminated"] | None = None
    comment: Comment | None = None
    actor: Name | None = None


class Revision(_Strict):
    """One recorded edit (a ``PATCH``): each changed field as ``[old, new]``, effective when it was
    really made. Fields as the file names them: ``predecessor`` by key, ``lead_institution`` by name."""

    effective_on: SaneDate
    effective_on_approximate: bool = False
    actor: Name | None = None
    changes: dict[str, tuple[Any, Any]] = Field(min_length=1)


class RoundResponse(_Strict):
    decision: Literal["accepted", "partly_accepted", "not_accepted"]
    reason: str | None = None
    responded_on: SaneDate


class RoundSubmission(_Strict):
    submitted_by: Name
    organisation: Name | None = None
    category: str
    received_on: SaneDate
    summary: str = Field(min_length=1)
    response: RoundResponse


class RoundEvent(_Strict):
    date: SaneDate
    kind: Literal["roundtable", "workshop", "hearing", "online_session"]
    place: str = Field(min_length=1)
    participants: dict[str, int]


class ConsultationRound(_Strict):
    """A consultation round, opened after the strategy's ``submit_for_consultation`` step and
    closed before its ``submit_for_approval``. Every record made from it is flagged illustrative."""

    opened_on: SaneDate
    channels: list[Literal["e_register", "meetings", "written", "online"]] = Field(min_length=1)
    closed_on: SaneDate
    events: list[RoundEvent] = Field(default_factory=list)
    submissions: list[RoundSubmission] = Field(default_factory=list)


class StrategyRow(_Strict):
    """A strategy or action plan, found again by ``key``. Its period is ``first_year``..``last_year``
    (whole calendar years) or ``period_start``..``period_end`` (one of each pair); ``parent`` and
    ``predecessor`` name strategies listed before it (or imported before, by key)."""

    key: Key
    title: Title
    policy_area: PolicyArea
    kind: Kind
    parent: Key | None = None
    predecessor: Key | None = None
    lead_institution: Name
    first_year: Year | None = None
    last_year: Year | None = None
    period_start: SaneDate | None = None
    period_end: SaneDate | None = None
    approval_uncertain: bool = False
    source: str | None = Field(default=None, min_length=1)
    drafting_started_on: SaneDate | None = None
    drafting_due: SaneDate | None = None
    consultation_due: SaneDate | None = None
    approval_due: SaneDate | None = None
    min_consultation_days: ConsultationDays | None = None
    reminder_offsets: Offsets | None = None
    overdue_offsets: Offsets | None = None
    history: list[HistoryStep] = Field(default_factory=list)
    revisions: list[Revision] = Field(default_factory=list)
    consultation: list[ConsultationRound] = Field(default_factory=list)

    @property
    def start(self) -> date | None:
        if self.period_start is not None:
            return self.period_start
        return date(self.first_year, 1, 1) if self.first_year is not None else None

    @property
    def end(self) -> date | None:
        if self.period_end is not None:
            return self.period_end
        return date(self.last_year, 12, 31) if self.last_year is not None else None

    def recorded_comment(self, step: HistoryStep) -> str | None:
        """The step's comment as the history records it: an approval also names the strategy's source,
        and says when its date is assumed, so the history shows what is sourced."""
        notes = [step.comment] if step.comment else []
        if step.event == LifecycleEvent.APPROVE:
            if self.source:
                notes.append(f"Source: {self.source}.")
            if self.approval_uncertain:
                notes.append("Approval date not in the sources: assumed on the first day of the period.")
        return " ".join(notes) or None


class PortfolioFile(_Strict):
    """The file's rows, each checked alone (see ``workflow.portfolio.validate`` for the rest)."""

    about: str = ""
    modelling_notes: list[str] = Field(default_factory=list)
    institutions: list[InstitutionRow] = Field(default_factory=list)
    contacts: list[ContactRow] = Field(default_factory=list)
    strategies: list[StrategyRow] = Field(default_factory=list)


SECTIONS: dict[str, type[_Strict]] = {
    "institutions": InstitutionRow, "contacts": ContactRow, "strategies": StrategyRow,
}
