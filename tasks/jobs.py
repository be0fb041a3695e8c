"""Celery tasks: thin, id-taking, idempotent. The database decides what is due.

A worker process keeps one engine and one SMTP transport (its connection stays open between
emails, see ``workflow.mail.persistent``) for all the tasks it runs, and closes the connection
when it shuts down. The scheduler pass hands the due rows out in batches of ids, a task each:
sending a batch costs one task's overhead instead of one per email, and the batches still spread
over every worker process.
"""

from __future__ import annotations

import logging
from collections import Counter
from functools import lru_cache
from typing import Any

from celery.signals import worker_process_shutdown, worker_shutdown

from tasks.app import SEND_BATCH_TASK, SEND_TASK, TICK_TASK, celery_app
from tasks.database import engine
from tasks.housekeeping import is_embedded, purge_consumed_messages
from tasks.webhooks import deliver_webhooks
from workflow.core import clock, get_settings
from workflow.mail import PersistentSmtpTransport
from workflow.reminders import DeliveryResult
from workflow.scheduler import recorded_pass, run_pass
from workflow.scheduler import send_notification as deliver_row

log = logging.getLogger("continuum.tasks")

SEND_BATCH = 20  # ids per send task, at most


@lru_cache
def transport() -> PersistentSmtpTransport:
    """One SMTP transport per worker process, created lazily (after the fork); it keeps one
    connection per thread open between emails."""
    return PersistentSmtpTransport(get_settings())


def close_transport(**_: Any) -> None:
    if transport.cache_info().currsize:
        transport().close()


worker_process_shutdown.connect(close_transport, weak=False)  # a prefork pool's child, as it exits
worker_shutdown.connect(close_transport, weak=False)  # the worker itself: solo and thread pools send from it


def batches(ids: list[int], most: int = SEND_BATCH) -> list[list[int]]:
    """``ids`` in order, cut into as few runs of at most ``most`` as it takes, of near-equal length
    (45 ids: 15, 15, 15 rather than 20, 20, 5), so the last task is not the only one still busy."""
    if not ids:
        return []
    count = -(-len(ids) // most)
    size = -(-len(ids) // count)
    return [ids[start:start + size] for start in range(0, len(ids), size)]


# Celery ships no type hints, so its task decorator is untyped; the functions keep their own.
@celery_app.task(name=TICK_TASK, ignore_result=False)  # type: ignore[untyped-decorator]
def tick() -> dict[str, object]:
    """Run the scheduler pass, then hand every due ledger row to a worker (after the pass committed)."""
    settings = get_settings()
    now = clock.now()
    with recorded_pass(engine(), now=now):  # its duration and outcome, for GET /metrics
        report = run_pass(engine(), now=now, settings=settings)
    for batch in batches(report.due):
        send_notifications.delay(batch)
    for delivery_id in report.webhooks_due:  # one task per subscription's turn: a slow receiver holds up no other
        deliver_webhooks.delay([delivery_id])
    if is_embedded(settings.resolved_broker_url):
        purge_consumed_messages(settings.resolved_broker_url)
    log.info("scheduler pass: %s", report.summary())
    return {"expired": report.expired, "recorded": report.recorded, "cancelled": report.cancelled, "due": report.due}


def _send(notification_id: int) -> DeliveryResult:
    settings = get_settings()
    result = deliver_row(engine(), notification_id, clock=clock.now, transport=transport(), settings=settings)
    log.info("notification %s: %s %s", notification_id, result.outcome, result.detail)
    return result


# Untyped for the same reason as ``tick``'s.
@celery_app.task(name=SEND_BATCH_TASK, acks_late=True, ignore_result=False)  # type: ignore[untyped-decorator]
def send_notifications(notification_ids: list[int]) -> dict[str, int]:
    """Send each ledger row, in order; how many were sent, retried, failed, cancelled or skipped.

    Safe to run twice: the claim lets only one run send each row. A row that raises is logged and
    the others are still sent; the task then fails, naming it (its claim lease brings it back)."""
    outcomes: Counter[str] = Counter()
    broken: list[int] = []
    for notification_id in notification_ids:
        try:
            outcomes[_send(notification_id).outcome] += 1
        except Exception:
            log.exception("notification %s could not be sent", notification_id)
            broken.append(notification_id)
    if broken:
        raise RuntimeError(f"notifications {broken} raised (logged above); their claims expire and they are retried")
    return dict(outcomes)


# Untyped for the same reason as ``tick``'s.
@celery_app.task(name=SEND_TASK, acks_late=True, ignore_result=False)  # type: ignore[untyped-decorator]
def send_notification(notification_id: int) -> str:
    """Send one ledger row (passes before batches enqueued these). Safe to run twice: the claim lets only one send."""
    return _send(notification_id).outcome
