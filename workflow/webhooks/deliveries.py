"""The delivery log of a subscription, and redelivering by hand.

The log lists a subscription's deliveries newest first, each with its status, the tries since it
was recorded or last redelivered, the last status code and error, the next attempt, and every
attempt made (when, the status code or the error, how long it took). Redelivering makes a
delivery due now with a fresh backoff, whatever became of it (delivered, failed, cancelled);
only one being sent at this moment is refused, and one of a disabled subscription.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, func, select
from sqlmodel import Session, col

from workflow.core import Conflict, NotFound
from workflow.webhooks.models import WebhookAttempt, WebhookDelivery
from workflow.webhooks.moves import DELIVERY_TABLE, move
from workflow.webhooks.statuses import DELIVERIES, DeliveryEvent, DeliveryStatus
from workflow.webhooks.subscriptions import get_subscription


@dataclass(frozen=True)
class LoggedDelivery:
    delivery: WebhookDelivery
    attempts: list[WebhookAttempt]


def delivery_log(
    session: Session, subscription_id: int, *, limit: int, offset: int, status: DeliveryStatus | None = None
) -> tuple[list[LoggedDelivery], int]:
    """A page of the subscription's deliveries (newest first) with their attempts, and how many there are."""
    get_subscription(session, subscription_id)
    conditions: list[Any] = [col(WebhookDelivery.subscription_id) == subscription_id]
    if status is not None:
        conditions.append(col(WebhookDelivery.status) == status.value)
    rows = list(session.scalars(
        select(WebhookDelivery).where(*conditions).order_by(col(WebhookDelivery.id).desc()).limit(limit).offset(offset)
    ))
    total = session.scalar(select(func.count()).select_from(WebhookDelivery).where(*conditions)) or 0
    attempts: dict[int, list[WebhookAttempt]] = defaultdict(list)
    if rows:
        for attempt in session.scalars(
            select(WebhookAttempt)
            .where(col(WebhookAttempt.delivery_id).in_([row.id for row in rows]))
            .order_by(col(WebhookAttempt.id))
        ):
            attempts[attempt.delivery_id].append(attempt)
    return [LoggedDelivery(row, attempts[row.id or 0]) for row in rows], total


def get_delivery(session: Session, subscription_id: int, delivery_id: int) -> WebhookDelivery:
    """The delivery, if it is one of this subscription's (``NotFound`` otherwise, another's included)."""
    row = session.get(WebhookDelivery, delivery_id)
    if row is None or row.subscription_id != subscription_id:
        raise NotFound(f"webhook {subscription_id} has no delivery with id {delivery_id}")
    return row


def redeliver(session: Session, subscription_id: int, delivery_id: int, *, now: datetime) -> LoggedDelivery:
    """Make the delivery due now, with a fresh backoff; the next scheduler pass hands it out."""
    subscription = get_subscription(session, subscription_id)
    row = get_delivery(session, subscription_id, delivery_id)
    if not subscription.active:
        raise Conflict(f"webhook {subscription_id} is disabled ({subscription.disabled_reason}): "
                       "enable it (PATCH active: true) before redelivering")
    if not DELIVERIES.allows(row.status, DeliveryEvent.REDELIVER):
        raise Conflict(f"delivery {delivery_id} is being sent now; see its outcome in the delivery log")
    result = session.execute(move(
        DeliveryEvent.REDELIVER, DELIVERY_TABLE.c.id == delivery_id, DELIVERY_TABLE.c.status == row.status,
        due_at=now, next_attempt_at=now, attempts=0, claim_token=None,
    ))
    if cast(CursorResult[Any], result).rowcount != 1:
        raise Conflict(f"delivery {delivery_id} changed meanwhile (a worker took it); try again")
    session.refresh(row)
    attempts = session.scalars(
        select(WebhookAttempt).where(col(WebhookAttempt.delivery_id) == delivery_id).order_by(col(WebhookAttempt.id))
    )
    return LoggedDelivery(row, list(attempts))
