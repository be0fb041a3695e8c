"""The scheduler's view of gaps: warn before a lapse with no timely successor, announce changes.

Warnings go through the same ledger as reminders (deadline kind ``gap``, keyed per strategy
and lapse date), on ``gap_warning_offsets`` within ``gap_lead_days`` of the lapse, to the lead
institution's coordinators and escalation contacts. A change of a strategy's gap status is
recorded once in ``gap_watch`` and announced as a ``gap_status_changed`` event.

The statuses need the whole deployment; ``gap_watch_entries`` reads it in a short session of
its own and computes after giving the connection back, so a pass computes them before it opens
its unit of work and hands them to ``watch_gaps``, which then only writes.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine, select, update
from sqlmodel import Session, col

from workflow.calendar import WorkingCalendar
from workflow.core import Settings, insert_ignoring_conflict, record_event
from workflow.directory import recipients
from workflow.gaps.models import GapWatch
from workflow.gaps.queries import compute_gap_report, gap_report, read_snapshots
from workflow.gaps.rules import AT_RISK, GapEntry
from workflow.lifecycle import Strategy
from workflow.reminders import Deadline, due_gap_warning, ledger, send_instant, sending_day, strategy_deadline_key

GAP_DEADLINE = "gap"
RESOLVED = "resolved"


def plan_gap_warnings(
    session: Session, entries: list[GapEntry], *, now: datetime, settings: Settings, calendar: WorkingCalendar
) -> tuple[int, set[tuple[str, date]]]:
    """Record due gap warnings; returns (rows recorded, live gap deadlines)."""
    day = sending_day(now, settings.zone, settings.send_hour)
    offsets = tuple(o for o in settings.gap_warning_offsets if o <= settings.gap_lead_days)
    recorded, live = 0, set()
    for entry in entries:
        if entry.status != AT_RISK:
            continue
        deadline = Deadline(
            strategy_deadline_key(entry.strategy_id, GAP_DEADLINE), GAP_DEADLINE, entry.strategy_id, entry.lapses_on
        )
        live.add((deadline.key, deadline.due_on))
        due = due_gap_warning(deadline, offsets, day, calendar)
        strategy = session.get(Strategy, entry.strategy_id)
        if due is None or strategy is None:
            continue
        contacts = recipients(session, strategy.lead_institution_id, escalate=True)
        details = {
            "successor_id": entry.successor_id,
            "successor_title": entry.successor_title,
            "successor_stage": entry.successor_stage,
            "projected_successor_approval": entry.projected_successor_approval.isoformat()
            if entry.projected_successor_approval
            else None,
            "projection_basis": entry.projection_basis,
        }
        created = ledger.record(
            session,
            due,
            contacts,
            send_after=send_instant(due.send_on, settings.zone, settings.send_hour),
            now=now,
            details=details,
        )
        if created:
            record_event(
                session,
                "gap_warning",
                strategy_id=entry.strategy_id,
                payload={
                    "lapses_on": entry.lapses_on.isoformat(),
                    "days_before": due.offset_days,
                    "recipients": len(created),
                    **details,
                },
                at=now,
            )
        recorded += len(created)
    return recorded, live


def record_gap_changes(session: Session, entries: list[GapEntry], *, now: datetime) -> int:
    """Store each strategy's current gap status; announce each change once, even when two passes race."""
    current = {entry.strategy_id: entry for entry in entries}
    known = {row.strategy_id: row.status for row in session.scalars(select(GapWatch))}
    changes = 0
    for strategy_id, entry in current.items():
        if known.get(strategy_id) == entry.status:
            continue
        if _move(session, strategy_id, known.get(strategy_id), entry.status, now):
            changes += 1
            record_event(
                session,
                "gap_status_changed",
                strategy_id=strategy_id,
                payload={
                    "from": known.get(strategy_id),
                    "to": entry.status,
                    "lapses_on": entry.lapses_on.isoformat(),
                    "successor_id": entry.successor_id,
                    "gap_days": entry.gap_days,
                },
                at=now,
            )
    for strategy_id, status in known.items():
        if strategy_id not in current and status != RESOLVED and _move(session, strategy_id, status, RESOLVED, now):
            changes += 1
            record_event(session, "gap_status_changed", strategy_id=strategy_id,
                         payload={"from": status, "to": RESOLVED}, at=now)
    return changes


def _move(session: Session, strategy_id: int, old: str | None, new: str, now: datetime) -> bool:
    """Conditional write: only the pass that still sees ``old`` records the move to ``new``."""
    if old is None:
        values = {"strategy_id": strategy_id, "status": new, "changed_at": now}
        inserted = insert_ignoring_conflict(
            session, GapWatch, values, unique=["strategy_id"], returning=GapWatch.strategy_id
        )
        return inserted is not None
    result = session.exec(
        update(GapWatch)
        .where(col(GapWatch.strategy_id) == strategy_id, col(GapWatch.status) == old)
        .values(status=new, changed_at=now)
    )
    return result.rowcount == 1


def gap_watch_entries(engine: Engine, *, today: date, settings: Settings) -> list[GapEntry]:
    """The gap statuses the watch looks at on ``today`` (horizon ``gap_lead_days``), read in a short
    session of its own and computed with no connection held."""
    snapshots = read_snapshots(engine, zone=settings.zone)
    return compute_gap_report(snapshots, as_of=today, horizon_days=settings.gap_lead_days, settings=settings)


def watch_gaps(
    session: Session,
    *,
    now: datetime,
    today: date,
    settings: Settings,
    calendar: WorkingCalendar,
    entries: list[GapEntry] | None = None,
) -> tuple[int, int, set[tuple[str, date]]]:
    """Gap warnings and status changes for ``today``; returns (rows recorded, changes, live gap deadlines).

    ``entries`` are ``gap_watch_entries`` computed before ``session`` was opened; without them they
    are computed here, inside the caller's unit of work."""
    if entries is None:
        entries = gap_report(session, as_of=today, horizon_days=settings.gap_lead_days, settings=settings)
    recorded, live = plan_gap_warnings(session, entries, now=now, settings=settings, calendar=calendar)
    return recorded, record_gap_changes(session, entries, now=now), live
