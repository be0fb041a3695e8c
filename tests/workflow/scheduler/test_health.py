"""The scheduler's health record around each pass, and the aggregate reads a scrape makes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests import factories as f
from workflow.core.db import unit_of_work
from workflow.reminders import Notification
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


def test_an_email_is_a_row_sent_on_its_own_not_a_digests_member_nor_a_merged_row(engine):
    """A digest of two reminders (one of them cancelled at its re-check) is one email; a lapse reminder
    merged into a gap warning is none; a single email cancelled before it went is one cancelled."""
    with unit_of_work(engine) as s:
        moi = f.institution(s)
        person = f.contact(s, moi, ["coordinator"])
        strategy = f.strategy(s, moi).id

        def row(n: int, kind: str, status: str, carrier_id: int | None = None) -> int:
            added = Notification(
                deadline_key=f"k{n}", deadline_kind="drafting_due", strategy_id=strategy, due_on=date(2026, 1, 5),
                offset_days=0, kind=kind, contact_id=person, status=status, details={}, created_at=NOW,
                carrier_id=carrier_id)
            s.add(added)
            s.flush()
            assert added.id is not None
            return added.id

        digest = row(1, "digest", "sent")
        row(2, "deadline_reminder", "sent", digest)
        row(3, "deadline_reminder", "sent", digest)
        row(4, "deadline_reminder", "cancelled", digest)
        warning = row(5, "gap_warning", "sent")
        row(6, "deadline_reminder", "merged", warning)
        row(7, "overdue", "cancelled")
        row(8, "overdue", "failed")
    with unit_of_work(engine) as s:
        snapshot = operations_snapshot(s, now=NOW)
    assert snapshot.email_outcomes == {"sent": 2, "failed": 1, "cancelled": 1}
