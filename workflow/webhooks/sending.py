"""Delivering: claim a delivery, re-check it, post it signed, record the attempt and its outcome.

A worker is handed one delivery per subscription (``fanout.hand_out``). It claims it with a
conditional UPDATE under a lease (of two workers handed the same id, one sends; a claim whose
worker died is handed out again once the lease has passed), re-checks that the subscription is
still active and still wants the event type, and commits before sending. The target is resolved
and checked against SSRF at this moment (``targets.resolve``), then posted to (``posting``):
within ``CONTINUUM_WEBHOOK_TIMEOUT_SECONDS`` in all, from connecting to the answer's headers;
redirects are not followed, no proxy from the environment is used and the answer's body is not
read. The outcome is recorded in a second transaction, with the attempt:

- 2xx: ``delivered``;
- 410 Gone: this delivery ``failed`` and the subscription is disabled, saying why;
- anything else (another status, a timeout, a refused or unresolvable target): ``pending`` again
  after the backoff's wait (``backoff``), or ``failed`` once it is spent.

After a success the worker claims the subscription's next due delivery and goes on, up to
``MOST_PER_TURN``; after a failure it stops, so a receiver that is down costs one attempt per
scheduler pass, not one per waiting delivery.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, bindparam, func, or_, select
from sqlmodel import Session

from workflow.core import OutboxEvent, Settings, unit_of_work
from workflow.webhooks.backoff import wait_after
from workflow.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from workflow.webhooks.moves import DELIVERY_TABLE as _T
from workflow.webhooks.moves import QUEUED, move
from workflow.webhooks.posting import HttpPoster, Poster, PostFailed
from workflow.webhooks.signing import SigningKeys, body_of, message_id, signed_headers, signing_keys
from workflow.webhooks.statuses import DeliveryEvent, DeliveryStatus
from workflow.webhooks.subscriptions import disable_subscription
from workflow.webhooks.targets import TargetRefused, resolve

log = logging.getLogger("continuum.webhooks")
MOST_PER_TURN = 50
_TAKE = {"claim_token": bindparam("token"), "due_at": bindparam("lease_ends"), "attempts": _T.c.attempts + 1}
# Built once: a worker runs them for every delivery.
_CLAIM_HANDED = move(  # the delivery the pass handed out (or any due one)
    DeliveryEvent.CLAIM, _T.c.id == bindparam("handed_id"),
    or_(_T.c.claim_token == QUEUED, _T.c.due_at <= bindparam("now")), **_TAKE,
).returning(*_T.c)
_NEXT_DUE = (
    select(func.min(_T.c.id))
    .where(_T.c.subscription_id == bindparam("for_subscription"), _T.c.status == DeliveryStatus.PENDING.value,
           _T.c.claim_token.is_(None), _T.c.due_at <= bindparam("now"))
    .scalar_subquery()
)
_CLAIM_NEXT = move(  # the subscription's next due delivery nobody was handed
    DeliveryEvent.CLAIM, _T.c.id == _NEXT_DUE, _T.c.claim_token.is_(None), _T.c.due_at <= bindparam("now"), **_TAKE,
).returning(*_T.c)


@dataclass(frozen=True)
class Outcome:
    delivery_id: int
    outcome: str  # delivered | retry | failed | cancelled | skipped
    detail: str = ""
    subscription_id: int | None = None


@dataclass(frozen=True)
class _Ready:
    row: WebhookDelivery
    token: str
    url: str
    msg_id: str
    body: str
    keys: SigningKeys


def _claimed(session: Session, statement: Any, token: str, now: datetime, lease: timedelta,
             **bound: int) -> WebhookDelivery | None:
    row = session.execute(statement, {"token": token, "now": now, "lease_ends": now + lease, **bound}).one_or_none()
    return None if row is None else WebhookDelivery(**row._mapping)


def _close(session: Session, row: WebhookDelivery, token: str, event: DeliveryEvent, **values: Any) -> bool:
    """Apply ``event`` to the delivery this worker claimed, and only to it."""
    result = session.execute(move(event, _T.c.id == row.id, _T.c.claim_token == token, claim_token=None, **values))
    return cast(CursorResult[Any], result).rowcount == 1


def _why_not(subscription: WebhookSubscription | None, event: OutboxEvent | None, row: WebhookDelivery) -> str | None:
    if subscription is None or event is None:
        return "the subscription no longer exists"
    if not subscription.active:
        return f"the subscription is disabled ({subscription.disabled_reason})"
    if row.event_type not in subscription.event_types:
        return f"the subscription no longer receives {row.event_type} events"
    return None


def _prepare(engine: Engine, claim: Any, now: datetime, lease: timedelta, **bound: int) -> _Ready | Outcome | None:
    """Claim and re-check in one transaction: what to send, or the outcome (None: nothing claimed)."""
    token = uuid.uuid4().hex
    with unit_of_work(engine) as session:
        row = _claimed(session, claim, token, now, lease, **bound)
        if row is None:
            return None
        assert row.id is not None
        subscription = session.get(WebhookSubscription, row.subscription_id)
        event = session.get(OutboxEvent, row.event_id)
        stale = _why_not(subscription, event, row)
        if stale is not None:
            _close(session, row, token, DeliveryEvent.CANCEL, due_at=None, next_attempt_at=None,
                   last_error=f"cancelled: {stale}"[:2000])
            return Outcome(row.id, "cancelled", stale, row.subscription_id)
        assert subscription is not None and event is not None
        keys = signing_keys(subscription.secret, subscription.previous_secret,
                            subscription.previous_secret_expires_at, now)
        return _Ready(row, token, subscription.url, message_id(row.event_id, row.subscription_id), body_of(event), keys)


def _attempt(ready: _Ready, post: Poster, clock: Callable[[], datetime], settings: Settings
             ) -> tuple[datetime, int | None, str | None, int]:
    """Resolve, check and post: when, the status code (None: no answer), the error, how long (ms)."""
    started = time.monotonic()
    at = clock()
    code: int | None = None
    error: str | None = None
    try:
        target = resolve(ready.url, allow_private=settings.webhook_allow_private)
        code = post(target, signed_headers(ready.msg_id, ready.body, ready.keys, at), ready.body.encode("utf-8"))
    except TargetRefused as exc:
        error = f"refused: {exc}"
    except PostFailed as exc:
        error = str(exc)
    if code is not None and not 200 <= code < 300:
        error = f"the receiver answered {code}" + (" (redirects are not followed)" if 300 <= code < 400 else "")
    return at, code, error, round((time.monotonic() - started) * 1000)


def _record(engine: Engine, ready: _Ready, at: datetime, code: int | None, error: str | None, duration_ms: int,
            now: datetime) -> Outcome:
    row, token = ready.row, ready.token
    assert row.id is not None
    with unit_of_work(engine) as session:
        done = {"due_at": None, "next_attempt_at": None, "last_status_code": code}
        disable_for: str | None = None
        if error is None:
            outcome = Outcome(row.id, "delivered", f"{code}", row.subscription_id)
            closed = _close(session, row, token, DeliveryEvent.MARK_DELIVERED, delivered_at=now, last_error=None,
                            **done)
        elif code == 410:
            disable_for = f"the receiver answered 410 Gone to delivery {row.id} at {at.isoformat()}"
            closed = _close(session, row, token, DeliveryEvent.FAIL, last_error=f"{error}: subscription disabled",
                            **done)
            outcome = Outcome(row.id, "failed", disable_for, row.subscription_id)
        elif (wait := wait_after(row.attempts)) is not None:
            closed = _close(session, row, token, DeliveryEvent.RETRY_LATER, due_at=now + wait,
                            next_attempt_at=now + wait, last_status_code=code, last_error=error[:2000])
            outcome = Outcome(row.id, "retry", f"{error}; next attempt in {wait}", row.subscription_id)
        else:
            closed = _close(session, row, token, DeliveryEvent.FAIL, last_error=error[:2000], **done)
            outcome = Outcome(row.id, "failed", f"{error}; no attempts left", row.subscription_id)
        if not closed:
            if session.get(WebhookDelivery, row.id) is None:  # deleted with its subscription meanwhile
                return Outcome(row.id, "skipped", "the subscription was deleted while it was being sent")
            log.warning("webhook delivery %s was sent after its lease expired; it may be sent again", row.id)
        session.add(WebhookAttempt(delivery_id=row.id, attempted_at=at, status_code=code, error=error,
                                   duration_ms=duration_ms))
        if disable_for is not None:
            disable_subscription(session, row.subscription_id, reason=disable_for, now=now)
    return outcome


def _deliver_once(engine: Engine, claim: Any, post: Poster, clock: Callable[[], datetime], settings: Settings,
                  **bound: int) -> Outcome | None:
    lease = timedelta(minutes=settings.lease_minutes)
    ready = _prepare(engine, claim, clock(), lease, **bound)
    if not isinstance(ready, _Ready):
        return ready
    at, code, error, duration_ms = _attempt(ready, post, clock, settings)
    return _record(engine, ready, at, code, error, duration_ms, clock())


def deliver(engine: Engine, delivery_id: int, *, clock: Callable[[], datetime], settings: Settings,
            post: Poster | None = None) -> list[Outcome]:
    """Deliver ``delivery_id`` and, while that succeeds, its subscription's next due deliveries (its
    turn); the outcome of each. Safe to run twice: the claim lets one worker send each delivery."""
    with closing(HttpPoster(settings.webhook_timeout_seconds)) as http:
        poster = post or http
        first = _deliver_once(engine, _CLAIM_HANDED, poster, clock, settings, handed_id=delivery_id)
        if first is None:
            return [Outcome(delivery_id, "skipped", "not due, or claimed by another worker")]
        outcomes = [first]
        subscription_id = first.subscription_id
        while outcomes[-1].outcome == "delivered" and len(outcomes) < MOST_PER_TURN and subscription_id is not None:
            following = _deliver_once(engine, _CLAIM_NEXT, poster, clock, settings, for_subscription=subscription_id)
            if following is None:
                break
            outcomes.append(following)
        return outcomes
