"""The Celery application, configured from the one settings object.

Three queues: sends go to Celery's default queue, which ``continuum worker`` consumes; scheduler
passes go to a queue of their own, which only the scheduler process (``continuum beat``: beat
with one pool process of its own) consumes, so a pass never waits behind a backlog of sends;
webhook deliveries go to a third, so emails never queue behind slow receivers (``continuum worker``
consumes it too; ``--only send`` and ``--only webhooks`` split them over separate workers).
"""

from __future__ import annotations

from celery import Celery

from tasks.housekeeping import is_embedded, prepare_embedded_broker
from workflow.core import Settings, get_settings

TICK_TASK = "continuum.tick"
SEND_TASK = "continuum.send_notification"  # one id: what passes enqueued before batches
SEND_BATCH_TASK = "continuum.send_notifications"
WEBHOOK_TASK = "continuum.deliver_webhooks"
SEND_QUEUE = "celery"  # Celery's default queue: messages published before the queues were split still go here
SCHEDULER_QUEUE = "continuum.scheduler"
WEBHOOK_QUEUE = "continuum.webhooks"


def make_celery(settings: Settings) -> Celery:
    if is_embedded(settings.resolved_broker_url) or settings.resolved_result_backend.startswith("db+sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    if is_embedded(settings.resolved_broker_url):
        prepare_embedded_broker(settings.resolved_broker_url)
    app = Celery("continuum", broker=settings.resolved_broker_url, backend=settings.resolved_result_backend)
    app.conf.update(
        include=["tasks.jobs", "tasks.webhooks"],
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        enable_utc=True,
        timezone="UTC",
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        result_expires=3600,
        task_ignore_result=True,
        task_default_queue=SEND_QUEUE,
        task_routes={TICK_TASK: {"queue": SCHEDULER_QUEUE}, WEBHOOK_TASK: {"queue": WEBHOOK_QUEUE}},
        beat_schedule={
            "scheduler-pass": {
                "task": TICK_TASK,
                "schedule": float(settings.tick_seconds),
                # A pass that could not start before the next one is due is pointless: drop it.
                "options": {"expires": float(settings.tick_seconds)},
            }
        },
    )
    return app


celery_app = make_celery(get_settings())
