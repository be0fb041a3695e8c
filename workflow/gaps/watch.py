"""The scheduler's view of gaps: keep today's gap report stored, announce each change of a gap
status once, warn before a lapse with no timely successor (``warnings``).

A pass costs what changed: ``prepare_gap_watch`` (before the pass's unit of work, in a short
session of its own) reads the outbox since the stored report's position and judges again only
the areas the changes touch, or everything once a day (``refresh``); ``watch_gaps`` (in the unit
of work) then writes only the rows that differ, announces and cancels for those strategies only,
and records the warnings whose send day has come. When the pass says nothing changed, the watch
issues no statement at all (``refresh.idle``); a caller that says nothing reads the state row, the
feed since its position and the warnings due: four statements, whatever the size of the portfolio.

Statuses are announced as the watch sees them, with ``gap_lead_days`` as the horizon: a change is
recorded once in ``gap_watch`` and announced as a ``gap_status_changed`` event (an entry gone is
``resolved``). Two passes at once: the stored report is written only over the state version the
pass read (the other pass's write stands, and what it missed is judged again next pass), and each
move in ``gap_watch`` is a conditional write, so a change is announced once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from workflow.calendar import WorkingCalendar
from workflow.core import Settings, insert_ignoring_conflict, record_events
from workflow.directory import RecipientBook
from workflow.gaps.models import GAP_REPORT_ROWS, GAP_WATCH, GapReportRow, GapReportState, GapWatch
from workflow.gaps.refresh import GapRefresh, StrategyChanges, read_refresh, refresh_in
from workflow.gaps.rules import AT_RISK, GapEntry
from workflow.gaps.stored import (
    STATE_ID,
    StatusCounts,
    StoredRow,
    entry_of,
    settings_fingerprint,
    status_within,
    watch_fingerprint,
)
from workflow.gaps.warnings import GAP_DEADLINE, cancel_stale_warnings, first_send_day, first_warn_on, warn_due

RESOLVED = "resolved"
_EVENTS_PER_INSERT = 1_000  # announcements written a thousand to an INSERT (four values each)
__all__ = ["GAP_DEADLINE", "RESOLVED", "GapWatchResult", "prepare_gap_watch", "watch_gaps"]


@dataclass(frozen=True)
class GapWatchResult:
    recorded: int = 0  # gap-warning ledger rows recorded
    changes: int = 0  # gap status changes announced
    cancelled: int = 0  # pending gap warnings cancelled
    judged: str = "nothing"  # "everything", or how many areas were judged again


def prepare_gap_watch(
    engine: Engine, *, today: date, settings: Settings, changes: StrategyChanges | None = None
) -> GapRefresh:
    """What changed, judged again, read in a short session of its own and computed with no
    connection held: call before the unit of work, and hand the result to ``watch_gaps``."""
    return read_refresh(engine, today=today, settings=settings, changes=changes)


def watch_gaps(
    session: Session,
    *,
    now: datetime,
    today: date,
    settings: Settings,
    calendar: WorkingCalendar,
    changes: StrategyChanges | None = None,
    prepared: GapRefresh | None = None,
    book: RecipientBook | None = None,
) -> GapWatchResult:
    """Store what changed of today's gap report, announce status changes, cancel warnings no longer
    live and record those due, in the caller's unit of work.

    ``prepared`` is ``prepare_gap_watch``'s result (then this only writes, and reads what is due);
    without it the changes are read and judged here, in ``session``. ``book``: the pass's recipients."""
    refresh = prepared or refresh_in(session, today=today, settings=settings, changes=changes)
    return _watch(session, now=now, today=today, settings=settings, calendar=calendar, refresh=refresh, book=book)


