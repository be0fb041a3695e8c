"""What callers may ask of consultation records, with the checks that need no database.

In the style of ``workflow.core.fields``: unknown fields refused, single-line names, ISO dates,
strict booleans and counts. Checks against stored rows (a round's dates, a category that must
exist, a reason required unless a comment was accepted) live with the services.
"""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, BeforeValidator, Field, Strict, StringConstraints

from workflow.consultation.models import CHANNELS, DECISIONS, EVENT_KINDS
from workflow.core import Command, Name, SaneDate, no_line_breaks, no_nul

Channel = Literal["e_register", "meetings", "written", "online"]
EventKind = Literal["roundtable", "workshop", "hearing", "online_session"]
Decision = Literal["accepted", "partly_accepted", "not_accepted"]

assert set(get_args(Channel)) == set(CHANNELS)
assert set(get_args(EventKind)) == set(EVENT_KINDS)
assert set(get_args(Decision)) == set(DECISIONS)

CATEGORY_PATTERN = r"^[a-z][a-z0-9_]*$"
CategoryCode = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=CATEGORY_PATTERN)]
Flag = Annotated[bool, Strict()]
Headcount = Annotated[int, Strict(), Field(ge=0, le=1_000_000)]
Place = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), AfterValidator(no_line_breaks)
]
Summary = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000), AfterValidator(no_nul)
]
Reason = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=8000), AfterValidator(no_nul)
]


def _one_or_several(value: object) -> object:
    return [value] if isinstance(value, str) else value


def _in_order(value: list[Channel]) -> list[Channel]:
    """Each channel once, in the vocabulary's order."""
    return [channel for channel in get_args(Channel) if channel in value]


Channels = Annotated[
    list[Channel], BeforeValidator(_one_or_several), Field(min_length=1, max_length=len(CHANNELS)),
    AfterValidator(_in_order),
]


class RoundOpen(Command):
    opened_on: SaneDate | None = Field(
        default=None, description="The first day of the round (day 0 of the count); default today.",
        examples=["2025-12-08"],
    )
    channel: Channels = Field(
        description="`e_register`, `meetings`, `written` or `online`, or a list of several.",
        examples=[["e_register", "meetings"]],
    )
    closes_on: SaneDate | None = Field(
        default=None,
        description="The last day for comments; default: the minimum (CONTINUUM_MIN_CONSULTATION_DAYS) "
                    "in working days after opened_on.",
    )
    illustrative: Flag = Field(default=False, description="A made-up or reconstructed record (e.g. the demo's).")
    effective_on_approximate: Flag = Field(default=False, description="opened_on is not known exactly.")


class RoundExtend(Command):
    closes_on: SaneDate = Field(description="The new last day for comments, later than the current one.")
    reason: Reason = Field(examples=["Requests from civil society for more time"])
    effective_on: SaneDate | None = Field(
        default=None,
        description="When the extension was decided; default today, at the latest the current closing day.",
    )


class RoundClose(Command):
    closed_on: SaneDate | None = Field(default=None, description="Default today; on or after closes_on.")
    reason: Reason | None = None


class EventCreate(Command):
    date: SaneDate = Field(examples=["2025-12-15"])
    kind: EventKind
    place: Place = Field(examples=["Ministry of Interior, Tirana"])
    participants: dict[CategoryCode, Headcount] = Field(
        default_factory=dict, max_length=100, description="Head count by stakeholder category code.",
        examples=[{"civil_society": 12, "diaspora": 4}],
    )
    illustrative: Flag = False


class SubmissionCreate(Command):
    submitted_by: Name = Field(examples=["Elira Dervishi"])
    organisation: Name | None = Field(default=None, examples=["Albanian Diaspora Network"])
    category: CategoryCode = Field(examples=["diaspora"])
    received_on: SaneDate
    summary: Summary
    illustrative: Flag = False


class ResponseCreate(Command):
    decision: Decision
    reason: Reason | None = Field(
        default=None, description="Why the comment was not (fully) accepted; required unless `accepted`."
    )
    responded_on: SaneDate | None = Field(default=None, description="Default today.")
    effective_on_approximate: Flag = False


class CategoryCreate(Command):
    code: CategoryCode = Field(examples=["trade_unions"])
    label_en: Name = Field(examples=["Trade unions"])
    label_sq: Name = Field(examples=["Sindikatat"])
