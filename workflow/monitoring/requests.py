"""Request models of the monitoring mechanism, in the style of ``workflow.core.fields``: unknown
fields refused, single-line strings, exact decimals. Checks that need more than one field of a
stored row (a patched end date against the stored start) live in ``checks``."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, Field, Strict, StringConstraints

from workflow.core import Command, Id, SaneDate, Title, no_line_breaks, no_nul
from workflow.monitoring.models import CURRENCIES, DIRECTIONS, FREQUENCIES, MEASURE_STATUSES, OBJECTIVE_LEVELS
from workflow.monitoring.results.alignment import unknown_tags


def _known_tags(tags: list[str]) -> list[str]:
    unknown = unknown_tags(tags)
    if unknown:
        raise ValueError(f"unknown alignment tag(s) {', '.join(unknown)}; see GET /alignment/frameworks")
    return list(dict.fromkeys(tags))


def _distinct(values: list[int]) -> list[int]:
    return list(dict.fromkeys(values))


Code = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20, pattern=r"^[A-Za-z0-9.\-]+$")
]
Unit = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), AfterValidator(no_line_breaks)
]
Funding = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(no_line_breaks)
]
Tags = Annotated[
    list[Annotated[str, StringConstraints(max_length=60)]], Field(max_length=40), AfterValidator(_known_tags)
]
Institutions = Annotated[list[Id], Field(max_length=30), AfterValidator(_distinct)]
Amount = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2, allow_inf_nan=False)]
Value = Annotated[Decimal, Field(max_digits=18, decimal_places=4, allow_inf_nan=False)]
Year = Annotated[int, Strict(), Field(ge=1900, le=2200)]
Narrative = Annotated[str, StringConstraints(max_length=20_000), AfterValidator(no_nul)]
Note = Annotated[str, StringConstraints(max_length=4000), AfterValidator(no_nul)]
Level = Literal["strategic", "specific"]
Status = Literal["not_started", "on_track", "delayed", "completed", "cancelled"]
Currency = Literal["ALL", "EUR", "USD"]
Direction = Literal["increase", "decrease"]
Frequency = Literal["quarterly", "semi_annual", "annual"]
PeriodLabel = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{4}(-[QH]\d)?$")]

assert set(get_args(Level)) == set(OBJECTIVE_LEVELS)
assert set(get_args(Status)) == set(MEASURE_STATUSES)
assert set(get_args(Currency)) == set(CURRENCIES)
assert set(get_args(Direction)) == set(DIRECTIONS)
assert set(get_args(Frequency)) == set(FREQUENCIES)


class ObjectiveCreate(Command):
    level: Level = "strategic"
    parent_id: Id | None = Field(default=None, description="The strategic objective a specific objective serves.")
    code: Code | None = Field(default=None, examples=["1.2"])
    title: Title = Field(examples=["Strengthen migration data and evidence"])
    alignment_tags: Tags = Field(default_factory=list, examples=[["gcm:1", "mgi:whole-of-government"]])


class ObjectivePatch(Command):
    code: Code | None = None
    title: Title | None = None
    alignment_tags: Tags | None = None


class MeasureFields(Command):
    code: Code | None = None
    responsible_institution_id: Id | None = None
    contributing_institution_ids: Institutions | None = None
    planned_start: SaneDate | None = None
    planned_end: SaneDate | None = None
    estimated_cost: Amount | None = Field(default=None, examples=["1500000.00"])
    currency: Currency | None = None
    funding_source: Funding | None = Field(default=None, examples=["State budget"])
    status: Status | None = None
    completed_on: SaneDate | None = Field(
        default=None, description="Required with status `completed`, refused otherwise."
    )
    alignment_tags: Tags | None = None


class MeasureCreate(MeasureFields):
    objective_id: Id
    title: Title = Field(examples=["Publish an annual migration profile"])
    responsible_institution_id: Id
    contributing_institution_ids: Institutions = Field(default_factory=list)
    planned_start: SaneDate = Field(examples=["2024-07-01"])
    planned_end: SaneDate = Field(examples=["2025-12-31"])
    status: Status = "not_started"
    alignment_tags: Tags = Field(default_factory=list)


class MeasurePatch(MeasureFields):
    objective_id: Id | None = None
    title: Title | None = None


class IndicatorFields(Command):
    unit: Unit | None = None
    baseline_value: Value | None = None
    baseline_year: Year | None = None
    target_value: Value | None = None
    target_year: Year | None = None
    direction: Direction | None = None


class IndicatorCreate(IndicatorFields):
    name: Title = Field(examples=["Migration profiles published"])
    unit: Unit = Field(examples=["reports"])
    baseline_value: Value = Field(examples=["0"])
    baseline_year: Year = Field(examples=[2023])
    target_value: Value = Field(examples=["3"])
    target_year: Year = Field(examples=[2026])
    direction: Direction = "increase"


class IndicatorPatch(IndicatorFields):
    name: Title | None = None


class CycleSet(Command):
    frequency: Frequency = Field(examples=["quarterly"])
    due_days: Annotated[int, Strict()] = Field(
        default=30, ge=0, le=365, description="Days after a period closes that its report is due."
    )
    starts_on: SaneDate | None = Field(
        default=None, description="Periods ending before this day are not asked for; defaults to today."
    )


class ReportOpen(Command):
    period: PeriodLabel = Field(examples=["2025-Q1"])
    institution_id: Id


class MeasureLine(Command):
    measure_id: Id
    status: Status
    completed_on: SaneDate | None = None
    note: Note | None = None


class ValueLine(Command):
    indicator_id: Id
    value: Value
    note: Note | None = None


class ReportContent(Command):
    narrative: Narrative = ""
    measures: Annotated[list[MeasureLine], Field(max_length=500)] = Field(default_factory=list)
    indicator_values: Annotated[list[ValueLine], Field(max_length=500)] = Field(default_factory=list)


class AcceptRequest(Command):
    comment: Note | None = None


class ReturnRequest(Command):
    comment: Annotated[Note, StringConstraints(strip_whitespace=True, min_length=1)] = Field(
        description="What the institution must change before resubmitting."
    )


NOT_NULLABLE_MEASURE_FIELDS = frozenset(
    {"objective_id", "title", "responsible_institution_id", "contributing_institution_ids", "planned_start",
     "planned_end", "status", "alignment_tags"}
)
NOT_NULLABLE_INDICATOR_FIELDS = frozenset(IndicatorFields.model_fields) | {"name"}
