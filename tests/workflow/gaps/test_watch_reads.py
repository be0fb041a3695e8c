"""The gap watch judges with no pooled connection held (issue 10, item 5), and writes only in the
caller's unit of work (issue 13).

``prepare_gap_watch`` reads what changed in a short session of its own and judges after closing
it; ``watch_gaps`` given what it prepared only writes (and reads the warnings due).
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
from workflow.gaps import GapReportRow, GapWatch, prepare_gap_watch, watch_gaps
from workflow.gaps.rules import AT_RISK, GapAssessment
from workflow.gaps.stored import entry_of

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


def test_the_watch_judges_with_no_connection_held(db, settings, lapsing, monkeypatch):
    held = []
    real = GapAssessment.entry

    def observed(self, *args, **kwargs):
        held.append(db.pool.checkedout())
        return real(self, *args, **kwargs)

    monkeypatch.setattr(GapAssessment, "entry", observed)
    prepared = prepare_gap_watch(db, today=TODAY, settings=settings)
    assert held == [0]
    assert prepared.full
    assert [(i, row.entry.status) for i, row in prepared.rows.items() if row.entry] == [(lapsing, AT_RISK)]


def test_given_what_it_prepared_the_watch_only_writes(db, settings, lapsing, monkeypatch):
    prepared = prepare_gap_watch(db, today=TODAY, settings=settings)

    def refuse(*args, **kwargs):
        raise AssertionError("judged inside the unit of work")

    monkeypatch.setattr(GapAssessment, "__init__", refuse)
    with unit_of_work(db) as s:
        result = watch_gaps(s, now=NOW, today=TODAY, settings=settings, calendar=working_calendar(s, settings),
                            prepared=prepared)
    assert (result.recorded, result.changes, result.judged) == (0, 1, "everything")  # no contacts to warn
    with new_session(db) as s:
        assert [(w.strategy_id, w.status) for w in s.scalars(select(GapWatch))] == [(lapsing, AT_RISK)]
        (row,) = s.scalars(select(GapReportRow))
        assert (row.strategy_id, row.status, row.lapses_on) == (lapsing, AT_RISK, date(2026, 12, 31))
        assert entry_of(row.entry) == prepared.rows[lapsing].entry
