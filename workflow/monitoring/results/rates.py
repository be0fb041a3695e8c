"""Results of a plan: pure calculations over plain values, so each rule is testable on paper.

Implementation rate (OECD/SIGMA, as used for Western Balkan strategies): of the measures
planned for a calendar year, the share implemented in it.

* Planned for year Y: the planned start..end overlaps Y.
* Implemented in Y: completed on or before 31 December of Y (completing ahead of schedule
  counts), or ongoing on schedule: status ``on_track``, or completed after Y while its plan ran
  beyond Y too (it was on schedule during Y).
* Cancelled measures stay in the denominator and are never implemented: a cancellation is a
  planned activity not delivered, and dropping them would let a plan raise its rate by
  cancelling what lags. ``cancelled`` is reported separately so the reader can see it.
* The status is the current one (as last accepted from a report or set by a coordinator), so
  the rate of a past year is exact only as far as statuses are kept current.

This is the SIGMA figure, computed exactly as defined, and it is final only for a calendar year
that is over. Two things keep the headline honest without bending the definition:

* A year that is still running is labelled "to date" (``year_complete`` is False): its rate
  stands at the as-of day, not at 31 December.
* Work carried over does not vanish. A measure whose planned end fell in an earlier year is not
  planned for this one, so SIGMA drops it from this year's count however late it is. Beside
  the rate stands ``delivery_by``: of every measure due by the as-of day (planned end on or
  before it, whatever year it started), how many were delivered (completed on or before it),
  the share as a second rate, and the measures past their planned end and not implemented,
  with those that ended before the year (outside its rate) marked as carried over. Cancelled
  measures count as due and not delivered there too, for the same reason as above.

Progress to target: ``(latest - baseline) / (target - baseline)``. Indicators are validated so
that the target lies on the indicator's side of the baseline (above for ``increase``, below for
``decrease``), which makes this one formula direction-aware. It is clamped to 0..1: a value
worse than the baseline is 0 ("regressed"), one at or past the target is 1 ("achieved").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

ONE, ZERO = Decimal(1), Decimal(0)
PERCENT = Decimal("0.1")


@dataclass(frozen=True)
class MeasureFacts:
    id: int
    planned_start: date
    planned_end: date
    status: str
    completed_on: date | None = None


@dataclass(frozen=True)
class ImplementationRate:
    year: int
    planned: int
    completed: int
    on_schedule: int
    cancelled: int
    implemented_ids: tuple[int, ...]
    not_implemented_ids: tuple[int, ...]

    @property
    def implemented(self) -> int:
        return self.completed + self.on_schedule

    @property
    def rate_percent(self) -> Decimal | None:
        """Implemented / planned, as a percentage to one decimal; None when nothing was planned."""
        if not self.planned:
            return None
        return (Decimal(100) * self.implemented / self.planned).quantize(PERCENT, ROUND_HALF_UP)


def planned_in(measure: MeasureFacts, year: int) -> bool:
    return measure.planned_start <= date(year, 12, 31) and measure.planned_end >= date(year, 1, 1)


def implementation_verdict(measure: MeasureFacts, year: int) -> str:
    """``completed``, ``on_schedule`` or ``not_implemented`` for a measure planned in ``year``."""
    year_end = date(year, 12, 31)
    if measure.status == "completed" and measure.completed_on is not None:
        if measure.completed_on <= year_end:
            return "completed"
        return "on_schedule" if measure.planned_end > year_end else "not_implemented"
    if measure.status == "on_track":
        return "on_schedule"
    return "not_implemented"


def implementation_rate(measures: Iterable[MeasureFacts], year: int) -> ImplementationRate:
    planned = [m for m in measures if planned_in(m, year)]
    verdicts = {m.id: implementation_verdict(m, year) for m in planned}
    return ImplementationRate(
        year=year,
        planned=len(planned),
        completed=sum(v == "completed" for v in verdicts.values()),
        on_schedule=sum(v == "on_schedule" for v in verdicts.values()),
        cancelled=sum(m.status == "cancelled" for m in planned),
        implemented_ids=tuple(sorted(i for i, v in verdicts.items() if v != "not_implemented")),
        not_implemented_ids=tuple(sorted(i for i, v in verdicts.items() if v == "not_implemented")),
    )


def year_complete(year: int, today: date) -> bool:
    """Whether the calendar year is over, so that its figures are final rather than "to date"."""
    return today > date(year, 12, 31)


def figures_day(year: int, today: date) -> date:
    """The day a year's figures stand at: 31 December once the year is over, else today."""
    return min(date(year, 12, 31), today)


