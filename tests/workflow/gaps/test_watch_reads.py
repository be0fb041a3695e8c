"""The gap watch computes its statuses with no pooled connection held (issue 10, item 5).

``gap_watch_entries`` reads the deployment in a short session of its own and computes after
closing it; ``watch_gaps`` given those entries only writes, in the caller's unit of work.
On SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, select

from tests import factories as f
from workflow.calendar import working_calendar
from workflow.core.db import new_session, unit_of_work
from workflow.gaps import GapWatch, gap_report, gap_watch_entries, watch_gaps
from workflow.gaps.rules import AT_RISK, GapAssessment

NOW = datetime(2026, 9, 22, 8, 0, tzinfo=UTC)
TODAY = date(2026, 9, 22)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest) -> Iterator[Engine]:
    yield request.getfixturevalue("engine" if request.param == "sqlite" else "pg_engine")


@pytest.fixture
def lapsing(db) -> int:
    """A strategy in force to 2026-12-31 with no successor: at risk within the lead time."""
    with unit_of_work(db) as s:
        moi = f.institution(s)
        return f.strategy_in_stage(s, moi, "implementation", today=TODAY, period_start=date(2023, 1, 1),
                                   period_end=date(2026, 12, 31)).id


def test_the_watch_computes_its_entries_with_no_connection_held(db, settings, lapsing, monkeypatch):
    held = []
    real = GapAssessment.entry

    def observed(self, *args, **kwargs):
        held.append(db.pool.checkedout())
        return real(self, *args, **kwargs)

    monkeypatch.setattr(GapAssessment, "entry", observed)
    entries = gap_watch_entries(db, today=TODAY, settings=settings)
    assert held == [0]
    assert [(e.strategy_id, e.status) for e in entries] == [(lapsing, AT_RISK)]
    with new_session(db) as session:
        assert entries == gap_report(session, as_of=TODAY, horizon_days=settings.gap_lead_days, settings=settings)


def test_given_its_entries_the_watch_only_writes(db, settings, lapsing, monkeypatch):
    entries = gap_watch_entries(db, today=TODAY, settings=settings)

    def refuse(*args, **kwargs):
        raise AssertionError("computed inside the unit of work")

    monkeypatch.setattr(GapAssessment, "__init__", refuse)
    with unit_of_work(db) as s:
        recorded, changes, live = watch_gaps(s, now=NOW, today=TODAY, settings=settings,
                                             calendar=working_calendar(s, settings), entries=entries)
    assert (recorded, changes) == (0, 1)  # no contacts to warn; the status change is recorded once
    assert live == {(f"strategy:{lapsing}:gap", date(2026, 12, 31))}
    with unit_of_work(db) as s:
        assert [(w.strategy_id, w.status) for w in s.scalars(select(GapWatch))] == [(lapsing, AT_RISK)]
