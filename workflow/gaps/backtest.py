"""The backtest: the gap rules replayed month by month over the deployment's own history, each month
with only what was known then, against what really happened. Pure, ``today`` passed in
(``read_backtest`` reads; the CLI's ``continuum backtest`` and ``GET /gaps/backtest`` both call it).

**Months.** Each month from ``start`` to ``end`` (``YYYY-MM``) is judged on its last day M (up to
yesterday), with the record as known on M (``history.snapshots_known_on``) and the gap rules of the
day (pipeline and horizon, ``horizon_days``).

**Lapses.** Every strategy or standalone action plan whose interval in force, as recorded today,
ended on a day L within the months replayed (an action plan inside a strategy lapses with it or is
covered by its siblings: its strategy's entry carries the risk). For each: the first month whose
entry was ``at_risk`` (up to L), the lead time (days from that month's last day to L), whether
a gap followed (its successor, as recorded today, not in force on L + 1), and, for a successor
approved since, the forecast error of its approval at 12, 6 and 3 months before the real approval
(the month-end on or before that day; forecast median less the real day, in days: negative is
early) and whether the real day fell within the forecast's range (lower to upper quantile).
"""

from __future__ import annotations

import calendar
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Engine

from workflow.core import Settings, new_session
from workflow.gaps.entry import AT_RISK, GapEntry
from workflow.gaps.history import StrategySnapshot, snapshots_known_on
from workflow.gaps.queries import load_snapshots, typical_days
from workflow.gaps.rules import GapAssessment, is_standalone
from workflow.lifecycle import Stage

LOOKBACKS = (12, 6, 3)  # months before the real approval at which the forecast is scored
ONE_DAY = timedelta(days=1)


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _minus_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@dataclass(frozen=True)
class Scored:
    """The forecast of a successor's approval at some months before the real one."""

    months_before: int
    month: date
    forecast: date | None
    upper: date | None
    error_days: int | None  # forecast median less the real approval; None: nothing forecast then
    within: bool | None  # the real approval within [lower, upper]
    lower: date | None = None


@dataclass(frozen=True)
class LapseResult:
    strategy_id: int
    title: str
    policy_area: str
    lapses_on: date
    gap: bool
    first_flagged: date | None  # the month-end of the first month at risk, up to the lapse
    lead_days: int | None
    first_rule: str | None
    successor_id: int | None
    successor_approved_on: date | None
    scored: tuple[Scored, ...]


@dataclass(frozen=True)
class Backtest:
    start: date
    end: date
    lapses: tuple[LapseResult, ...]

    @property
    def gaps(self) -> list[LapseResult]:
        return [lapse for lapse in self.lapses if lapse.gap]

    def summary(self) -> str:
        gaps = self.gaps
        warned = [g for g in gaps if g.lead_days is not None]
        leads = [g.lead_days for g in warned if g.lead_days is not None]
        false_alarms = sum(1 for lapse in self.lapses if not lapse.gap and lapse.first_flagged is not None)
        parts = [
            f"{len(self.lapses)} lapses, {len(gaps)} into a gap; {len(warned)} of {len(gaps)} gaps flagged before "
            f"the lapse" + (f", median lead {statistics.median(leads):.0f} days" if leads else ""),
            f"{false_alarms} flagged lapses covered in time",
        ]
        for months in LOOKBACKS:
            errors = [s.error_days for lapse in self.lapses for s in lapse.scored
                      if s.months_before == months and s.error_days is not None]
            held = sum(1 for lapse in self.lapses for s in lapse.scored if s.months_before == months and s.within)
            if errors:
                parts.append(f"{months} months before approval: median error {statistics.median(errors):+.0f} days, "
                             f"range held {held} of {len(errors)}")
        return "; ".join(parts)


def month_of(text: str) -> date:
    """``YYYY-MM`` as the first day of that month; ``ValueError`` otherwise."""
    year, _, month = text.partition("-")
    if len(year) != 4 or len(month) != 2 or not (year + month).isdigit() or not 1 <= int(month) <= 12:
        raise ValueError(f"expected YYYY-MM, not {text!r}")
    return date(int(year), int(month), 1)


def _month(day: date | None) -> str:
    return f"{day:%Y-%m}" if day is not None else "never"


def lapse_lines(backtest: Backtest) -> list[tuple[str, ...]]:
    """One row per lapse: what the CLI prints and the README shows."""
    rows = []
    for lapse in backtest.lapses:
        errors = {s.months_before: s for s in lapse.scored}
        scored = []
        for months in LOOKBACKS:
            s = errors.get(months)
            scored.append("-" if s is None or s.error_days is None
                          else f"{s.error_days:+d}" + ("" if s.within else "*"))
        rows.append((
            str(lapse.strategy_id), lapse.title, lapse.lapses_on.isoformat(), "gap" if lapse.gap else "covered",
            _month(lapse.first_flagged), f"{lapse.lead_days}" if lapse.lead_days is not None else "-",
            lapse.first_rule or "-",
            lapse.successor_approved_on.isoformat() if lapse.successor_approved_on else "-", *scored,
        ))
    return rows


