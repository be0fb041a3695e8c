"""When a failed delivery is tried again: 30 s, doubling with each try, each wait at most 4 hours,
until the waits add up to a day; then it has ``failed``. Fifteen tries over about 24 hours, so a
receiver that is down for a night gets everything once it is back."""

from __future__ import annotations

from datetime import timedelta

FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=4)
SPAN = timedelta(days=1)


def _waits() -> tuple[timedelta, ...]:
    waits: list[timedelta] = []
    while sum(waits, timedelta()) < SPAN:
        waits.append(min(FIRST_WAIT * 2 ** len(waits), LONGEST_WAIT))
    return tuple(waits)


RETRY_WAITS = _waits()  # the wait after the first, second, ... failed try
MAX_ATTEMPTS = len(RETRY_WAITS) + 1


def wait_after(attempts: int) -> timedelta | None:
    """How long to wait after the ``attempts``-th failed try in a row; None: give up (failed)."""
    if attempts < 1:
        raise ValueError("attempts counts tries made: 1 or more")
    return RETRY_WAITS[attempts - 1] if attempts <= len(RETRY_WAITS) else None
