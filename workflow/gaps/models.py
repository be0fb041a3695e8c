"""The gap tables: the last gap status announced per strategy (``gap_watch``), and the gap report
of today as the scheduler's gap watch last worked it out (``gap_report_entries``, with its one
``gap_report_state`` row), which ``GET /gaps`` pages through instead of judging the deployment
on every request (see ``workflow.gaps.stored``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Date, ForeignKey, Index, Integer, String, Table
from sqlmodel import Field, SQLModel

from workflow.core import instant_field
from workflow.lifecycle import Strategy  # noqa: F401  (named by its foreign keys)


class GapWatch(SQLModel, table=True):
    """The last gap status the scheduler saw per strategy, so a change is announced once."""

    __tablename__ = "gap_watch"

    strategy_id: int = Field(sa_column=Column(Integer, ForeignKey("strategies.id"), primary_key=True))
    status: str = Field(sa_column=Column(String(20), nullable=False))
    changed_at: datetime = instant_field(nullable=False)


class GapReportRow(SQLModel, table=True):
    """One strategy as the gap watch last judged it on ``GapReportState.as_of``: one row per strategy,
    with or without a gap entry.

    ``status`` is the entry's status with no horizon: ``at_risk`` means the successor is missing or
    late, however far the lapse is; a reader with a horizon reads it as ``ok`` when ``lapses_on``
    is beyond it (``workflow.gaps.stored.status_within``). NULL: no entry (not in force and not
    lapsed into a gap). ``policy_area``, ``parent_id`` and ``predecessor_id`` are the links the
    entry was judged with, so a change of them finds the areas it left. ``sort_key`` orders the
    entries as the report does, in any collation (digits only); ``risk_key`` by gap risk, highest first
    (``stored.risk_key``). ``risk_rule``: which rule put an entry at risk (``pipeline``: however far its
    lapse; ``horizon``: only within a reader's horizon). ``warn_on``: for an entry at risk,
    the next sending day on which a gap warning of its lapse falls due (NULL: none left)."""

    __tablename__ = "gap_report_entries"
    __table_args__ = (
        Index("ix_gap_report_entries_policy_area", "policy_area"),
        Index("ix_gap_report_entries_sort_key", "sort_key"),
        Index("ix_gap_report_entries_warn_on", "warn_on"),
        Index("ix_gap_report_entries_risk_key", "risk_key"),
    )

    strategy_id: int = Field(sa_column=Column(Integer, ForeignKey("strategies.id"), primary_key=True))
    policy_area: str = Field(sa_column=Column(String(80), nullable=False))
    kind: str = Field(sa_column=Column(String(20), nullable=False))
    parent_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    predecessor_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    status: str | None = Field(default=None, sa_column=Column(String(20), nullable=True))
    lapses_on: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    sort_key: str | None = Field(default=None, sa_column=Column(String(300), nullable=True))
    risk_rule: str | None = Field(default=None, sa_column=Column(String(20), nullable=True))
    risk_key: str | None = Field(default=None, sa_column=Column(String(310), nullable=True))
    entry: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    warn_on: date | None = Field(default=None, sa_column=Column(Date, nullable=True))


# The tables themselves, for statements run for many rows at once (executemany) past the ORM: its bulk
# forms key UPDATEs on the id alone and compile a multi-row INSERT again for every batch.
GAP_WATCH: Table = SQLModel.metadata.tables["gap_watch"]
GAP_REPORT_ROWS: Table = SQLModel.metadata.tables["gap_report_entries"]


class GapReportState(SQLModel, table=True):
    """The one row (id 1) saying what ``gap_report_entries`` is: the day judged (``as_of``), when,
    the outbox event it is current through (``events_through``, and its transaction: its place in
    the feed; changes named after it are not in the rows yet), the typical stage durations used
    (JSON, per stage), the entries per status at the default horizon (``counts``, so the first page
    of today's report counts nothing), and digests of the settings the
    entries depend on (``settings_fingerprint``) and of those the warnings and announcements
    depend on, with the working calendar (``watch_fingerprint``). ``version`` goes up with every
    write: a watch writes only over the version it read, so of two passes at once one writes."""

    __tablename__ = "gap_report_state"

    id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    as_of: date = Field(sa_column=Column(Date, nullable=False))
    computed_at: datetime = instant_field(nullable=False)
    events_through: int = Field(sa_column=Column(Integer, nullable=False))
    events_through_tx: int = Field(sa_column=Column(BigInteger, nullable=False))
    typical: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    counts: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    settings_fingerprint: str = Field(sa_column=Column(String(64), nullable=False))
    watch_fingerprint: str = Field(sa_column=Column(String(64), nullable=False))
