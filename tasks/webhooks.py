"""Celery task that delivers webhooks by id: thin, idempotent; the logic is ``workflow.webhooks``.

Its messages go to a queue of their own (``tasks.app.WEBHOOK_QUEUE``), so deliveries never wait
behind a backlog of emails nor emails behind slow receivers in one queue; ``continuum worker
--only webhooks`` runs workers for it alone. Each id is one subscription's turn: the delivery
handed out, then that subscription's next due ones while they succeed.
"""

from __future__ import annotations

import logging
from collections import Counter

from tasks.app import WEBHOOK_TASK, celery_app
from tasks.database import engine
from workflow import webhooks
from workflow.core import clock, get_settings

log = logging.getLogger("continuum.tasks")


# Celery ships no type hints, so its task decorator is untyped; the function keeps its own.
@celery_app.task(name=WEBHOOK_TASK, acks_late=True, ignore_result=False)  # type: ignore[untyped-decorator]
def deliver_webhooks(delivery_ids: list[int]) -> dict[str, int]:
    """Deliver each id's turn, in order; how many deliveries were delivered, retried, failed, cancelled
    or skipped. Safe to run twice: the claim lets one run send each delivery. One that raises is
    logged and the others still go; the task then fails, naming it (its claim lease brings it back)."""
    outcomes: Counter[str] = Counter()
    broken: list[int] = []
    for delivery_id in delivery_ids:
        try:
            for outcome in webhooks.deliver(engine(), delivery_id, clock=clock.now, settings=get_settings()):
                outcomes[outcome.outcome] += 1
                log.info("webhook delivery %s: %s %s", outcome.delivery_id, outcome.outcome, outcome.detail)
        except Exception:
            log.exception("webhook delivery %s could not be delivered", delivery_id)
            broken.append(delivery_id)
    if broken:
        raise RuntimeError(f"webhook deliveries {broken} raised (logged above); their claims expire, they are retried")
    return dict(outcomes)
