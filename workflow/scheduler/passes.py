"""The scheduler pass: what beat runs every tick and `continuum tick` runs once.

It expires what has lapsed, records the reminders that are due in the ledger (once, whoever
runs it and however often), cancels reminders that no longer apply, watches gap statuses, and
hands the due ledger rows to the queue: it marks them (``ledger.hand_out``) and returns their
ids, every one of them, each once until its hand-out lease or retry time says otherwise. It
sends nothing itself: sending happens after commit.

Its cost follows what changed and what is due (``workflow.scheduler.changes``): a pass reads
the outbox events since the last one and plans only the strategies they name, except a few
times a day (a new local or sending day, changed settings or calendar), when it reads everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine

from workflow import webhooks
from workflow.calendar import working_calendar
from workflow.core import Settings, local_date, new_session, unit_of_work
from workflow.directory import RecipientBook
from workflow.gaps import prepare_gap_watch, watch_gaps
from workflow.lifecycle import expire_due
from workflow.reminders import EVERYTHING, Scope, digests, plan_deadline_reminders, sending_day
from workflow.scheduler.changes import Changes, read_changes, store_point
from workflow.scheduler.registry import SOURCES


@dataclass
class PassReport:
    expired: list[int] = field(default_factory=list)
    recorded: int = 0
    cancelled: int = 0
    gap_changes: int = 0
    due: list[int] = field(default_factory=list)
    webhooks_recorded: int = 0
    webhooks_due: list[int] = field(default_factory=list)
    planned: str = "nothing"  # "everything", "nothing", or how many strategies changed

    def summary(self) -> str:
        return (
            f"planned {self.planned}; expired {len(self.expired)}, recorded {self.recorded} email(s), "
            f"cancelled {self.cancelled}, gap status changes {self.gap_changes}, due to send {len(self.due)}"
        )


def _scope(changes: Changes) -> Scope:
    return EVERYTHING if changes.everything else Scope(changes.strategy_ids)


def run_pass(engine: Engine, *, now: datetime, settings: Settings) -> PassReport:
    today = local_date(now, settings.zone)
    report = PassReport()
    with new_session(engine) as session:  # read, then give the connection back while expiries run
        point = read_changes(session, today=today, sending_day=sending_day(now, settings.zone, settings.send_hour),
                             settings=settings)
    changes = point.changes
    report.expired = expire_due(engine, now=now, today=today, settings=settings,
                                strategy_ids=None if changes.new_day else changes.strategy_ids)
    changes = changes.including(report.expired)  # their events are read again next pass: harmless
    report.planned = "everything" if changes.everything else f"{len(changes.strategy_ids)} changed strategies"
    # The gap watch keeps its own day; it is idle only when neither a strategy nor the day changed.
    gap_changes = Changes(changes.strategy_ids, changes.new_day, changes.new_day)
    gaps = prepare_gap_watch(engine, today=today, settings=settings, changes=gap_changes)  # read, then judge unheld
    with unit_of_work(engine) as session:
        calendar = working_calendar(session, settings)  # one read for every send day of the pass
        book = RecipientBook(session)
        planned = plan_deadline_reminders(session, SOURCES, now=now, settings=settings, calendar=calendar,
                                          scope=_scope(changes), book=book)
        report.recorded, report.cancelled = planned.recorded, planned.cancelled
        watched = watch_gaps(session, now=now, today=today, settings=settings, calendar=calendar,
                             changes=gap_changes, prepared=gaps, book=book)
        report.recorded += watched.recorded
        report.gap_changes = watched.changes
        report.cancelled += watched.cancelled
        store_point(session, point)
    with unit_of_work(engine) as session:  # committed before anyone publishes the ids
        report.webhooks_recorded = webhooks.fan_out(session, now=now)  # the planning's events are committed
        lease = timedelta(minutes=settings.enqueue_lease_minutes)
        report.due = digests.hand_out(session, now, lease=lease, settings=settings)  # with digests, merges
        report.webhooks_due = webhooks.hand_out(session, now, lease=lease)
    return report
