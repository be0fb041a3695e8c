"""What callers may ask the domain to do, with the checks that need no database.

The API uses these models as request bodies and the CLI builds them too, so a bad field gets
the same answer wherever it comes from. Server-owned fields (ids, stage, version, approval
fields outside ``approve``, timestamps) are not here at all; unknown fields are refused.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, StringConstraints, model_validator

from workflow.models import CONTACT_ROLES
from workflow.stages import LifecycleEvent

EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2200, 12, 31)


def _no_line_breaks(value: str) -> str:
    """Refuse CR, LF and other control characters: these values can reach email headers.
    NEL and the Unicode line/paragraph separators count too: ``str.splitlines`` breaks on them,
    and the mail builder refuses them, so accepting them here would store an unsendable value."""
    if any(ch in value for ch in "\r\n\x85\u2028\u2029") or any(ord(ch) < 32 and ch != "\t" for ch in value):
        raise ValueError("must be a single line: line breaks and control characters are not allowed")
    return value


def _no_nul(value: str) -> str:
    """PostgreSQL text cannot hold NUL; refusing it here keeps it a 422 instead of a database error."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _sane_date(value: date) -> date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(f"must lie between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}")
    return value


def _single_line(max_length: int) -> type[str]:
    return Annotated[  # type: ignore[return-value]
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length),
        AfterValidator(_no_line_breaks),
    ]


Title = _single_line(300)
Name = _single_line(200)
Reference = _single_line(200)
SaneDate = Annotated[date, AfterValidator(_sane_date)]
POLICY_AREA_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
PolicyArea = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=POLICY_AREA_PATTERN, max_length=80),
]
Email = Annotated[EmailStr, AfterValidator(_no_line_breaks), StringConstraints(max_length=320)]
Kind = Literal["strategy", "action_plan"]
Language = Literal["en", "sq"]
Role = Literal["coordinator", "escalation", "contact_point"]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]
ConsultationDays = Annotated[int, Field(ge=0, le=365)]
Offsets = Annotated[list[Annotated[int, Field(ge=0, le=3650)]], Field(max_length=12)]
Comment = Annotated[str, StringConstraints(max_length=4000), AfterValidator(_no_nul)]

assert set(Role.__args__) == set(CONTACT_ROLES)  # type: ignore[attr-defined]


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InstitutionCreate(Command):
    name: Name = Field(examples=["Ministry of Interior"])


class ContactCreate(Command):
    name: Name = Field(examples=["Arta Hoxha"])
    email: Email = Field(examples=["arta.hoxha@example.org"])
    institution_id: Id
    language: Language = "en"
    roles: list[Role] = Field(min_length=1, max_length=3, examples=[["coordinator"]])

    @model_validator(mode="after")
    def _distinct_roles(self) -> "ContactCreate":
        self.roles = list(dict.fromkeys(self.roles))
        return self


class ContactPatch(Command):
    name: Name | None = None
    email: Email | None = None
    institution_id: Id | None = None
    language: Language | None = None
    roles: list[Role] | None = Field(default=None, min_length=1, max_length=3)


class StrategyFields(Command):
    """Fields shared by create and patch; cross-field checks live with the services."""

    drafting_due: SaneDate | None = None
    consultation_due: SaneDate | None = None
    approval_due: SaneDate | None = None
    min_consultation_days: ConsultationDays | None = Field(
        default=None, description="Working days; empty means the deployment default."
    )
    reminder_offsets: Offsets | None = Field(
        default=None, description="Days before a deadline to remind; empty means the deployment default.",
        examples=[[90, 30, 7, 1]],
    )
    overdue_offsets: Offsets | None = Field(
        default=None, description="Days after a missed deadline to send overdue notices; empty means the default.",
        examples=[[1, 7]],
    )


class StrategyCreate(StrategyFields):
    title: Title = Field(examples=["National Strategy for Migration 2024-2030"])
    policy_area: PolicyArea = Field(examples=["migration"])
    kind: Kind = "strategy"
    parent_id: Id | None = Field(default=None, description="The strategy an action plan belongs to.")
    predecessor_id: Id | None = Field(default=None, description="The strategy this one succeeds.")
    lead_institution_id: Id
    period_start: SaneDate = Field(examples=["2024-01-01"])
    period_end: SaneDate = Field(examples=["2030-12-31"])


class StrategyPatch(StrategyFields):
    title: Title | None = None
    policy_area: PolicyArea | None = None
    predecessor_id: Id | None = None
    lead_institution_id: Id | None = None
    period_start: SaneDate | None = None
    period_end: SaneDate | None = None


NOT_NULLABLE_PATCH_FIELDS = frozenset({"title", "policy_area", "lead_institution_id", "period_start", "period_end"})


class TransitionRequest(Command):
    event: LifecycleEvent
    comment: Comment | None = None
    effective_on: SaneDate | None = Field(
        default=None, description="When it happened; defaults to today, may be in the past for imported history."
    )
    approval_reference: Reference | None = Field(default=None, examples=["DCM No. 400"])
    approved_on: SaneDate | None = None
    reason: Literal["superseded", "terminated"] | None = Field(
        default=None, description="For `expire` before the period has ended."
    )
