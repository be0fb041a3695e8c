"""The retry schedule: exponential from 30 s, capped, spanning at least a day."""

from __future__ import annotations

from datetime import timedelta

import pytest

from workflow.webhooks import MAX_ATTEMPTS, RETRY_WAITS, wait_after


def test_waits_start_at_30_seconds_and_double():
    assert [w.total_seconds() for w in RETRY_WAITS[:5]] == [30, 60, 120, 240, 480]


def test_no_wait_is_longer_than_four_hours():
    assert max(RETRY_WAITS) == timedelta(hours=4)


def test_the_retries_span_at_least_a_day_but_not_two():
    span = sum(RETRY_WAITS, timedelta())
    assert timedelta(days=1) <= span < timedelta(days=1, hours=4)
    assert sum(RETRY_WAITS[:-1], timedelta()) < timedelta(days=1)  # no try more than the day needs


def test_after_the_last_try_it_gives_up():
    assert MAX_ATTEMPTS == len(RETRY_WAITS) + 1 == 15
    assert wait_after(1) == timedelta(seconds=30)
    assert wait_after(MAX_ATTEMPTS - 1) == RETRY_WAITS[-1]
    assert wait_after(MAX_ATTEMPTS) is None


def test_attempts_count_from_one():
    with pytest.raises(ValueError):
        wait_after(0)
