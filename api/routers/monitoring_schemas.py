"""Response bodies of the monitoring endpoints. Amounts and values are decimal strings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


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


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StrategyRefOut(_Strict):
    id: int
    title: str
    kind: str


class ImplementationOut(_Strict):
    """The OECD/SIGMA implementation rate of the year, exactly as defined."""

    complete: bool = Field(description="The year is over: the figure is final.")
    to_date: bool = Field(description="The year is still running: the figure stands on `as_of`, not on 31 December.")
    as_of: date = Field(description="31 December of the year once it is over, else today.")
    planned: int
    completed: int
    on_schedule: int
    implemented: int
    cancelled: int
    rate_percent: str | None = Field(description="One decimal, e.g. `50.0`; null when nothing was planned.")
    not_implemented_measure_ids: list[int]


class DueByAsOfOut(_Strict):
    """Everything due by the as-of day, whatever year it was planned in: carried-over work stays in sight."""

    as_of: date
    due: int = Field(description="Measures whose planned end is on or before `as_of`.")
    delivered: int = Field(description="Of those, completed on or before `as_of`.")
    rate_percent: str | None = Field(description="delivered / due, one decimal; null when nothing was due.")
    past_planned_end: int = Field(description="due - delivered: past their planned end and not implemented.")
    past_planned_end_measure_ids: list[int]
    carried_over_measure_ids: list[int] = Field(
        description="Of those, planned to end before the year: not counted in its implementation rate."
    )
    past_planned_end_cancelled: int


class MonitoringMeasureOut(_Strict):
    id: int
    plan_id: int
    code: str | None
    title: str
    responsible_institution: str
    status: str
    planned_start: date
    planned_end: date
    completed_on: date | None
    estimated_cost: str | None = Field(description="With the currency's two decimals, e.g. `4500000.00`.")
    currency: str | None
    verdict: str | None = Field(description="completed, on_schedule or not_implemented; null: not planned in the year.")
    past_planned_end: bool


class ValueInYearOut(_Strict):
    value: str
    year: int


class LatestValueOut(_Strict):
    value: str | None
    period: str | None


class MonitoringIndicatorOut(_Strict):
    """Baseline, target and latest value share the indicator's precision (`1200`, not `1200.0000`)."""

    id: int
    name: str
    level: str
    unit: str
    direction: str
    baseline: ValueInYearOut
    target: ValueInYearOut
    latest: LatestValueOut
    progress_percent: str | None
    progress_state: str


class TimelinessOut(_Strict):
    institution_id: int
    institution: str
    on_time: list[str]
    late: list[str]
    missing: list[str]
    not_yet_due: list[str]


class GcmCoverageOut(_Strict):
    addressed: list[str]
    not_addressed: list[str]


class MonitoringOut(_Strict):
    strategy: StrategyRefOut
    year: int
    as_of: date
    implementation: ImplementationOut
    due_by_as_of: DueByAsOfOut
    measures: list[MonitoringMeasureOut]
    indicators: list[MonitoringIndicatorOut]
    timeliness: list[TimelinessOut]
    gcm_coverage: GcmCoverageOut
