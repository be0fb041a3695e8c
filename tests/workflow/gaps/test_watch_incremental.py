"""The gap watch costs what changed (issue 13): a steady pass reads a few rows whatever the size of
the portfolio, a change judges its area again and writes its rows only, a new day or other
settings judge everything again, and two passes at once announce each change once.
On SQLite and PostgreSQL where the database matters.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, event, func, select

from tests import factories as f
from tests.waiting import wait_for_lock_wait
from tests.workflow.gaps.watching import wait_for_feed, watch
from workflow.calendar import WEEKDAYS_ONLY, working_calendar
from workflow.core.db import new_session, unit_of_work
from workflow.core.outbox import OutboxEvent
from workflow.gaps import GapReportRow, GapReportState, prepare_gap_watch, scoped, watch_gaps
from workflow.gaps import watch as watching
from workflow.lifecycle import StrategyPatch, update_strategy
from workflow.reminders import Notification

NOW = datetime(2026, 9, 22, 8, 0, tzinfo=UTC)  # 10:00 in Tirane, 100 days before 2026-12-31
TODAY = date(2026, 9, 22)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest) -> Iterator[Engine]:
    yield request.getfixturevalue("engine" if request.param == "sqlite" else "pg_engine")


def _areas(engine: Engine, names: list[str]) -> dict[str, int]:
    """Per area, a strategy in force to the end of 2026 with no successor (at risk), and a coordinator."""
    made = {}
    with unit_of_work(engine) as s:
        for name in names:
            lead = f.institution(s, f"Ministry of {name}")
            f.contact(s, lead, ["coordinator"], f"coord@{name}.example.org")
            made[name] = f.strategy_in_stage(s, lead, "implementation", today=TODAY, policy_area=name,
                                             period_start=date(2023, 1, 1), period_end=date(2026, 12, 31)).id
    return made


@contextmanager
def _statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _steady(engine: Engine, settings) -> list[str]:
    wait_for_feed(engine)
    with _statements(engine) as seen:
        result = watch(engine, settings, NOW, wait=False)
    assert (result.recorded, result.changes, result.cancelled, result.judged) == (0, 0, 0, "0 area(s)")
    return seen


def test_a_steady_pass_reads_a_few_rows_whatever_the_size_of_the_portfolio(db, settings):
    _areas(db, ["migration", "health"])
    assert watch(db, settings, NOW).judged == "everything"
    watch(db, settings, NOW)  # reads the events of the first pass's own announcements, and moves past them
    small = _steady(db, settings)
    _areas(db, [f"area-{i}" for i in range(8)])
    assert watch(db, settings, NOW).judged == "8 area(s)"
    watch(db, settings, NOW)
    big = _steady(db, settings)
    assert len(big) == len(small) <= 5, big  # the state, the feed (its position, its end), the calendar, what is due
    assert all(s.lstrip().upper().startswith("SELECT") for s in big), big


def test_a_change_judges_its_area_again_and_writes_the_rows_that_differ(db, settings, monkeypatch):
    made = _areas(db, ["migration", "health", "diaspora"])
    watch(db, settings, NOW)
    with unit_of_work(db) as s:
        update_strategy(s, made["health"], StrategyPatch(period_end=date(2026, 10, 31)), now=NOW, today=TODAY)
        changed = s.scalar(select(func.max(OutboxEvent.id)))
    judged, written = [], []
    real_load, real_write = scoped.load_snapshots, watching._write_rows
    monkeypatch.setattr(scoped, "load_snapshots", lambda *a, **k: judged.append(k) or real_load(*a, **k))
    monkeypatch.setattr(watching, "_write_rows", lambda *a, **k: written.append(real_write(*a, **k)) or written[-1])
    result = watch(db, settings, NOW)
    assert (result.judged, result.changes) == ("1 area(s)", 0)  # still at risk, with another lapse
    assert [set(w) for w in written] == [{made["health"]}]
    with new_session(db) as s:
        row = s.get(GapReportRow, made["health"])
        assert (row.status, row.lapses_on) == ("at_risk", date(2026, 10, 31))
        assert s.get(GapReportState, 1).events_through == changed


def test_a_new_day_or_other_settings_judge_everything_again(db, settings):
    _areas(db, ["migration", "health"])
    watch(db, settings, NOW)
    watch(db, settings, NOW)
    assert watch(db, settings, NOW).judged == "0 area(s)"
    assert watch(db, settings, NOW + timedelta(days=1)).judged == "everything"
    other = settings.model_copy(update={"typical_drafting_days": 200})
    assert watch(db, other, NOW + timedelta(days=1)).judged == "everything"
    assert watch(db, other, NOW + timedelta(days=1)).judged == "0 area(s)"


class Said:
    """What the scheduler pass says changed (``workflow.scheduler.Changes`` has these two attributes)."""

    def __init__(self, ids: frozenset[int], everything: bool) -> None:
        self.strategy_ids, self.everything = ids, everything


def test_the_callers_changes_are_judged_too_and_its_everything_judges_what_the_watch_finds_moved(db, settings):
    made = _areas(db, ["migration", "health"])
    watch(db, settings, NOW)
    watch(db, settings, NOW)
    assert watch(db, settings, NOW, Said(frozenset({made["health"]}), False)).judged == "1 area(s)"
    # A new sending day (the pass plans everything): warnings may be due, entries are the same.
    assert watch(db, settings, NOW, Said(frozenset(), True)).judged == "0 area(s)"
    assert watch(db, settings, NOW + timedelta(days=1), Said(frozenset(), True)).judged == "everything"


def test_when_the_caller_says_nothing_changed_the_watch_issues_no_statement(db, settings):
    _areas(db, ["migration"])
    watch(db, settings, NOW)
    wait_for_feed(db)
    with _statements(db) as seen:
        today = NOW.date()
        prepared = prepare_gap_watch(db, today=today, settings=settings, changes=Said(frozenset(), False))
        with new_session(db) as s:
            result = watch_gaps(s, now=NOW, today=today, settings=settings, calendar=WEEKDAYS_ONLY,
                                changes=Said(frozenset(), False), prepared=prepared)
    assert (seen, result.judged) == ([], "nothing")


def _announced(engine: Engine, strategy_id: int) -> list[tuple[str | None, str]]:
    with new_session(engine) as s:
        rows = s.scalars(select(OutboxEvent).where(OutboxEvent.type == "gap_status_changed",
                                                   OutboxEvent.strategy_id == strategy_id).order_by(OutboxEvent.id))
        return [(e.payload["from"], e.payload["to"]) for e in rows]


def test_of_two_passes_prepared_at_once_one_writes_and_a_change_is_announced_once(db, settings):
    made = _areas(db, ["migration"])
    watch(db, settings, NOW)
    with unit_of_work(db) as s:  # covered from 2027 by an approved successor
        f.strategy_in_stage(s, 1, "implementation", today=TODAY, policy_area="migration",
                            period_start=date(2027, 1, 1), period_end=date(2030, 12, 31),
                            predecessor_id=made["migration"])
    wait_for_feed(db)
    first, second = (prepare_gap_watch(db, today=TODAY, settings=settings) for _ in range(2))
    results = []
    for prepared in (first, second):
        with unit_of_work(db) as s:
            results.append(watch_gaps(s, now=NOW, today=TODAY, settings=settings,
                                      calendar=working_calendar(s, settings), prepared=prepared))
    assert [r.changes for r in results] == [1, 0]
    assert _announced(db, made["migration"]) == [(None, "at_risk"), ("at_risk", "covered")]


@pytest.mark.postgres
def test_a_pass_writing_while_another_holds_the_state_waits_and_then_writes_nothing(pg_engine, settings):
    made = _areas(pg_engine, ["migration"])
    watch(pg_engine, settings, NOW)
    with unit_of_work(pg_engine) as s:
        update_strategy(s, made["migration"], StrategyPatch(period_end=date(2026, 11, 30)), now=NOW, today=TODAY)
    wait_for_feed(pg_engine)
    first, second = (prepare_gap_watch(pg_engine, today=TODAY, settings=settings) for _ in range(2))
    holding = new_session(pg_engine)
    done = watch_gaps(holding, now=NOW, today=TODAY, settings=settings,
                      calendar=working_calendar(holding, settings), prepared=first)
    other = []

    def run() -> None:
        with unit_of_work(pg_engine) as s:
            other.append(watch_gaps(s, now=NOW, today=TODAY, settings=settings,
                                    calendar=working_calendar(s, settings), prepared=second))

    thread = threading.Thread(target=run)
    thread.start()
    try:
        wait_for_lock_wait(pg_engine, process=thread)
        holding.commit()
    finally:
        holding.close()
        thread.join()
    assert (done.judged, other[0].judged) == ("1 area(s)", "1 area(s)")
    with new_session(pg_engine) as s:
        assert s.get(GapReportState, 1).version == 2  # the first pass's state, written once more


def _warnings(engine: Engine) -> list[tuple[int, str]]:
    with new_session(engine) as s:
        rows = s.scalars(select(Notification).where(Notification.kind == "gap_warning").order_by(Notification.id))
        return [(r.offset_days, r.status) for r in rows]


def test_a_warning_is_recorded_when_its_send_day_comes_and_only_then(db, settings):
    made = _areas(db, ["migration"])
    first = watch(db, settings, NOW)
    assert first.recorded == 1 and _warnings(db) == [(180, "pending")]  # 100 days before: the 180-day one
    with new_session(db) as s:
        assert s.get(GapReportRow, made["migration"]).warn_on == date(2026, 10, 2)  # the 90-day send day
    assert watch(db, settings, NOW + timedelta(days=3)).recorded == 0  # a new day: judged again, nothing due
    ninety = datetime(2026, 10, 2, 8, 0, tzinfo=UTC)
    assert watch(db, settings, ninety).recorded == 1
    assert _warnings(db) == [(180, "cancelled"), (90, "pending")]  # superseded by the later one
    with new_session(db) as s:
        # 30 days before is 1 December, a public holiday (Liberation Day observed): the working day before it
        assert s.get(GapReportRow, made["migration"]).warn_on == date(2026, 11, 27)
    assert watch(db, settings, ninety).recorded == 0


def test_a_covered_lapse_cancels_its_pending_warnings_and_is_announced(db, settings):
    made = _areas(db, ["migration"])
    watch(db, settings, NOW)
    with unit_of_work(db) as s:
        f.strategy_in_stage(s, 1, "implementation", today=TODAY, policy_area="migration",
                            period_start=date(2027, 1, 1), period_end=date(2030, 12, 31),
                            predecessor_id=made["migration"])
    result = watch(db, settings, NOW)
    assert (result.cancelled, result.changes) == (1, 1)
    assert _warnings(db) == [(180, "cancelled")]
    assert _announced(db, made["migration"]) == [(None, "at_risk"), ("at_risk", "covered")]
