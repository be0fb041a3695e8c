"""Running the gap watch as the scheduler pass runs it, for the tests of the stored gap report.

``watch`` prepares (a short session of its own), then writes in a unit of work, as
``workflow.scheduler.run_pass`` does, once the outbox feed has handed out every event written: on
PostgreSQL a transaction running anywhere on the server (another test run's) holds the feed back
for as long as it runs (see ``workflow.core.outbox``), and the watch judges what the feed named.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, func, select

from tests.waiting import wait_until
from workflow.calendar import working_calendar
from workflow.core import OutboxEvent, Settings, events_after, local_date
from workflow.core.db import new_session, unit_of_work
from workflow.gaps import GapWatchResult, StrategyChanges, prepare_gap_watch, watch_gaps


def feed_ends(engine: Engine) -> tuple[int, int]:
    """(the last event the feed hands out now, the last event written)."""
    with new_session(engine) as session:
        last = 0
        while events := events_after(session, last, 1_000):
            last = events[-1].id or last
        return last, session.scalar(select(func.max(OutboxEvent.id))) or 0


def wait_for_feed(engine: Engine) -> None:
    wait_until(lambda: feed_ends(engine), lambda ends: ends[0] == ends[1], waiting_for="the outbox feed")


def watch(engine: Engine, settings: Settings, now: datetime, changes: StrategyChanges | None = None, *,
          wait: bool = True) -> GapWatchResult:
    if wait:
        wait_for_feed(engine)
    today = local_date(now, settings.zone)
    prepared = prepare_gap_watch(engine, today=today, settings=settings, changes=changes)
    with unit_of_work(engine) as session:
        calendar = working_calendar(session, settings)
        return watch_gaps(session, now=now, today=today, settings=settings, calendar=calendar, prepared=prepared)
