"""Reporting periods and report due dates: pure calendar rules, no database, no clock.

Periods are calendar quarters, halves or years, labelled ``2025-Q3``, ``2025-H2`` and ``2025``.
A plan reports for every calendar period that overlaps its own period (a plan that starts on
2 May reports for the whole second quarter). A report is due ``due_days`` after its period
closes: the fourth quarter of 2025 with 30 days is due on 2026-01-30.

A cycle asks for at most ``MAX_CYCLE_YEARS`` calendar years of periods, counted from the year
of its first period: setting a cycle that would span more is refused (``cycles.set_cycle``),
and should a plan's period grow afterwards, periods past that bound are not asked for until the
cycle is set again from a later day. So a plan's periods, and the work every reading of them
does, stay bounded whatever period a strategy was given (200 quarters at most).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

QUARTERLY, SEMI_ANNUAL, ANNUAL = "quarterly", "semi_annual", "annual"
MONTHS_PER_PERIOD = {QUARTERLY: 3, SEMI_ANNUAL: 6, ANNUAL: 12}
DEFAULT_DUE_DAYS = 30
MAX_CYCLE_YEARS = 50
_LABEL = re.compile(r"^(?P<year>\d{4})(?:-(?P<kind>[QH])(?P<index>\d))?$")


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date
    due_on: date


def _label(frequency: str, year: int, index: int) -> str:
    if frequency == QUARTERLY:
        return f"{year}-Q{index}"
    if frequency == SEMI_ANNUAL:
        return f"{year}-H{index}"
    return str(year)


def _bounds(frequency: str, year: int, index: int) -> tuple[date, date]:
    months = MONTHS_PER_PERIOD[frequency]
    first_month = (index - 1) * months + 1
    start = date(year, first_month, 1)
    after = date(year + 1, 1, 1) if first_month + months > 12 else date(year, first_month + months, 1)
    return start, after - timedelta(days=1)


def period_containing(frequency: str, day: date, due_days: int = DEFAULT_DUE_DAYS) -> Period:
    if frequency not in MONTHS_PER_PERIOD:
        raise ValueError(f"unknown reporting frequency {frequency!r}")
    index = (day.month - 1) // MONTHS_PER_PERIOD[frequency] + 1
    start, end = _bounds(frequency, day.year, index)
    return Period(_label(frequency, day.year, index), start, end, end + timedelta(days=due_days))


def periods_between(frequency: str, first_day: date, last_day: date, due_days: int = DEFAULT_DUE_DAYS) -> list[Period]:
    """Every calendar period of ``frequency`` that overlaps ``first_day``..``last_day``, in order."""
    periods: list[Period] = []
    day = first_day
    while day <= last_day:
        period = period_containing(frequency, day, due_days)
        periods.append(period)
        day = period.end + timedelta(days=1)
    return periods


def parse_label(label: str, due_days: int = DEFAULT_DUE_DAYS) -> Period:
    """The period a label names; ``ValueError`` for anything else (``2025-Q5``, ``25-Q1``)."""
    match = _LABEL.match(label)
    if not match:
        raise ValueError(f"{label!r} is not a period label such as 2025-Q3, 2025-H2 or 2025")
    year = int(match["year"])
    kind, index = match["kind"], int(match["index"] or 1)
    frequency = {"Q": QUARTERLY, "H": SEMI_ANNUAL, None: ANNUAL}[kind]
    if not 1 <= index <= 12 // MONTHS_PER_PERIOD[frequency] or not 1900 <= year <= 2200:
        raise ValueError(f"{label!r} names no period")
    start, end = _bounds(frequency, year, index)
    return Period(label, start, end, end + timedelta(days=due_days))


def frequency_of(label: str) -> str:
    return QUARTERLY if "-Q" in label else SEMI_ANNUAL if "-H" in label else ANNUAL


def _first_day(frequency: str, starts_on: date, plan_start: date) -> date:
    """Where a cycle's periods begin: a period is asked for when it ends on or after ``starts_on``,
    so from the start of the period containing that day (or the plan's start, if later)."""
    return max(plan_start, period_containing(frequency, starts_on).start)


def cycle_span_years(frequency: str, starts_on: date, plan_start: date, plan_end: date) -> int:
    """Calendar years from the first period a cycle asks for to the plan's end (0: it asks for none)."""
    first = _first_day(frequency, starts_on, plan_start)
    return plan_end.year - first.year + 1 if first <= plan_end else 0


def reporting_window(frequency: str, starts_on: date, plan_start: date, plan_end: date) -> tuple[date, date] | None:
    """The days whose periods a cycle asks for, cut at ``MAX_CYCLE_YEARS`` calendar years; None when empty."""
    first = _first_day(frequency, starts_on, plan_start)
    last = min(plan_end, date(min(first.year + MAX_CYCLE_YEARS - 1, 9999), 12, 31))
    return (first, last) if first <= last else None


def reporting_periods(
    frequency: str, due_days: int, starts_on: date, plan_start: date, plan_end: date, *, year: int | None = None
) -> list[Period]:
    """The periods a plan is asked to report on: those overlapping the plan that end on or after
    ``starts_on`` (when the cycle was set up; earlier periods are not chased after the fact),
    within the cycle's bound. With ``year``, only those of that calendar year (periods never
    straddle two years), computed without walking the others."""
    window = reporting_window(frequency, starts_on, plan_start, plan_end)
    if window is not None and year is not None:
        window = (max(window[0], date(year, 1, 1)), min(window[1], date(year, 12, 31)))
    if window is None or window[0] > window[1]:
        return []
    return periods_between(frequency, window[0], window[1], due_days)