def _watch(
    session: Session, *, now: datetime, today: date, settings: Settings, calendar: WorkingCalendar,
    refresh: GapRefresh, book: RecipientBook | None,
) -> GapWatchResult:
    if refresh.idle:
        return GapWatchResult()
    fingerprint = watch_fingerprint(settings, calendar)
    rewatch = refresh.seen is None or refresh.seen.watch_fingerprint != fingerprint
    changes_announced = cancelled = 0
    changed = [row for strategy_id, row in refresh.rows.items() if refresh.before.get(strategy_id) != row]
    gone = sorted(set(refresh.before) - set(refresh.rows))
    if (refresh.moved or rewatch) and _claim(session, refresh, settings, fingerprint,
                                             _counts(refresh, changed, gone, settings), now):
        written = _write_rows(session, refresh, changed, gone, settings, calendar, rewarn=rewatch)
        everything = refresh.full or rewatch
        watched = _all_entries(session, refresh) if everything else written
        changes_announced = announce(session, watched, everything=everything, today=today, settings=settings,
                                     now=now)
        cancelled = cancel_stale_warnings(session, watched, everything=everything, today=today, settings=settings,
                                          now=now)
        if rewatch and refresh.seen is not None:  # else every row was just written, from its first send day
            _rewarn(session, settings, calendar)
    recorded = warn_due(session, now=now, today=today, settings=settings, calendar=calendar, book=book)
    judged = "everything" if refresh.full else f"{len(refresh.areas or ())} area(s)"
    return GapWatchResult(recorded, changes_announced, cancelled, judged)


def _counts(refresh: GapRefresh, changed: list[StoredRow], gone: list[int], settings: Settings) -> StatusCounts:
    """The entries per status at the default horizon once the rows are written."""
    horizon = settings.gap_horizon_days
    if refresh.full or refresh.seen is None:
        return StatusCounts.counted((row.entry for row in refresh.rows.values()), today=refresh.today,
                                    horizon_days=horizon)
    before = [row.entry for strategy_id in [r.strategy_id for r in changed] + gone
              if (row := refresh.before.get(strategy_id)) is not None]
    return refresh.seen.counts.moved(before, [row.entry for row in changed], today=refresh.today,
                                     horizon_days=horizon)


def _claim(session: Session, refresh: GapRefresh, settings: Settings, fingerprint: str, counts: StatusCounts,
           now: datetime) -> bool:
    """Write the state over the version read; False when another pass wrote it meanwhile."""
    values = {
        "as_of": refresh.today,
        "computed_at": now,
        "events_through": refresh.events_through,
        "events_through_tx": refresh.events_through_tx,
        **({"typical": refresh.typical.json()} if refresh.typical is not None else {}),
        "counts": counts.json(),
        "settings_fingerprint": settings_fingerprint(settings),
        "watch_fingerprint": fingerprint,
    }
    seen = refresh.seen
    if seen is None:
        inserted = insert_ignoring_conflict(session, GapReportState, {"id": STATE_ID, "version": 1, **values},
                                            unique=["id"], returning=GapReportState.id)
        return inserted is not None
    result = session.exec(
        update(GapReportState)
        .where(col(GapReportState.id) == STATE_ID, col(GapReportState.version) == seen.version)
        .values(version=seen.version + 1, **values)
    )
    return result.rowcount == 1


def _write_rows(
    session: Session, refresh: GapRefresh, changed: list[StoredRow], gone: list[int], settings: Settings,
    calendar: WorkingCalendar, *, rewarn: bool,
) -> dict[int, GapEntry | None]:
    """Upsert the rows judged differently than stored, delete those of strategies gone; returns the
    new entries of the strategies written."""
    values = [_columns(row, refresh.before.get(row.strategy_id), settings, calendar, rewarn) for row in changed]
    if values:  # one statement compiled once, run for every row (executemany), on the table, not the ORM
        statement = _insert(session)(GAP_REPORT_ROWS)
        session.execute(statement.on_conflict_do_update(
            index_elements=["strategy_id"],
            set_={name: statement.excluded[name] for name in values[0] if name != "strategy_id"},
        ), values)
    if gone:
        session.execute(delete(GapReportRow).where(col(GapReportRow.strategy_id).in_(gone)))
    written: dict[int, GapEntry | None] = {row.strategy_id: row.entry for row in changed}
    return written | dict.fromkeys(gone)


def _insert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def _columns(
    row: StoredRow, before: StoredRow | None, settings: Settings, calendar: WorkingCalendar, rewarn: bool
) -> dict[str, Any]:
    """The row's columns; ``warn_on`` carried over while it stays at risk with the same lapse."""
    entry, old = row.entry, before.entry if before is not None else None
    keep = (not rewarn and entry is not None and old is not None and entry.status == old.status == AT_RISK
            and entry.lapses_on == old.lapses_on)
    warn_on = before.warn_on if keep and before is not None else first_warn_on(entry, settings, calendar)
    return {**row.columns(), "warn_on": warn_on}


