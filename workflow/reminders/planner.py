"""Planning reminders: the due reminder of every live deadline, recorded once in the ledger.

A pass plans the deadlines of what changed (``Scope``): every source's live deadlines of the
strategies named since the last pass, or of all of them when the pass plans everything (see
``workflow.scheduler.changes``). The reminder plan (``PlannedDeadline``) says which offset of each
deadline is in the ledger already, so a reminder is recorded once and never offered to the
ledger again; only new ones are inserted, with every recipient read once per pass
(``RecipientBook``). Pending rows of a planned strategy whose deadline went away or moved are
cancelled here too.

Within one sending day the reminder due for a deadline depends on nothing but the deadline, so
a pass that plans nothing new does no work here at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

import workflow.reminders.ledger as ledger
from workflow.calendar import WorkingCalendar
from workflow.core import Settings
from workflow.directory import Contact, RecipientBook
from workflow.reminders.models import PlannedDeadline
from workflow.reminders.sources import DeadlineSource, LiveDeadline
from workflow.reminders.timing import DueReminder, due_reminder, send_instant, sending_day

_CHUNK = 1_000


@dataclass(frozen=True)
class Scope:
    """Which strategies' deadlines to plan: ``strategy_ids``, or all of them (None)."""

    strategy_ids: frozenset[int] | None

    @property
    def nothing(self) -> bool:
        return self.strategy_ids is not None and not self.strategy_ids


EVERYTHING = Scope(None)


@dataclass(frozen=True)
class PlanReport:
    recorded: int
    cancelled: int


def plan_deadline_reminders(
    session: Session, sources: Iterable[DeadlineSource], *, now: datetime, settings: Settings,
    calendar: WorkingCalendar, scope: Scope = EVERYTHING, book: RecipientBook | None = None,
) -> PlanReport:
    """Record the due reminder of every live deadline in ``scope`` that the ledger does not hold yet,
    and cancel the pending reminders of deadlines in ``scope`` that no longer apply."""
    if scope.nothing:
        return PlanReport(0, 0)
    sources = list(sources)
    day = sending_day(now, settings.zone, settings.send_hour)
    live = [item for source in sources for item in source.live(session, settings, strategy_ids=scope.strategy_ids)]
    kinds = frozenset().union(*(source.kinds for source in sources))
    cancelled = ledger.cancel_stale(
        session, {(item.deadline.key, item.deadline.due_on) for item in live}, kinds=kinds, now=now,
        strategy_ids=scope.strategy_ids,
    )
    planned = _planned(session, scope.strategy_ids)
    due = [(item, reminder) for item in live
           if (reminder := due_reminder(item.deadline, item.policy, day, calendar)) is not None]
    book = book or RecipientBook(session)
    book.load(institution for item, _ in due for institution in _institutions_of(item))
    intended = []
    for item, reminder in due:
        contacts = book.recipients(item.institution_id, role=item.recipient_role, escalate=reminder.escalate,
                                   escalation_institution_id=item.escalation_institution_id)
        if contacts and not _recorded(planned.get(item.deadline.key), reminder, contacts):
            intended.append(ledger.Intended(reminder, contacts,
                                            send_instant(reminder.send_on, settings.zone, settings.send_hour),
                                            {"send_on": reminder.send_on.isoformat()}))
    recorded = ledger.record_many(session, intended, now=now)
    _remember(session, intended)
    _forget(session, set(planned) - {item.deadline.key for item in live})
    return PlanReport(len(recorded), cancelled)


def recipients_digest(contacts: Iterable[Contact]) -> str:
    """Names a set of recipients in a few bytes: the same contacts give the same digest."""
    ids = ",".join(str(contact.id) for contact in sorted(contacts, key=lambda c: c.id or 0))
    return hashlib.sha256(ids.encode()).hexdigest()


def _institutions_of(item: LiveDeadline) -> tuple[int, ...]:
    return (item.institution_id, item.escalation_institution_id or item.institution_id)


def _recorded(planned: PlannedDeadline | None, reminder: DueReminder, contacts: Iterable[Contact]) -> bool:
    """Whether the ledger holds ``reminder`` for these recipients already (then it is not offered again)."""
    return (
        planned is not None
        and planned.due_on == reminder.deadline.due_on
        and planned.recorded_offset == reminder.offset_days
        and planned.recorded_for == recipients_digest(contacts)
    )


def _planned(session: Session, strategy_ids: Collection[int] | None) -> dict[str, PlannedDeadline]:
    query = select(PlannedDeadline)
    if strategy_ids is None:
        return {row.deadline_key: row for row in session.scalars(query)}
    found: dict[str, PlannedDeadline] = {}
    ids = sorted(strategy_ids)
    for start in range(0, len(ids), _CHUNK):
        chunk = query.where(col(PlannedDeadline.strategy_id).in_(ids[start:start + _CHUNK]))
        found.update((row.deadline_key, row) for row in session.scalars(chunk))
    return found


def _remember(session: Session, intended: list[ledger.Intended]) -> None:
    """Upsert the offset recorded for each deadline (with its due date and recipients), a chunk per statement."""
    rows = {
        i.reminder.deadline.key: {"deadline_key": i.reminder.deadline.key, "deadline_kind": i.reminder.deadline.kind,
                                  "strategy_id": i.reminder.deadline.strategy_id, "due_on": i.reminder.deadline.due_on,
                                  "recorded_offset": i.reminder.offset_days,
                                  "recorded_for": recipients_digest(i.contacts)}
        for i in intended
    }
    values = list(rows.values())
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    for start in range(0, len(values), _CHUNK // 2):
        statement = insert(PlannedDeadline).values(values[start:start + _CHUNK // 2])
        session.execute(statement.on_conflict_do_update(
            index_elements=["deadline_key"],
            set_={"due_on": statement.excluded.due_on, "recorded_offset": statement.excluded.recorded_offset,
                  "recorded_for": statement.excluded.recorded_for, "deadline_kind": statement.excluded.deadline_kind,
                  "strategy_id": statement.excluded.strategy_id},
        ))


def _forget(session: Session, keys: set[str]) -> None:
    """Drop the plan of deadlines that are no longer live (they come back unrecorded if they do)."""
    ordered = sorted(keys)
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start:start + _CHUNK]
        session.execute(delete(PlannedDeadline).where(col(PlannedDeadline.deadline_key).in_(chunk)))

