"""Celery task that delivers webhook deliveries by id (being built for issue 14)."""

from __future__ import annotations

from tasks.app import WEBHOOK_TASK, celery_app


# Celery ships no type hints, so its task decorator is untyped; the function keeps its own.
@celery_app.task(name=WEBHOOK_TASK)  # type: ignore[untyped-decorator]
def deliver_webhooks(delivery_ids: list[int]) -> dict[str, int]:
    """Deliver each webhook delivery, in order (placeholder)."""
    return {}
