"""When a strategy is in force. Gap detection builds on this."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol


class HasLifecycleDates(Protocol):
    """Read-only, so both a ``Strategy`` row and a frozen ``StrategyState`` qualify."""

    @property
    def period_start(self) -> date: ...

    @property
    def period_end(self) -> date: ...

    @property
    def approved_on(self) -> date | None: ...

    @property
    def expired_on(self) -> date | None: ...


@dataclass(frozen=True)
class Interval:
    """Both ends inclusive."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def in_force_interval(strategy: HasLifecycleDates) -> Interval | None:
    """From max(period_start, approved_on) to period_end, cut short by an early expiry.

    An ``expire`` effective on day D ends the strategy on D - 1. None when it was never
    approved, or ended before it began.
    """
    if strategy.approved_on is None:
        return None
    start = max(strategy.period_start, strategy.approved_on)
    end = strategy.period_end
    if strategy.expired_on is not None:
        end = min(end, strategy.expired_on - timedelta(days=1))
    if end < start:
        return None
    return Interval(start, end)
