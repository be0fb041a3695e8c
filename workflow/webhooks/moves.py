"""The one way a delivery's status is written: a conditional UPDATE on the sources the table gives."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import ColumnElement, Table, Update, update

from workflow.webhooks.models import WebhookDelivery
from workflow.webhooks.statuses import DELIVERIES, DeliveryEvent

DELIVERY_TABLE = cast(Table, WebhookDelivery.__table__)  # type: ignore[attr-defined]  # SQLModel declares it untyped
QUEUED = "queued"  # ``claim_token`` of a delivery handed to the queue and not claimed yet


def move(event: DeliveryEvent, *conditions: ColumnElement[bool], **values: Any) -> Update:
    """UPDATE the deliveries ``conditions`` select that ``event`` may leave, to its target, setting ``values``."""
    return (
        update(DELIVERY_TABLE)
        .where(DELIVERY_TABLE.c.status.in_(DELIVERIES.sources(event)), *conditions)
        .values(status=DELIVERIES.move(event).target.value, **values)
    )
