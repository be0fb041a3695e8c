"""The scheduler pass: what beat runs every tick and `continuum tick` runs once.

It expires what has lapsed, records the reminders that are due in the ledger (once, whoever
runs it and however often), cancels reminders that no longer apply, and hands the due ledger
rows to the queue: it marks them (``ledger.hand_out``) and returns their ids, each once until
its hand-out lease or retry time says otherwise. It sends nothing itself: sending happens after
commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine

from workflow.calendar import working_calendar
from workflow.core import Settings, local_date, unit_of_work
from workflow.gaps import GAP_DEADLINE, gap_watch_entries, watch_gaps
from workflow.lifecycle import expire_due
from workflow.reminders import ledger, plan_deadline_reminders
from workflow.scheduler.registry import SOURCES


@dataclass
class PassReport:
    expired: list[int] = field(default_factory=list)
    recorded: int = 0
    cancelled: int = 0
    gap_changes: int = 0
    due: list[int] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"expired {len(self.expired)}, recorded {self.recorded} email(s), cancelled {self.cancelled}, "
            f"gap status changes {self.gap_changes}, due to send {len(self.due)}"
        )


def run_pass(engine: Engine, *, now: datetime, settings: Settings) -> PassReport:
    today = local_date(now, settings.zone)
    report = PassReport()
    report.expired = expire_due(engine, now=now, today=today, settings=settings)
    gap_entries = gap_watch_entries(engine, today=today, settings=settings)  # read, give the connection back, compute
    with unit_of_work(engine) as session:
        calendar = working_calendar(session, settings)  # one read for every send day of the pass
        report.recorded, live = plan_deadline_reminders(session, SOURCES, now=now, settings=settings,
                                                        calendar=calendar)
        gap_recorded, report.gap_changes, gap_live = watch_gaps(
            session, now=now, today=today, settings=settings, calendar=calendar, entries=gap_entries
        )
        report.recorded += gap_recorded
        kinds = frozenset().union(*(source.kinds for source in SOURCES)) | {GAP_DEADLINE}
        report.cancelled = ledger.cancel_stale(session, live | gap_live, kinds=kinds, now=now)
    with unit_of_work(engine) as session:  # committed before anyone publishes the ids
        report.due = ledger.hand_out(session, now, lease=timedelta(minutes=settings.enqueue_lease_minutes))
    return report
