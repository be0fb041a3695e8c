"""Gap warnings: before a lapse with no timely successor, the lead institution's coordinators and
escalation contacts are told, on ``gap_warning_offsets`` within ``gap_lead_days`` of the lapse, and,
when the pipeline rule flags it earlier (``workflow.gaps.forecast``), as soon as it does.

They go through the same ledger as reminders (deadline kind ``gap``, keyed per strategy and lapse
date; a warning recorded is never recorded again). Which offset is due is the reminders' rule
(``due_gap_warning``: the latest send day reached, so a pass after downtime sends one, not a
burst). To cost what is due rather than every entry at risk on every pass, each stored row at risk
keeps ``warn_on``, the next send day still ahead of it: a pass reads only the rows whose
``warn_on`` has come (an indexed range), records their warning and moves ``warn_on`` to the next
send day (none after the last offset). A row that becomes at risk, or at risk with another lapse,
starts again from its first send day; ledger rows already recorded stay recorded.

Pending warnings of a strategy no longer at risk with that lapse (within the lead time) are
cancelled when its row changes (``cancel_stale``, for those strategies only), or for every
strategy when the watch judges everything.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlmodel import Session, col

from workflow.calendar import WorkingCalendar
from workflow.core import Settings, record_events
from workflow.directory import RecipientBook
from workflow.gaps.forecast import PIPELINE
from workflow.gaps.models import GAP_REPORT_ROWS, GapReportRow
from workflow.gaps.rules import AT_RISK, GapEntry
from workflow.gaps.statement import LANGUAGES, risk_statement
from workflow.gaps.stored import entry_of, status_within
from workflow.lifecycle import Strategy
from workflow.reminders import (
    Deadline,
    Notification,
    due_gap_warning,
    ledger,
    send_instant,
    sending_day,
    strategy_deadline_key,
)

GAP_DEADLINE = "gap"
PIPELINE_STEP = 30  # days: an early warning's offset moves in steps of a month, not every day


def _offsets(settings: Settings, entry: GapEntry | None = None) -> tuple[int, ...]:
    """The configured offsets within the lead time; for an entry at risk by the pipeline rule beyond it,
    also the days its successor needs at the upper quantile, rounded up to ``PIPELINE_STEP``: so the
    warning goes out once as the pipeline rule flags it, and again only if that need moves a step."""
    offsets = tuple(o for o in settings.gap_warning_offsets if o <= settings.gap_lead_days)
    if entry is not None and entry.risk_rule == PIPELINE and entry.needed_days_upper is not None:
        early = -(-entry.needed_days_upper // PIPELINE_STEP) * PIPELINE_STEP
        if early > settings.gap_lead_days:
            offsets = (*offsets, early)
    return offsets


def _send_days(lapses_on: date, settings: Settings, calendar: WorkingCalendar,
               entry: GapEntry | None = None) -> list[date]:
    return sorted(calendar.on_or_before(lapses_on - timedelta(days=o)) for o in _offsets(settings, entry))


def first_send_day(lapses_on: date, settings: Settings, calendar: WorkingCalendar,
                   entry: GapEntry | None = None) -> date | None:
    return next(iter(_send_days(lapses_on, settings, calendar, entry)), None)


def first_warn_on(entry: GapEntry | None, settings: Settings, calendar: WorkingCalendar) -> date | None:
    """The first send day of an entry at risk (whatever its horizon); None for any other entry."""
    if entry is None or entry.status != AT_RISK:
        return None
    return first_send_day(entry.lapses_on, settings, calendar, entry)


def live_gap_deadline(entry: GapEntry | None, *, today: date, settings: Settings) -> tuple[str, date] | None:
    """The gap deadline an entry keeps live: at risk within the lead time, with its lapse."""
    if entry is None or status_within(entry.status, entry.lapses_on, today=today,
                                      horizon_days=settings.gap_lead_days, risk_rule=entry.risk_rule) != AT_RISK:
        return None
    return (strategy_deadline_key(entry.strategy_id, GAP_DEADLINE), entry.lapses_on)


def cancel_stale_warnings(
    session: Session, entries: Mapping[int, GapEntry | None], *, everything: bool, today: date, settings: Settings,
    now: datetime,
) -> int:
    """Cancel the pending gap warnings of ``entries``'s strategies (of every strategy when
    ``everything``, ``entries`` then holding them all) that their entry no longer keeps live."""
    live = {deadline for entry in entries.values()
            if (deadline := live_gap_deadline(entry, today=today, settings=settings)) is not None}
    return ledger.cancel_stale(session, live, kinds={GAP_DEADLINE}, now=now,
                               strategy_ids=None if everything else set(entries))


def details_of(entry: GapEntry) -> dict[str, Any]:
    return {
        "successor_id": entry.successor_id,
        "successor_title": entry.successor_title,
        "successor_stage": entry.successor_stage,
        "projected_successor_approval": entry.projected_successor_approval.isoformat()
        if entry.projected_successor_approval
        else None,
        "projection_basis": entry.projection_basis,
        "projected_successor_approval_upper": entry.projected_successor_approval_upper.isoformat()
        if entry.projected_successor_approval_upper
        else None,
        "risk_rule": entry.risk_rule,
        "statement": {language: list(risk_statement(entry, language)) for language in LANGUAGES},
    }


@dataclass(frozen=True)
class _Due:
    strategy_id: int
    lapses_on: date
    warn_on: date
    entry: dict[str, Any]


def warn_due(
    session: Session, *, now: datetime, today: date, settings: Settings, calendar: WorkingCalendar,
    book: RecipientBook | None = None,
) -> int:
    """Record the gap warnings whose send day has come; returns the ledger rows recorded."""
    day = sending_day(now, settings.zone, settings.send_hour)
    due_rows = [_Due(*row) for row in session.execute(
        select(col(GapReportRow.strategy_id), col(GapReportRow.lapses_on), col(GapReportRow.warn_on),
               col(GapReportRow.entry))
        .where(col(GapReportRow.warn_on) <= day, col(GapReportRow.status) == AT_RISK,
               col(GapReportRow.lapses_on) >= day,
               (col(GapReportRow.lapses_on) <= today + timedelta(days=settings.gap_lead_days))
               | (col(GapReportRow.risk_rule) == PIPELINE))
        .order_by(col(GapReportRow.strategy_id))
    )]
    if not due_rows:
        return 0
    ids = [row.strategy_id for row in due_rows]
    leads = dict(session.execute(
        select(col(Strategy.id), col(Strategy.lead_institution_id)).where(col(Strategy.id).in_(ids))
    ).all())
    book = book or RecipientBook(session)
    book.load(leads.values())
    intended, entries, moves = [], {}, []
    for row in due_rows:
        deadline = Deadline(strategy_deadline_key(row.strategy_id, GAP_DEADLINE), GAP_DEADLINE, row.strategy_id,
                            row.lapses_on)
        judged = entry_of(row.entry)
        due = due_gap_warning(deadline, _offsets(settings, judged), day, calendar)
        ahead = [d for d in _send_days(row.lapses_on, settings, calendar, judged) if d > day]
        contacts = book.recipients(leads[row.strategy_id], escalate=True) if row.strategy_id in leads else []
        if due is not None and not contacts:
            continue  # nobody to warn yet: stays due, so the warning goes out once someone is recorded
        moves.append({"sid": row.strategy_id, "seen": row.warn_on, "next": ahead[0] if ahead else None})
        if due is None:
            continue
        entry = entries[row.strategy_id] = judged
        send_after = send_instant(due.send_on, settings.zone, settings.send_hour)
        intended.append(ledger.Intended(due, contacts, send_after, details_of(entry)))
    created = ledger.record_many(session, intended, now=now)
    recorded = _announce_warnings(session, created, intended, entries, now=now)
    table = GAP_REPORT_ROWS
    if moves:
        session.execute(
            update(table).where(table.c.strategy_id == bindparam("sid"), table.c.warn_on == bindparam("seen"))
            .values(warn_on=bindparam("next")).execution_options(synchronize_session=False),
            moves,
        )
    return recorded


def _announce_warnings(
    session: Session, created: list[int], intended: list[ledger.Intended], entries: dict[int, GapEntry], *,
    now: datetime,
) -> int:
    """One ``gap_warning`` event per strategy whose warning was recorded for someone."""
    if not created:
        return 0
    counts: Counter[int] = Counter()
    for start in range(0, len(created), 1_000):
        counts.update(dict(session.execute(
            select(col(Notification.strategy_id), func.count())
            .where(col(Notification.id).in_(created[start:start + 1_000]))
            .group_by(col(Notification.strategy_id))
        ).all()))
    events = [
        {"type": "gap_warning", "strategy_id": strategy_id, "occurred_at": now, "payload": {
            "lapses_on": entries[strategy_id].lapses_on.isoformat(),
            "days_before": item.reminder.offset_days,
            "recipients": counts[strategy_id],
            **item.details,
        }}
        for item in intended
        if counts.get(strategy_id := item.reminder.deadline.strategy_id)
    ]
    for start in range(0, len(events), 1_000):
        record_events(session, events[start:start + 1_000])
    return len(created)
