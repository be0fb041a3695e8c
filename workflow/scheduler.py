"""The scheduler pass: what beat runs every tick and `continuum tick` runs once.

It expires what has lapsed, records the reminders that are due in the ledger (once, whoever
runs it and however often), cancels reminders that no longer apply, and returns the ids of
ledger rows a worker should send. It sends nothing itself: sending happens after commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import Session

from workflow import ledger
from workflow.clock import local_date
from workflow.db import new_session, unit_of_work
from workflow.deadline_sources import SOURCES
from workflow.directory import recipients
from workflow.expiry import expire_due
from workflow.gap_watch import GAP_DEADLINE, watch_gaps
from workflow.reminders import due_reminder, send_instant, sending_day
from workflow.settings import Settings


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
    report.expired = expire_due(
        engine, now=now, today=today, default_min_consultation_days=settings.min_consultation_days
    )
    with unit_of_work(engine) as session:
        report.recorded, live = plan_deadline_reminders(session, now=now, settings=settings)
        gap_recorded, report.gap_changes, gap_live = watch_gaps(session, now=now, today=today, settings=settings)
        report.recorded += gap_recorded
        kinds = frozenset().union(*(source.kinds for source in SOURCES)) | {GAP_DEADLINE}
        report.cancelled = ledger.cancel_stale(session, live | gap_live, kinds=kinds, now=now)
    session = new_session(engine)
    try:
        report.due = ledger.due_ids(session, now)
    finally:
        session.close()
    return report


def plan_deadline_reminders(session: Session, *, now: datetime, settings: Settings) -> tuple[int, set[tuple[str, date]]]:
    """Record the due reminder of every live deadline of every source; returns (rows recorded, live deadlines)."""
    day = sending_day(now, settings.zone, settings.send_hour)
    recorded, live = 0, set()
    for source in SOURCES:
        for item in source.live(session, settings):
            live.add((item.deadline.key, item.deadline.due_on))
            due = due_reminder(item.deadline, item.policy, day)
            if due is None:
                continue
            contacts = recipients(
                session, item.institution_id, role=item.recipient_role, escalate=due.escalate,
                escalation_institution_id=item.escalation_institution_id,
            )
            recorded += len(
                ledger.record(
                    session,
                    due,
                    contacts,
                    send_after=send_instant(due.send_on, settings.zone, settings.send_hour),
                    now=now,
                    details={"send_on": due.send_on.isoformat()},
                )
            )
    return recorded, live
