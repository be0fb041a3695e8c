"""How the scheduler and the deliveries are doing, for ``GET /metrics``: the record of each pass
(``recorded_pass`` around ``run_pass``: its duration, the last success and failure, failures in a row)
and the few aggregate reads a scrape makes (``operations_snapshot``).

A scrape costs a handful of aggregate queries whatever the size of the portfolio: counts grouped
by status (and kind), the oldest due row through the ledger's partial index on ``due_at``, one
row of pass health. Nothing is read row by row.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, func, select, update
from sqlmodel import Session, col

from workflow.core import insert_ignoring_conflict, unit_of_work
from workflow.reminders import ACTIVE_NOTIFICATION_STATUSES, Notification
from workflow.scheduler.models import SchedulerHealth
from workflow.webhooks import DELIVERY_STATUSES, WebhookDelivery

log = logging.getLogger("continuum.scheduler.health")

_HEALTH_ID = 1
EMAIL_OUTCOMES = ("sent", "failed", "cancelled")


def record_pass(engine: Engine, *, started_at: datetime, seconds: float, succeeded: bool) -> None:
    """Record one pass's outcome, in a unit of work of its own (a failed pass has rolled back its own)."""
    with unit_of_work(engine) as session:
        insert_ignoring_conflict(session, SchedulerHealth, {"id": _HEALTH_ID, "failures": 0}, unique=["id"],
                                 returning=SchedulerHealth.id)
        values: dict[str, object] = {"last_started_at": started_at, "last_duration_seconds": seconds}
        if succeeded:
            values |= {"last_success_at": started_at, "failures": 0}
        else:
            values |= {"last_failure_at": started_at, "failures": col(SchedulerHealth.failures) + 1}
        session.execute(update(SchedulerHealth).where(col(SchedulerHealth.id) == _HEALTH_ID).values(**values))


@contextmanager
def recorded_pass(engine: Engine, *, now: datetime) -> Iterator[None]:
    """Around ``run_pass``: record how long it took and whether it succeeded (a failure is recorded
    and raised on). A success is dated by the pass's ``now``: the moment it planned for."""
    start = time.perf_counter()
    try:
        yield
    except Exception:
        _record_quietly(engine, now, time.perf_counter() - start, succeeded=False)
        raise
    _record_quietly(engine, now, time.perf_counter() - start, succeeded=True)


def _record_quietly(engine: Engine, now: datetime, seconds: float, *, succeeded: bool) -> None:
    """A pass's outcome stands even when it cannot be recorded (the database that failed the pass may
    be the reason): the metrics then show the last pass recorded, growing older."""
    try:
        record_pass(engine, started_at=now, seconds=seconds, succeeded=succeeded)
    except Exception:
        log.warning("could not record the scheduler pass's health", exc_info=True)


@dataclass(frozen=True)
class OperationsSnapshot:
    """What a scrape reports from the database."""

    ledger: Mapping[tuple[str, str], int]  # (kind, status) -> rows
    oldest_due_seconds: float  # how long the longest-waiting active row is past its due time; 0 if none
    health: SchedulerHealth | None
    webhook_deliveries: Mapping[str, int] = field(default_factory=dict)  # status -> rows
    emails: Mapping[str, int] = field(default_factory=dict)  # final status -> emails (``email_counts``)

    @property
    def email_outcomes(self) -> dict[str, int]:
        """Emails by final outcome, every kind together, each outcome named (0 when none had it)."""
        return dict.fromkeys(EMAIL_OUTCOMES, 0) | {status: self.emails.get(status, 0) for status in EMAIL_OUTCOMES}


def ledger_counts(session: Session) -> dict[tuple[str, str], int]:
    rows = session.execute(
        select(col(Notification.kind), col(Notification.status), func.count())
        .group_by(col(Notification.kind), col(Notification.status))
    )
    return {(kind, status): count for kind, status, count in rows}


def email_counts(session: Session) -> dict[str, int]:
    """Emails by final status. An email is a row composed and sent on its own: not a digest's member
    (its digest is the email) nor a merged row (another row's email said it), so ``carrier_id`` is
    empty; a digest row counts once."""
    rows = session.execute(
        select(col(Notification.status), func.count())
        .where(col(Notification.carrier_id).is_(None), col(Notification.status).in_(EMAIL_OUTCOMES))
        .group_by(col(Notification.status))
    )
    return {status: count for status, count in rows}


def oldest_due_seconds(session: Session, now: datetime) -> float:
    """Through ``ix_notifications_due`` (``due_at`` of the active rows): one index endpoint."""
    oldest = session.scalar(
        select(func.min(col(Notification.due_at))).where(col(Notification.status).in_(ACTIVE_NOTIFICATION_STATUSES))
    )
    if oldest is None:
        return 0.0
    return max(0.0, (now - oldest).total_seconds())


def webhook_delivery_counts(session: Session) -> dict[str, int]:
    """Webhook deliveries by status, every status named (0 when none is in it)."""
    counts = dict.fromkeys(DELIVERY_STATUSES, 0)
    rows = session.execute(
        select(col(WebhookDelivery.status), func.count()).group_by(col(WebhookDelivery.status))
    )
    counts.update({status: count for status, count in rows})
    return counts


def operations_snapshot(session: Session, *, now: datetime) -> OperationsSnapshot:
    return OperationsSnapshot(
        ledger=ledger_counts(session),
        oldest_due_seconds=oldest_due_seconds(session, now),
        health=session.get(SchedulerHealth, _HEALTH_ID),
        webhook_deliveries=webhook_delivery_counts(session),
        emails=email_counts(session),
    )
