"""Tables of the lifecycle: strategies (and action plans) and their history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Column, ForeignKey, Index, Integer, String, Text, false, text
from sqlmodel import Field, SQLModel

from workflow.core import instant_field
from workflow.directory import Institution  # noqa: F401  (named by its foreign keys)

KINDS = ("strategy", "action_plan")
_IN_FORCE = "stage IN ('implementation', 'monitoring')"  # IN_FORCE_STAGES, as SQL



class Strategy(SQLModel, table=True):
    """A strategy or an action plan, with its place in the lifecycle.

    ``stage_entered_on`` is the effective date of the last transition (None while the first
    drafting stage has no recorded start); ``expired_on``/``expiry_reason`` come from ``expire``.
    """

    __tablename__ = "strategies"
    __table_args__ = (
        CheckConstraint("period_end > period_start", name="ck_strategies_period_order"),
        CheckConstraint("version >= 1", name="ck_strategies_version_positive"),
        Index("ix_strategies_area_period_end", "policy_area", "period_end"),
        # The expiry check's lapses: in-force strategies by period end (see ``expiry.lapse_candidates``).
        Index("ix_strategies_in_force_period_end", "period_end",
              postgresql_where=text(_IN_FORCE), sqlite_where=text(_IN_FORCE)),
        Index("ix_strategies_import_key", "import_key", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(sa_column=Column(String(300), nullable=False))
    policy_area: str = Field(sa_column=Column(String(80), nullable=False))
    kind: str = Field(sa_column=Column(String(20), nullable=False))
    parent_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("strategies.id"), nullable=True, index=True)
    )
    predecessor_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("strategies.id"), nullable=True, index=True)
    )
    lead_institution_id: int = Field(
        sa_column=Column(Integer, ForeignKey("institutions.id"), nullable=False, index=True)
    )
    period_start: date
    period_end: date
    stage: str = Field(sa_column=Column(String(20), nullable=False, index=True))
    stage_entered_on: date | None = None
    # When drafting began (default: the local day the record was created; never after the first
    # transition): gap reports see the strategy from this day, and projections count drafting from it.
    drafting_started_on: date
    version: int = Field(default=1, nullable=False)
    drafting_due: date | None = None
    consultation_due: date | None = None
    approval_due: date | None = None
    approval_reference: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    # The approval was recorded with its act number unknown (instead of a placeholder reference).
    approval_reference_unknown: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )
    approved_on: date | None = None
    expired_on: date | None = None
    expiry_reason: str | None = Field(default=None, sa_column=Column(String(20), nullable=True))
    min_consultation_days: int | None = None
    reminder_offsets: list[int] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    overdue_offsets: list[int] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # The key a portfolio file gave it (``workflow.portfolio``): importing the file again finds it by this.
    import_key: str | None = Field(default=None, sa_column=Column(String(120), nullable=True))
    created_at: datetime = instant_field(nullable=False)
    updated_at: datetime = instant_field(nullable=False)


class StageChange(SQLModel, table=True):
    """One row of a strategy's history: which event moved it, by whom, effective when."""

    __tablename__ = "stage_changes"

    id: int | None = Field(default=None, primary_key=True)
    strategy_id: int = Field(
        sa_column=Column(Integer, ForeignKey("strategies.id"), nullable=False, index=True)
    )
    event: str = Field(sa_column=Column(String(40), nullable=False))
    from_stage: str = Field(sa_column=Column(String(20), nullable=False))
    to_stage: str = Field(sa_column=Column(String(20), nullable=False))
    actor: str = Field(sa_column=Column(String(200), nullable=False))
    comment: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    effective_on: date
    # The day is not known exactly (imported history): reports show it as approximate.
    effective_on_approximate: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )
    recorded_at: datetime = instant_field(nullable=False)


class StrategyRevision(SQLModel, table=True):
    """One ``PATCH`` of a strategy: each changed field as ``[old, new]`` (JSON values), effective when
    the change was really made, so a report can answer with the record as it was known on a day."""

    __tablename__ = "strategy_revisions"

    id: int | None = Field(default=None, primary_key=True)
    strategy_id: int = Field(
        sa_column=Column(Integer, ForeignKey("strategies.id"), nullable=False, index=True)
    )
    changes: dict[str, list[Any]] = Field(sa_column=Column(JSON, nullable=False))
    effective_on: date
    effective_on_approximate: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )
    actor: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    recorded_at: datetime = instant_field(nullable=False)
