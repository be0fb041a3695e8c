"""Celery tasks: thin, id-taking, idempotent. The database decides what is due."""

from __future__ import annotations

import logging
from functools import lru_cache

from sqlalchemy import Engine

from tasks.app import SEND_TASK, TICK_TASK, celery_app
from tasks.housekeeping import is_embedded, purge_consumed_messages
from workflow.core import clock, get_settings, make_engine
from workflow.mail import SmtpTransport
from workflow.scheduler import run_pass
from workflow.scheduler import send_notification as deliver_row

log = logging.getLogger("continuum.tasks")


@lru_cache
def engine() -> Engine:
    """One engine per worker process, created lazily so it is never shared across a fork."""
    return make_engine(get_settings().resolved_database_url)


# Celery ships no type hints, so its task decorator is untyped; the functions keep their own.
@celery_app.task(name=TICK_TASK, ignore_result=False)  # type: ignore[untyped-decorator]
def tick() -> dict[str, object]:
    """Run the scheduler pass, then hand every due ledger row to a worker (after the pass committed)."""
    settings = get_settings()
    report = run_pass(engine(), now=clock.now(), settings=settings)
    for notification_id in report.due:
        send_notification.delay(notification_id)
    if is_embedded(settings.resolved_broker_url):
        purge_consumed_messages(settings.resolved_broker_url)
    log.info("scheduler pass: %s", report.summary())
    return {"expired": report.expired, "recorded": report.recorded, "cancelled": report.cancelled, "due": report.due}


# Untyped for the same reason as ``tick``'s.
@celery_app.task(name=SEND_TASK, acks_late=True, ignore_result=False)  # type: ignore[untyped-decorator]
def send_notification(notification_id: int) -> str:
    """Send one ledger row. Safe to run twice: the claim lets only one run send."""
    settings = get_settings()
    result = deliver_row(
        engine(), notification_id, clock=clock.now, transport=SmtpTransport(settings), settings=settings
    )
    log.info("notification %s: %s %s", notification_id, result.outcome, result.detail)
    return result.outcome
