"""From the outbox to deliveries, and from due deliveries to the queue: the scheduler pass's two steps.

``fan_out`` reads the outbox after its own cursor (``webhook_fan_out``), with the feed reader
every reader shares (``events_after``: nothing committed is ever skipped), and records one
delivery per event and active subscription that wants its type, for events that occurred at or
after the subscription was last enabled (``enabled_at``: created, or resumed after a pause or a
410), so a resumed subscription gets the events from its resumption on, whether the cursor stood
still while it was paused (nobody was active) or moved on (another subscription was). Its cost
follows the new events: a page of events, the subscriptions (few) in memory, one INSERT per page;
with no active subscription, one query and nothing else. The delivery's key (subscription,
event) makes recording twice harmless, so two passes at once, or a cursor read again, record
each delivery once.

``hand_out`` marks due deliveries as queued and returns their ids, at most one per subscription
and none for a subscription that has one in flight (queued or being sent under a lease): a
receiver that hangs holds one worker for one timeout, never every worker. The worker that
delivers it goes on with the subscription's next due deliveries while they succeed
(``workflow.webhooks.sending``).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, select, update
from sqlmodel import Session, col

from workflow.core import OutboxEvent, UnknownCursor, events_after, insert_many_ignoring_conflict
from workflow.webhooks.models import WebhookDelivery, WebhookFanOut, WebhookSubscription
from workflow.webhooks.moves import DELIVERY_TABLE, QUEUED, move
from workflow.webhooks.statuses import WAITING_STATUSES, DeliveryEvent, DeliveryStatus

log = logging.getLogger("continuum.webhooks")
_STATE_ID = 1
PAGE = 1_000
MOST_EVENTS_PER_PASS = 20_000  # a long backlog (an import) is caught up over a few passes
_ROWS_PER_INSERT = 500


def _matching(
    events: list[OutboxEvent], subscriptions: list[WebhookSubscription], now: datetime
) -> list[dict[str, Any]]:
    return [
        {
            "subscription_id": subscription.id, "event_id": event.id, "event_type": event.type,
            "status": DeliveryStatus.PENDING.value, "due_at": now, "next_attempt_at": now, "attempts": 0,
            "created_at": now,
        }
        for event in events
        for subscription in subscriptions
        if event.type in subscription.event_types and event.occurred_at >= subscription.enabled_at
    ]


def fan_out(session: Session, *, now: datetime) -> int:
    """Record a delivery for each new outbox event and each subscription that wants it; how many."""
    subscriptions = list(session.scalars(select(WebhookSubscription).where(col(WebhookSubscription.active))))
    if not subscriptions:
        return 0  # the cursor stays: each subscription gets events from its ``enabled_at`` on anyway
    state = session.get(WebhookFanOut, _STATE_ID)
    seen = state.events_through if state is not None else None
    after, recorded, read = seen or 0, 0, 0
    while read < MOST_EVENTS_PER_PASS:
        try:
            events = events_after(session, after, PAGE)
        except UnknownCursor:  # a restore or a pruned feed: read it all again; the key keeps deliveries once
            log.warning("the webhook fan-out's cursor names no event (%s): reading the feed from the start", after)
            after = 0
            events = events_after(session, after, PAGE)
        rows = _matching(events, subscriptions, now)
        for start in range(0, len(rows), _ROWS_PER_INSERT):
            recorded += len(insert_many_ignoring_conflict(
                session, WebhookDelivery, rows[start:start + _ROWS_PER_INSERT],
                unique=["subscription_id", "event_id"], returning=[col(WebhookDelivery.id)],
            ))
        read += len(events)
        if events:
            last = events[-1].id
            assert last is not None, "events read from the database have their id"
            after = last
        if len(events) < PAGE:
            break
    _store(session, state, seen, after)
    return recorded


def _store(session: Session, state: WebhookFanOut | None, seen: int | None, through: int) -> None:
    """Move the cursor to ``through`` unless another pass moved it meanwhile (its position stands)."""
    if state is None:
        session.add(WebhookFanOut(id=_STATE_ID, events_through=through))
        session.flush()
    elif through != seen:
        session.execute(
            update(WebhookFanOut)
            .where(col(WebhookFanOut.id) == _STATE_ID, col(WebhookFanOut.events_through) == seen)
            .values(events_through=through)
        )


def hand_out(session: Session, now: datetime, *, lease: timedelta, limit: int = 1000) -> list[int]:
    """Mark the deliveries due now as handed to the queue and return their ids: the oldest due one of
    each active subscription that has none in flight. One statement."""
    table, busy_table = DELIVERY_TABLE, DELIVERY_TABLE.alias("in_flight")
    subscriptions = WebhookSubscription.__table__  # type: ignore[attr-defined]
    in_flight = exists().where(
        busy_table.c.subscription_id == table.c.subscription_id,
        busy_table.c.status.in_(WAITING_STATUSES),
        busy_table.c.claim_token.is_not(None),
        busy_table.c.due_at > now,
    )
    oldest_due = (
        select(func.min(table.c.id))
        .join(subscriptions, subscriptions.c.id == table.c.subscription_id)
        .where(
            table.c.status.in_(WAITING_STATUSES), table.c.due_at <= now, subscriptions.c.active, ~in_flight,
        )
        .group_by(table.c.subscription_id)
        .limit(limit)
    )
    marked = session.scalars(
        move(
            DeliveryEvent.HAND_OUT,
            and_(DELIVERY_TABLE.c.id.in_(oldest_due.scalar_subquery()), DELIVERY_TABLE.c.due_at <= now),
            claim_token=QUEUED, due_at=now + lease,
        ).returning(DELIVERY_TABLE.c.id)
    )
    return sorted(marked)
