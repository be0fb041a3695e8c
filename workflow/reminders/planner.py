"""Planning reminders: the due reminder of every live deadline, recorded once in the ledger."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlmodel import Session

import workflow.reminders.ledger as ledger
from workflow.calendar import WorkingCalendar
from workflow.core import Settings
from workflow.directory import recipients
from workflow.reminders.sources import DeadlineSource
from workflow.reminders.timing import due_reminder, send_instant, sending_day


def plan_deadline_reminders(
    session: Session, sources: Iterable[DeadlineSource], *, now: datetime, settings: Settings,
    calendar: WorkingCalendar,
) -> tuple[int, set[tuple[str, date]]]:
    """Record the due reminder of every live deadline of every source; returns (rows recorded, live deadlines)."""
    day = sending_day(now, settings.zone, settings.send_hour)
    recorded, live = 0, set()
    for source in sources:
        for item in source.live(session, settings):
            live.add((item.deadline.key, item.deadline.due_on))
            due = due_reminder(item.deadline, item.policy, day, calendar)
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
