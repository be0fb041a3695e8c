"""Calendar arithmetic the rules share. Pure functions of dates."""

from __future__ import annotations

from datetime import date, timedelta

WORKING_WEEKDAYS = frozenset(range(5))  # Monday..Friday


def working_days_between(start: date, end: date) -> int:
    """Working days (Mon-Fri) in the half-open range ``[start, end)``.

    A consultation opened on a Monday and closed the next Monday lasted 5 working days.
    """
    if end <= start:
        return 0
    full_weeks, remainder = divmod((end - start).days, 7)
    count = full_weeks * 5
    for offset in range(remainder):
        if (start + timedelta(days=full_weeks * 7 + offset)).weekday() in WORKING_WEEKDAYS:
            count += 1
    return count


def add_working_days(start: date, days: int) -> date:
    """The first date ``d`` with ``working_days_between(start, d) >= days``."""
    current, counted = start, 0
    while counted < days:
        if current.weekday() in WORKING_WEEKDAYS:
            counted += 1
        current += timedelta(days=1)
    return current
