"""The scheduler's health record around each pass, and the aggregate reads a scrape makes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from workflow.core.db import unit_of_work
from workflow.scheduler import SchedulerHealth, operations_snapshot, recorded_pass, run_pass

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def health(engine) -> SchedulerHealth | None:
    with unit_of_work(engine) as s:
        row = s.get(SchedulerHealth, 1)
        if row is not None:
            s.expunge(row)
        return row


def test_a_pass_records_its_duration_and_success_and_a_failure_counts_until_the_next_success(engine, settings):
    assert health(engine) is None
    with recorded_pass(engine, now=NOW):
        run_pass(engine, now=NOW, settings=settings)
    first = health(engine)
    assert first.last_success_at == NOW and first.last_failure_at is None and first.failures == 0
    assert first.last_duration_seconds is not None and first.last_duration_seconds >= 0
    for minutes in (1, 2):
        with pytest.raises(RuntimeError), recorded_pass(engine, now=NOW + timedelta(minutes=minutes)):
            raise RuntimeError("the database went away")
    failing = health(engine)
    assert (failing.last_success_at, failing.last_failure_at, failing.failures) == (
        NOW, NOW + timedelta(minutes=2), 2)
    with recorded_pass(engine, now=NOW + timedelta(minutes=3)):
        pass
    assert health(engine).failures == 0 and health(engine).last_success_at == NOW + timedelta(minutes=3)


@pytest.mark.postgres
def test_the_snapshot_reads_the_same_on_postgresql(pg_engine):
    with recorded_pass(pg_engine, now=NOW):
        pass
    with unit_of_work(pg_engine) as s:
        snapshot = operations_snapshot(s, now=NOW)
    assert snapshot.ledger == {} and snapshot.oldest_due_seconds == 0
    assert snapshot.email_outcomes == {"sent": 0, "failed": 0, "cancelled": 0}
    assert snapshot.health is not None and snapshot.health.last_success_at == NOW
    assert set(snapshot.webhook_deliveries.values()) == {0}
