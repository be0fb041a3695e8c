"""Working-day arithmetic: the one place that knows which days count.

A working day is a weekday that is neither a public holiday of the deployment's country (as the
``holidays`` package knows them, observed days included) nor a day the government declared
non-working and an admin entered. Counting follows Law No. 146/2014's reading of a period: the
day something opens is day 0, so ``working_days_between(opened, d)`` counts the working days
after ``opened`` up to and including ``d``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays

ONE_DAY = timedelta(days=1)
SATURDAY = 5


@lru_cache(maxsize=256)
def _public_holidays(country: str, year: int, language: str | None = None) -> dict[date, str]:
    """The country's public holidays of one year, observed days included, by day."""
    found = holidays.country_holidays(country, years=year, language=language, observed=True)
    return dict(found.items())


def supported_country(code: str) -> bool:
    return code in holidays.list_supported_countries()


def public_holidays(country: str | None, year: int, language: str | None = None) -> dict[date, str]:
    """``{day: name}`` of one year (names in ``language`` where the package has it: ``sq``, ``en_US``)."""
    if not country:
        return {}
    return _public_holidays(country, year, language)


@dataclass(frozen=True)
class WorkingCalendar:
    """The working days of a deployment: weekends, ``country``'s public holidays (None: none) and
    the ``declared`` one-off non-working days. Pure; build one per request with ``working_calendar``."""

    country: str | None
    declared: frozenset[date] = field(default_factory=frozenset)

    def is_public_holiday(self, day: date) -> bool:
        return day in public_holidays(self.country, day.year)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < SATURDAY and day not in self.declared and not self.is_public_holiday(day)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days ``d`` with ``start < d <= end`` (0 when ``end <= start``).

        A consultation opened on a Monday has lasted 5 working days on the next Monday.
        """
        if end <= start:
            return 0
        return _weekdays_after(start, end) - sum(1 for day in self._closed_weekdays(start, end))

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (``start`` itself for 0)."""
        current, counted = start, 0
        while counted < days:
            current += ONE_DAY
            if self.is_working_day(current):
                counted += 1
        return current

    def on_or_before(self, day: date) -> date:
        """``day`` if it is a working day, else the working day before it."""
        while not self.is_working_day(day):
            day -= ONE_DAY
        return day

    def on_or_after(self, day: date) -> date:
        """``day`` if it is a working day, else the working day after it."""
        while not self.is_working_day(day):
            day += ONE_DAY
        return day

    def _closed_weekdays(self, start: date, end: date) -> Iterator[date]:
        """Holidays and declared days on weekdays in ``(start, end]``, each once."""
        closed = set(self.declared)
        for year in range(start.year, end.year + 1):
            closed.update(public_holidays(self.country, year))
        return (d for d in closed if start < d <= end and d.weekday() < SATURDAY)


def _weekdays_after(start: date, end: date) -> int:
    """Monday-to-Friday days in ``(start, end]``."""
    full_weeks, remainder = divmod((end - start).days, 7)
    count = full_weeks * 5
    for offset in range(1, remainder + 1):
        if (start + timedelta(days=full_weeks * 7 + offset)).weekday() < SATURDAY:
            count += 1
    return count


WEEKDAYS_ONLY = WorkingCalendar(country=None)
