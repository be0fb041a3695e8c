"""Response bodies of the monitoring endpoints. Amounts and values are decimal strings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ObjectiveOut(_Out):
    id: int
    strategy_id: int
    parent_id: int | None
    level: str
    code: str | None
    title: str
    alignment_tags: list[str]
    created_at: datetime
    updated_at: datetime


class MeasureOut(_Out):
    id: int
    plan_id: int
    objective_id: int
    code: str | None
    title: str
    responsible_institution_id: int
    contributing_institution_ids: list[int]
    planned_start: date
    planned_end: date
    estimated_cost: Decimal | None
    currency: str | None
    funding_source: str | None
    status: str
    completed_on: date | None
    alignment_tags: list[str]
    created_at: datetime
    updated_at: datetime


class IndicatorOut(_Out):
    id: int
    level: str
    objective_id: int | None
    measure_id: int | None
    name: str
    unit: str
    baseline_value: Decimal
    baseline_year: int
    target_value: Decimal
    target_year: int
    direction: str


class PeriodOut(BaseModel):
    label: str
    start: date
    end: date
    due_on: date
    institution_ids: list[int]


class CycleOut(_Out):
    plan_id: int
    frequency: str
    due_days: int
    starts_on: date


class CycleWithPeriods(CycleOut):
    periods: list[PeriodOut]


class MeasureLineOut(_Out):
    measure_id: int
    status: str
    completed_on: date | None
    note: str | None


class ValueLineOut(_Out):
    indicator_id: int
    value: Decimal
    note: str | None


class ReportOut(_Out):
    id: int
    plan_id: int
    institution_id: int
    period_label: str
    period_start: date
    period_end: date
    due_on: date
    status: str
    narrative: str
    version: int
    first_submitted_on: date | None
    submitted_at: datetime | None
    submitted_by: str | None
    reviewed_at: datetime | None
    reviewed_by: str | None
    review_comment: str | None
    measures: list[MeasureLineOut] = []
    indicator_values: list[ValueLineOut] = []


class ImportOut(BaseModel):
    objectives_created: int
    measures_created: int
    measure_ids: list[int]


class CoverageItemOut(BaseModel):
    tag: str
    label: str
    objective_ids: list[int]
    measure_ids: list[int]


class CoverageOut(BaseModel):
    strategy_id: int
    addressed: dict[str, list[str]]
    not_addressed: dict[str, list[str]]
    items: dict[str, list[CoverageItemOut]]


class FrameworkItemOut(BaseModel):
    tag: str
    code: str
    label: str


class FrameworkOut(BaseModel):
    key: str
    name: str
    source: str
    items: list[FrameworkItemOut]