def delivered_by(measure: MeasureFacts, day: date) -> bool:
    return measure.status == "completed" and measure.completed_on is not None and measure.completed_on <= day


def past_planned_end(measure: MeasureFacts, day: date) -> bool:
    """Its planned end is behind ``day`` (on its last planned day it is not late yet) and it is not
    delivered by then."""
    return measure.planned_end < day and not delivered_by(measure, day)


@dataclass(frozen=True)
class Delivery:
    """Everything due by ``as_of``: the figure that keeps carried-over work in sight."""

    year: int
    as_of: date
    due: int
    delivered: int
    overdue_ids: tuple[int, ...]
    carried_over_ids: tuple[int, ...]  # overdue and planned to end before ``year``: outside its rate
    overdue_cancelled: int

    @property
    def overdue(self) -> int:
        return len(self.overdue_ids)

    @property
    def rate_percent(self) -> Decimal | None:
        """Delivered / due, as a percentage to one decimal; None when nothing was due."""
        if not self.due:
            return None
        return (Decimal(100) * self.delivered / self.due).quantize(PERCENT, ROUND_HALF_UP)


def delivery_by(measures: Iterable[MeasureFacts], year: int, as_of: date) -> Delivery:
    due = [m for m in measures if m.planned_end <= as_of]
    undelivered = [m for m in due if not delivered_by(m, as_of)]
    # At a year's close (31 December) whatever was due and undelivered is late; during the year a
    # measure on its last planned day is not late yet.
    closed = as_of == date(year, 12, 31)
    overdue = [m for m in undelivered if closed or past_planned_end(m, as_of)]
    return Delivery(
        year=year,
        as_of=as_of,
        due=len(due),
        delivered=len(due) - len(undelivered),
        overdue_ids=tuple(sorted(m.id for m in overdue)),
        carried_over_ids=tuple(sorted(m.id for m in overdue if m.planned_end < date(year, 1, 1))),
        overdue_cancelled=sum(m.status == "cancelled" for m in overdue),
    )


@dataclass(frozen=True)
class Progress:
    ratio: Decimal | None
    state: str  # no_data | regressed | in_progress | achieved

    @property
    def percent(self) -> Decimal | None:
        return None if self.ratio is None else (self.ratio * 100).quantize(PERCENT, ROUND_HALF_UP)


def progress_to_target(baseline: Decimal, target: Decimal, latest: Decimal | None) -> Progress:
    if latest is None:
        return Progress(None, "no_data")
    if target == baseline:  # refused on input; kept total so an old row cannot divide by zero
        return Progress(ONE if latest == target else ZERO, "achieved" if latest == target else "regressed")
    raw = (latest - baseline) / (target - baseline)
    if raw >= ONE:
        return Progress(ONE, "achieved")
    if raw < ZERO:
        return Progress(ZERO, "regressed")
    return Progress(raw, "in_progress")


@dataclass(frozen=True)
class ExpectedReport:
    institution_id: int
    period_label: str
    due_on: date
    first_submitted_on: date | None


def timeliness_verdict(report: ExpectedReport, today: date) -> str:
    """``on_time``, ``late``, ``missing`` (due date passed, nothing submitted) or ``not_yet_due``."""
    if report.first_submitted_on is not None:
        return "on_time" if report.first_submitted_on <= report.due_on else "late"
    return "missing" if today > report.due_on else "not_yet_due"


@dataclass
class Timeliness:
    institution_id: int
    on_time: list[str] = field(default_factory=list)
    late: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    not_yet_due: list[str] = field(default_factory=list)


def timeliness(expected: Iterable[ExpectedReport], today: date) -> list[Timeliness]:
    """Per institution, which periods were reported on time, late, not at all, or are not due yet."""
    by_institution: dict[int, Timeliness] = {}
    for item in sorted(expected, key=lambda e: (e.institution_id, e.due_on)):
        row = by_institution.setdefault(item.institution_id, Timeliness(item.institution_id))
        getattr(row, timeliness_verdict(item, today)).append(item.period_label)
    return list(by_institution.values())