BACKTEST_COLUMNS = ("id", "title", "lapsed", "outcome", "first flagged", "lead days", "rule", "successor approved",
                    "error 12m", "error 6m", "error 3m")


def _months(start: date, end: date) -> list[date]:
    found, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        found.append(month_end(year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def _lapses(now: GapAssessment, start: date, end: date, policy_area: str | None) -> list[tuple[int, date]]:
    found = []
    for state in now.states:
        snapshot = state.snapshot
        interval = state.in_force
        if interval is None or not start <= interval.end <= end or interval.end >= now.as_of:
            continue
        if policy_area is not None and snapshot.policy_area != policy_area:
            continue
        if snapshot.kind == "action_plan" and not is_standalone(snapshot):
            continue
        found.append((state.id, interval.end))
    return sorted(found, key=lambda pair: (pair[1], pair[0]))


def run_backtest(
    snapshots: Sequence[StrategySnapshot], *, today: date, start: date, end: date, horizon_days: int,
    default_days: Mapping[Stage, int], policy_area: str | None = None,
) -> Backtest:
    """Replay the months ``start`` to ``end`` (days within them; up to yesterday) and score each lapse."""
    last = min(month_end(end.year, end.month), today - ONE_DAY)
    now = GapAssessment(snapshots, as_of=today, default_days=default_days)
    lapses = _lapses(now, start.replace(day=1), last, policy_area)
    months = [m for m in _months(start, last) if m <= last]
    wanted = {strategy_id for strategy_id, _ in lapses}
    seen: dict[int, dict[date, GapEntry]] = {strategy_id: {} for strategy_id in wanted}
    for month in months:
        assessment = GapAssessment(snapshots_known_on(snapshots, month), as_of=month, default_days=default_days)
        for state in assessment.states:
            if state.id in wanted:
                entry = assessment.entry(state, horizon_days)
                if entry is not None:
                    seen[state.id][month] = entry
    results = []
    for strategy_id, lapse in lapses:
        state = now.by_id[strategy_id]
        successor = now.successor_of(state)
        entries = seen[strategy_id]
        flagged = next(((m, e) for m, e in sorted(entries.items()) if m <= lapse and e.status == AT_RISK), None)
        covered = successor is not None and successor.approved and successor.in_force_on(lapse + ONE_DAY)
        other = now.entry(state, horizon_days)
        gap = not covered and (other is None or other.status != "covered")
        approved = successor.approved_on if successor is not None and successor.approved else None
        results.append(LapseResult(
            strategy_id, state.snapshot.title, state.snapshot.policy_area, lapse, gap,
            flagged[0] if flagged else None, (lapse - flagged[0]).days if flagged else None,
            flagged[1].risk_rule if flagged else None, successor.id if successor is not None else None, approved,
            _scored(entries, approved, months[0] if months else None) if approved is not None else (),
        ))
    return Backtest(start, last, tuple(results))


def _scored(entries: Mapping[date, GapEntry], approved: date, first: date | None) -> tuple[Scored, ...]:
    scored = []
    for months in LOOKBACKS:
        target = _minus_months(approved, months)
        month = max((m for m in entries if m <= target), default=None)
        if month is None or first is None or month < first:
            continue
        entry = entries[month]
        forecast, upper = entry.projected_successor_approval, entry.projected_successor_approval_upper
        lower = entry.projected_successor_approval_lower
        error = (forecast - approved).days if forecast is not None else None
        within = (lower or forecast) <= approved <= (upper or forecast) if forecast is not None else None
        scored.append(Scored(months, month, forecast, upper, error, within, lower))
    return tuple(scored)


def first_month(snapshots: Sequence[StrategySnapshot]) -> date:
    """The first month anything was recorded in: drafting starts and stage changes."""
    days = [d for s in snapshots for d in (s.drafting_started_on, *(r.effective_on for r in s.history[:1]))
            if d is not None]
    return min(days, default=date(2000, 1, 1)).replace(day=1)


def read_backtest(
    engine: Engine, *, today: date, settings: Settings, start: date | None = None, end: date | None = None,
    policy_area: str | None = None,
) -> Backtest:
    """The deployment read in a short session of its own (three statements), then replayed with no
    connection held; the months default to the first one recorded through this one."""
    with new_session(engine) as session:
        snapshots = load_snapshots(session, zone=settings.zone)
    return run_backtest(snapshots, today=today, start=start or first_month(snapshots), end=end or today,
                        horizon_days=settings.gap_lead_days, default_days=typical_days(settings),
                        policy_area=policy_area)