def _all_entries(session: Session, refresh: GapRefresh) -> dict[int, GapEntry | None]:
    """Every strategy's entry: those just judged, or (judged by areas) as stored now."""
    if refresh.full:
        return {strategy_id: row.entry for strategy_id, row in refresh.rows.items()}
    rows = session.execute(select(col(GapReportRow.strategy_id), col(GapReportRow.entry)))
    return {strategy_id: entry_of(entry) if entry is not None else None for strategy_id, entry in rows}


def _rewarn(session: Session, settings: Settings, calendar: WorkingCalendar) -> None:
    """Send days moved (calendar, offsets, lead time): every row at risk starts from its first one again."""
    rows = session.execute(select(col(GapReportRow.strategy_id), col(GapReportRow.lapses_on), col(GapReportRow.entry))
                           .where(col(GapReportRow.status) == AT_RISK))
    moves = [{"sid": strategy_id, "warn": first_send_day(lapses_on, settings, calendar,
                                                         entry_of(entry) if entry is not None else None)}
             for strategy_id, lapses_on, entry in rows]
    if moves:
        table = GAP_REPORT_ROWS
        session.execute(update(table).where(table.c.strategy_id == bindparam("sid")).values(warn_on=bindparam("warn")),
                        moves)


def _lead_status(entry: GapEntry | None, today: date, settings: Settings) -> str | None:
    if entry is None:
        return None
    return status_within(entry.status, entry.lapses_on, today=today, horizon_days=settings.gap_lead_days,
                         risk_rule=entry.risk_rule)


def announce(
    session: Session, entries: Mapping[int, GapEntry | None], *, everything: bool, today: date, settings: Settings,
    now: datetime,
) -> int:
    """Record each strategy's status (None: no entry, ``resolved`` once announced) in ``gap_watch``
    and announce each change once. ``everything``: ``entries`` holds every strategy, and a status
    recorded for one not among them is resolved too."""
    query = select(col(GapWatch.strategy_id), col(GapWatch.status))
    known: dict[int, str] = {}
    if everything:
        known = dict(session.execute(query).all())
    else:
        ids = sorted(entries)
        for start in range(0, len(ids), 1_000):
            known |= dict(session.execute(query.where(col(GapWatch.strategy_id).in_(ids[start:start + 1_000])))
                          .all())
    moves: list[tuple[int, str | None, str, GapEntry | None]] = []
    for strategy_id, entry in entries.items():
        status = _lead_status(entry, today, settings)
        old = known.get(strategy_id)
        if status is None:
            if old is not None and old != RESOLVED:
                moves.append((strategy_id, old, RESOLVED, None))
        elif old != status:
            moves.append((strategy_id, old, status, entry))
    if everything:
        moves += [(strategy_id, old, RESOLVED, None) for strategy_id, old in known.items()
                  if strategy_id not in entries and old != RESOLVED]
    return _move_all(session, moves, now)


def _move_all(session: Session, moves: Sequence[tuple[int, str | None, str, GapEntry | None]], now: datetime) -> int:
    """Conditional writes: only the pass that still sees the old status records each move."""
    first = [{"strategy_id": sid, "status": new, "changed_at": now} for sid, old, new, _ in moves if old is None]
    won: set[int] = set()
    if first:  # INSERT .. ON CONFLICT DO NOTHING RETURNING for every row, batched by SQLAlchemy (insertmanyvalues)
        table = GAP_WATCH
        won = set(session.scalars(
            _insert(session)(table).on_conflict_do_nothing(index_elements=["strategy_id"])
            .returning(table.c.strategy_id),
            first,
        ))
    announced = []
    for strategy_id, old, new, entry in moves:
        if old is not None:
            result = session.exec(
                update(GapWatch)
                .where(col(GapWatch.strategy_id) == strategy_id, col(GapWatch.status) == old)
                .values(status=new, changed_at=now)
            )
            if result.rowcount != 1:
                continue
        elif strategy_id not in won:
            continue
        payload: dict[str, Any] = {"from": old, "to": new}
        if entry is not None:
            payload |= {"lapses_on": entry.lapses_on.isoformat(), "successor_id": entry.successor_id,
                        "gap_days": entry.gap_days}
        announced.append({"type": "gap_status_changed", "strategy_id": strategy_id, "payload": payload,
                          "occurred_at": now})
    for start in range(0, len(announced), _EVENTS_PER_INSERT):
        record_events(session, announced[start:start + _EVENTS_PER_INSERT])
    return len(announced)
