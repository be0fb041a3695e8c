"""Tables of the monitoring mechanism. The schema itself comes from migration 0004.

Every row hangs off a strategy document (``strategies.id``): objectives off the strategy or
action plan that states them, measures off the action plan that schedules them (its "plan").
Amounts and indicator values are exact decimals (``ExactDecimal``), never floats.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from workflow.core import ExactDecimal, check_in, instant_field
from workflow.directory import Institution  # noqa: F401  (named by its foreign keys)
from workflow.lifecycle import Strategy  # noqa: F401  (named by its foreign keys)
from workflow.monitoring.statuses import REPORT_STATUSES

OBJECTIVE_LEVELS = ("strategic", "specific")
MEASURE_STATUSES = ("not_started", "on_track", "delayed", "completed", "cancelled")
CURRENCIES = ("ALL", "EUR", "USD")
DIRECTIONS = ("increase", "decrease")
FREQUENCIES = ("quarterly", "semi_annual", "annual")



def _strategy_fk(**kwargs: Any) -> Any:
    return Field(sa_column=Column(Integer, ForeignKey("strategies.id"), nullable=False, index=True, **kwargs))



class Objective(SQLModel, table=True):
    """A strategic objective, or a specific objective under one (``parent_id``)."""

    __tablename__ = "objectives"
    __table_args__ = (check_in("level", OBJECTIVE_LEVELS, "ck_objectives_level"),)

    id: int | None = Field(default=None, primary_key=True)
    strategy_id: int = _strategy_fk()
    parent_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("objectives.id"), nullable=True, index=True)
    )
    level: str = Field(sa_column=Column(String(10), nullable=False))
    code: str | None = Field(default=None, sa_column=Column(String(20), nullable=True))
    title: str = Field(sa_column=Column(String(300), nullable=False))
    alignment_tags: list[str] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = instant_field(nullable=False)
    updated_at: datetime = instant_field(nullable=False)


class Measure(SQLModel, table=True):
    """A measure (activity) of an action plan, under an objective of that plan or of its strategy.

    ``completed_on`` is set exactly when the status is ``completed``: the implementation rate
    counts a completion in the year it happened.
    """

    __tablename__ = "measures"
    __table_args__ = (
        check_in("status", MEASURE_STATUSES, "ck_measures_status"),
        check_in("currency", CURRENCIES, "ck_measures_currency"),
        CheckConstraint("planned_end >= planned_start", name="ck_measures_planned_order"),
        CheckConstraint("(status = 'completed') = (completed_on IS NOT NULL)", name="ck_measures_completed_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = _strategy_fk()
    objective_id: int = Field(sa_column=Column(Integer, ForeignKey("objectives.id"), nullable=False, index=True))
    code: str | None = Field(default=None, sa_column=Column(String(20), nullable=True))
    title: str = Field(sa_column=Column(String(300), nullable=False))
    responsible_institution_id: int = Field(
        sa_column=Column(Integer, ForeignKey("institutions.id"), nullable=False, index=True)
    )
    contributing_institution_ids: list[int] = Field(sa_column=Column(JSON, nullable=False))
    planned_start: date
    planned_end: date
    estimated_cost: Decimal | None = Field(default=None, sa_column=Column(ExactDecimal(18, 2), nullable=True))
    currency: str | None = Field(default=None, sa_column=Column(String(3), nullable=True))
    funding_source: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    status: str = Field(sa_column=Column(String(12), nullable=False))
    completed_on: date | None = None
    alignment_tags: list[str] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = instant_field(nullable=False)
    updated_at: datetime = instant_field(nullable=False)


class Indicator(SQLModel, table=True):
    """An outcome indicator (on an objective) or an output indicator (on a measure): exactly one."""

    __tablename__ = "indicators"
    __table_args__ = (
        check_in("direction", DIRECTIONS, "ck_indicators_direction"),
        CheckConstraint("(objective_id IS NULL) <> (measure_id IS NULL)", name="ck_indicators_one_owner"),
    )

    id: int | None = Field(default=None, primary_key=True)
    objective_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("objectives.id"), nullable=True, index=True)
    )
    measure_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("measures.id"), nullable=True, index=True)
    )
    name: str = Field(sa_column=Column(String(300), nullable=False))
    unit: str = Field(sa_column=Column(String(40), nullable=False))
    baseline_value: Decimal = Field(sa_column=Column(ExactDecimal(18, 4), nullable=False))
    baseline_year: int
    target_value: Decimal = Field(sa_column=Column(ExactDecimal(18, 4), nullable=False))
    target_year: int
    direction: str = Field(sa_column=Column(String(10), nullable=False))
    created_at: datetime = instant_field(nullable=False)
    updated_at: datetime = instant_field(nullable=False)


class ReportingCycle(SQLModel, table=True):
    """How often a plan reports, how many days after a period closes the report is due, and from
    which day on (periods ending before ``starts_on`` are not asked for: no flood of old notices)."""

    __tablename__ = "reporting_cycles"
    __table_args__ = (
        check_in("frequency", FREQUENCIES, "ck_reporting_cycles_frequency"),
        CheckConstraint("due_days >= 0", name="ck_reporting_cycles_due_days"),
    )

    plan_id: int = Field(sa_column=Column(Integer, ForeignKey("strategies.id"), primary_key=True))
    frequency: str = Field(sa_column=Column(String(12), nullable=False))
    due_days: int
    starts_on: date
    created_at: datetime = instant_field(nullable=False)
    updated_at: datetime = instant_field(nullable=False)


class ProgressReport(SQLModel, table=True):
    """One institution's progress report on one plan for one period.

    ``first_submitted_on`` (local date) decides timeliness; a returned and resubmitted report
    keeps it.
    """

    __tablename__ = "progress_reports"
    __table_args__ = (
        UniqueConstraint("plan_id", "period_label", "institution_id", name="uq_progress_reports_once"),
        check_in("status", REPORT_STATUSES, "ck_progress_reports_status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = _strategy_fk()
    institution_id: int = Field(sa_column=Column(Integer, ForeignKey("institutions.id"), nullable=False, index=True))
    period_label: str = Field(sa_column=Column(String(10), nullable=False))
    period_start: date
    period_end: date
    due_on: date
    status: str = Field(sa_column=Column(String(10), nullable=False))
    narrative: str = Field(sa_column=Column(Text, nullable=False))
    version: int = Field(default=1, nullable=False)
    first_submitted_on: date | None = None
    submitted_at: datetime | None = instant_field(nullable=True)
    submitted_by: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    reviewed_at: datetime | None = instant_field(nullable=True)
    reviewed_by: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    review_comment: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = instant_field(nullable=False)
    updated_at: datetime = instant_field(nullable=False)


class ReportMeasureUpdate(SQLModel, table=True):
    """A report's line for one measure; applied to the measure when the report is accepted."""

    __tablename__ = "report_measure_updates"
    __table_args__ = (
        UniqueConstraint("report_id", "measure_id", name="uq_report_measure_updates_once"),
        check_in("status", MEASURE_STATUSES, "ck_report_measure_updates_status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(sa_column=Column(Integer, ForeignKey("progress_reports.id"), nullable=False, index=True))
    measure_id: int = Field(sa_column=Column(Integer, ForeignKey("measures.id"), nullable=False, index=True))
    status: str = Field(sa_column=Column(String(12), nullable=False))
    completed_on: date | None = None
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class IndicatorValue(SQLModel, table=True):
    """A value reported for an indicator in a report; counted once the report is accepted."""

    __tablename__ = "indicator_values"
    __table_args__ = (UniqueConstraint("report_id", "indicator_id", name="uq_indicator_values_once"),)

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(sa_column=Column(Integer, ForeignKey("progress_reports.id"), nullable=False, index=True))
    indicator_id: int = Field(sa_column=Column(Integer, ForeignKey("indicators.id"), nullable=False, index=True))
    value: Decimal = Field(sa_column=Column(ExactDecimal(18, 4), nullable=False))
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
