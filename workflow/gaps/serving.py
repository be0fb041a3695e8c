"""Reading the gap report a page at a time: from the stored rows when they can answer, else computed.

**Today's report** (``as_of`` today, everything known) comes from ``gap_report_entries``, paged in
the database by ``sort_key`` (the report's order) with per-status totals, the horizon applied as
it is read (``stored.status_within``). To stay exact right after a write (a strategy created and
the report read at once, with no pass in between), the events after the stored position are read
too (every one this read sees, ``refresh.named_after``): the areas they touch are left out of the
stored page and judged again in memory, from those areas alone and the stored stage history,
and merged in. A read writes nothing. When there are
no stored rows for today with these settings (no pass yet today), or the feed is too far ahead of
them (``OVERLAY_EVENTS``), the report is computed as before: the deployment read in a short
session, judged with no connection held, then paged in memory.

**Another day, or as known on an earlier day**, is an analysis, computed on demand. With a
``policy_area`` only that area is read (with the links ``scoped`` follows out of it), and the
stage history comes from the deployment's stage changes alone (``scoped.read_typical``): the
same history as a full report's, so an area's entries are those of the full report.

Either way the page is the same: items after the cursor (the last item's ``sort_key``), in the
report's order, at most ``limit``, and the totals of everything matching the filters. With
``order="risk"`` the order is by gap risk, highest first (``stored.risk_key``, the cursor too).

An entry at risk by the pipeline rule stays at risk whatever the horizon; one at risk by the
horizon rule only within it (``stored.status_within``), in the stored rows' filters as in memory.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, case, func, select
from sqlmodel import Session, col

from workflow.core import Settings, new_session
from workflow.gaps.durations import StageHistory
from workflow.gaps.forecast import PIPELINE
from workflow.gaps.history import StrategySnapshot, snapshots_known_on
from workflow.gaps.models import GapReportRow
from workflow.gaps.queries import load_snapshots, typical_days
from workflow.gaps.refresh import StateSeen, current_for, named_after, read_history, read_state
from workflow.gaps.rules import AT_RISK, OK, STATUSES, GapAssessment, GapEntry
from workflow.gaps.scoped import areas_touched, load_areas, read_typical
from workflow.gaps.stored import UNBOUNDED, at_horizon, entry_of, risk_key, sort_key
from workflow.lifecycle import Strategy

OVERLAY_EVENTS = 2_000  # events past the stored position beyond which a read computes instead


@dataclass(frozen=True)
class GapQuery:
    """What a report is about: the day, the horizon, what was known (None: everything), the filters."""

    as_of: date
    horizon_days: int
    known_on: date | None = None
    policy_area: str | None = None
    kind: str | None = None
    status: str | None = None
    order: str = "report"  # or "risk": by gap risk, highest first

    def key(self, entry: GapEntry) -> str:
        return risk_key(entry) if self.order == "risk" else sort_key(entry)


@dataclass(frozen=True)
class GapPage:
    items: list[GapEntry]
    next_cursor: str | None  # the ``sort_key`` to continue after; None on the last page
    total: int  # entries matching every filter, on all pages
    by_status: dict[str, int]  # entries matching every filter but ``status``, per status
    source: str  # "stored", "stored+N areas" or "computed": how it was answered


def gap_page(
    engine: Engine, query: GapQuery, *, today: date, settings: Settings, limit: int | None, after: str | None = None
) -> GapPage:
    """One page of the report (``limit`` None: all of it), after the cursor ``after``."""
    if query.as_of == today and (query.known_on is None or query.known_on >= today):
        stored = _from_stored(engine, query, today=today, settings=settings, limit=limit, after=after)
        if stored is not None:
            return stored
    return _computed(engine, query, today=today, settings=settings, limit=limit, after=after)


def gap_entries(engine: Engine, query: GapQuery, *, today: date, settings: Settings) -> list[GapEntry]:
    """The whole report, in its order."""
    return gap_page(engine, query, today=today, settings=settings, limit=None).items


def _wanted(entry: GapEntry, query: GapQuery, *, status: bool = True) -> bool:
    return ((query.policy_area is None or entry.policy_area == query.policy_area)
            and (query.kind is None or entry.kind == query.kind)
            and (not status or query.status is None or entry.status == query.status))


def _page_of(ordered: Sequence[tuple[str, GapEntry]], query: GapQuery, limit: int | None, after: str | None,
             counts: Counter[str], source: str) -> GapPage:
    """``ordered`` (key, entry) pairs matching every filter, in order; ``counts`` per status ignoring ``status``."""
    start = bisect.bisect_right([key for key, _ in ordered], after) if after is not None else 0
    chosen = ordered[start:] if limit is None else ordered[start:start + limit]
    more = limit is not None and start + limit < len(ordered)
    total = counts[query.status] if query.status is not None else sum(counts.values())
    return GapPage([entry for _, entry in chosen], chosen[-1][0] if more and chosen else None, total,
                   {status: counts[status] for status in STATUSES}, source)


def _ordered(entries: Iterable[GapEntry], query: GapQuery) -> tuple[list[tuple[str, GapEntry]], Counter[str]]:
    counts: Counter[str] = Counter()
    ordered = []
    for entry in entries:
        if not _wanted(entry, query, status=False):
            continue
        counts[entry.status] += 1
        if query.status is None or entry.status == query.status:
            ordered.append((query.key(entry), entry))
    ordered.sort(key=lambda pair: pair[0])
    return ordered, counts


def _computed(engine: Engine, query: GapQuery, *, today: date, settings: Settings, limit: int | None,
              after: str | None) -> GapPage:
    known_on = query.known_on if query.known_on is not None and query.known_on < today else None
    with new_session(engine) as session:
        if query.policy_area is None:
            snapshots = load_snapshots(session, zone=settings.zone)
            typical = None
        else:
            snapshots = load_areas(session, zone=settings.zone, areas={query.policy_area}, known_on=known_on)
            typical = read_typical(session, as_of=query.as_of, known_on=known_on, defaults=typical_days(settings))
    assessment = GapAssessment(snapshots_known_on(snapshots, known_on), as_of=query.as_of,
                               default_days=typical_days(settings), typical=typical)
    ordered, counts = _ordered(assessment.entries(query.horizon_days, query.policy_area), query)
    return _page_of(ordered, query, limit, after, counts, "computed")


@dataclass(frozen=True)
class _StoredRead:
    state: StateSeen
    judged: frozenset[str]  # areas judged again in memory (their stored rows left out)
    snapshots: list[StrategySnapshot]
    rows: list[tuple[str, dict[str, Any]]]
    counts: Counter[str]
    history: StageHistory | None  # the stored stage history, read only when areas are judged again


def _from_stored(engine: Engine, query: GapQuery, *, today: date, settings: Settings, limit: int | None,
                 after: str | None) -> GapPage | None:
    with new_session(engine) as session:
        state = read_state(session, with_history=False)
        if state is None or not current_for(state, today=today, settings=settings):
            return None
        named = named_after(session, state.events_through, state.events_through_tx, limit=OVERLAY_EVENTS)
        if named is None:
            return None
        touched = frozenset(areas_touched(session, named)) if named else frozenset()
        judged = touched if query.policy_area is None else touched & {query.policy_area}
        rows, counts = _stored_page(session, query, state, today=today, limit=limit, after=after, leave_out=touched)
        history = read_history(session) if judged else None
        read = _StoredRead(state, judged, load_areas(session, zone=settings.zone, areas=judged), rows, counts, history)
    stored = [(key, at_horizon(entry_of(values), today=today, horizon_days=query.horizon_days))
              for key, values in read.rows]
    if not judged:
        return _merged(stored, [], query, read.counts, limit, after, "stored")
    assessment = GapAssessment(read.snapshots, as_of=today, default_days=typical_days(settings), typical=read.history)
    fresh = [at_horizon(e, today=today, horizon_days=query.horizon_days)
             for e in assessment.entries(UNBOUNDED, policy_areas=judged)]
    ordered, counts = _ordered(fresh, query)
    return _merged(stored, ordered, query, read.counts + counts, limit, after, f"stored+{len(judged)} areas")


def _merged(stored: list[tuple[str, GapEntry]], fresh: list[tuple[str, GapEntry]], query: GapQuery,
            counts: Counter[str], limit: int | None, after: str | None, source: str) -> GapPage:
    """The stored page (already after the cursor) and the entries judged again, merged in order."""
    later = [pair for pair in fresh if after is None or pair[0] > after]
    merged = sorted(stored + later, key=lambda pair: pair[0])
    return _page_of(merged if limit is None else merged[:limit + 1], query, limit, None, counts, source)


def _stored_page(session: Session, query: GapQuery, state: StateSeen, *, today: date, limit: int | None,
                 after: str | None, leave_out: frozenset[str]) -> tuple[list[tuple[str, dict[str, Any]]], Counter[str]]:
    """Up to ``limit`` + 1 stored entries after ``after``, and the totals per status, as a report with
    the query's horizon reads them, the areas ``leave_out`` left out.

    The whole report at the default horizon takes its totals from the state row, less those of the
    areas left out (counted, by the area index); any other query counts its rows."""
    cutoff = today + timedelta(days=query.horizon_days)
    row = GapReportRow
    key = col(row.risk_key) if query.order == "risk" else col(row.sort_key)
    filters: list[ColumnElement[bool]] = [col(row.sort_key).is_not(None)]
    if query.policy_area is not None:
        filters.append(col(row.policy_area) == query.policy_area)
    if query.kind is not None:
        filters.append(col(row.kind) == query.kind)
    kept = state.counts
    if query.policy_area is None and query.kind is None and kept.horizon_days == query.horizon_days:
        counts = Counter(kept.by_status)
        if leave_out:
            counts.subtract(_counted(session, [*filters, col(row.policy_area).in_(sorted(leave_out))], cutoff))
    else:
        counts = _counted(session, [*filters, col(row.policy_area).not_in(sorted(leave_out))] if leave_out
                          else filters, cutoff)
    if leave_out:
        filters.append(col(row.policy_area).not_in(sorted(leave_out)))
    within = (col(row.lapses_on) <= cutoff) | (col(row.risk_rule) == PIPELINE)
    if query.status == AT_RISK:
        filters += [col(row.status) == AT_RISK, within]
    elif query.status == OK:
        filters.append((col(row.status) == OK) | ((col(row.status) == AT_RISK) & ~within))
    elif query.status is not None:
        filters.append(col(row.status) == query.status)
    page = select(key, col(row.entry)).where(*filters).order_by(key)
    if after is not None:
        page = page.where(key > after)
    if limit is not None:
        page = page.limit(limit + 1)
    return [(key, values) for key, values in session.execute(page)], counts


def _counted(session: Session, filters: list[ColumnElement[bool]], cutoff: date) -> Counter[str]:
    """The stored entries matching ``filters`` per status, at risk only up to ``cutoff``."""
    row = GapReportRow
    beyond = func.sum(case(((col(row.lapses_on) > cutoff) & (func.coalesce(col(row.risk_rule), "") != PIPELINE), 1),
                           else_=0))
    counts: Counter[str] = Counter()
    for status, n, late in session.execute(
        select(col(row.status), func.count(), beyond).where(*filters).group_by(col(row.status))
    ):
        if status == AT_RISK:
            counts[AT_RISK] += n - late
            counts[OK] += late
        else:
            counts[status] += n
    return counts


@dataclass(frozen=True)
class Labels:
    """What a page shows beside an entry or a deadline: the document's title, kind and lead."""

    title: str
    kind: str
    lead_institution_id: int | None


def labels_of(session: Session, strategy_ids: Iterable[int]) -> dict[int, Labels]:
    """The labels of these strategies (a thousand a statement), instead of reading every snapshot."""
    ids = sorted(set(strategy_ids))
    found: dict[int, Labels] = {}
    for start in range(0, len(ids), 1_000):
        rows = session.execute(
            select(col(Strategy.id), col(Strategy.title), col(Strategy.kind), col(Strategy.lead_institution_id))
            .where(col(Strategy.id).in_(ids[start:start + 1_000]))
        )
        found |= {strategy_id: Labels(title, kind, lead) for strategy_id, title, kind, lead in rows}
    return found
