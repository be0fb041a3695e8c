"""Registering receivers: create, read, change, pause, delete a subscription, and rotate its secret.

The secret is returned when it is made (``create``, ``rotate_secret``) and never again. A rotated
secret's predecessor keeps signing, beside it, for ``CONTINUUM_WEBHOOK_SECRET_GRACE_HOURS``, so a
receiver can switch to the new one without losing a delivery. Disabling a subscription (an
admin's PATCH, or a 410 from the receiver) cancels its deliveries still waiting; it receives
nothing until it is enabled again, and then only events that occur from then on (``enabled_at``,
which the fan-out compares each event's time with, whether or not its cursor moved meanwhile); a
cancelled delivery can be redelivered by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Any, cast

from pydantic import AfterValidator, Field, Strict, StringConstraints
from sqlalchemy import CursorResult, delete, func, select, update
from sqlmodel import Session, col

from workflow.core import Command, ValidationFailed, get_or_not_found, requested_changes
from workflow.webhooks.catalog import EVENT_TYPES
from workflow.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from workflow.webhooks.moves import DELIVERY_TABLE, move
from workflow.webhooks.signing import new_secret
from workflow.webhooks.statuses import DeliveryEvent, DeliveryStatus
from workflow.webhooks.targets import TargetRefused, check_registered_host, check_url_form


def _known_event_type(value: str) -> str:
    if value not in EVENT_TYPES:
        raise ValueError(f"unknown event type {value!r}; known types: {', '.join(EVENT_TYPES)}")
    return value


WebhookUrl = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(check_url_form)]
EventType = Annotated[str, AfterValidator(_known_event_type)]
EventTypes = Annotated[list[EventType], Field(min_length=1, max_length=len(EVENT_TYPES))]


class WebhookCreate(Command):
    url: WebhookUrl = Field(description="Where deliveries are POSTed: an http:// or https:// URL.",
                            examples=["https://example.org/hooks"])
    event_types: EventTypes = Field(description="The outbox event types to receive.", examples=[["stage_changed"]])


class WebhookPatch(Command):
    url: WebhookUrl | None = None
    event_types: EventTypes | None = None
    active: Annotated[bool, Strict()] | None = Field(
        default=None,
        description="false pauses the subscription (its waiting deliveries are cancelled); true resumes it.",
    )


@dataclass(frozen=True)
class IssuedSecret:
    subscription: WebhookSubscription
    secret: str = field(repr=False)


def _check_target(url: str, allow_private: bool) -> None:
    try:
        check_registered_host(url, allow_private=allow_private)
    except TargetRefused as exc:
        raise ValidationFailed.field("#/url", str(exc)) from exc


def create_subscription(
    session: Session, command: WebhookCreate, *, actor: str, now: datetime, allow_private: bool
) -> IssuedSecret:
    _check_target(command.url, allow_private)
    secret = new_secret()
    row = WebhookSubscription(
        url=command.url, event_types=list(dict.fromkeys(command.event_types)), secret=secret, active=True,
        enabled_at=now, created_by=actor, created_at=now, updated_at=now,
    )
    session.add(row)
    session.flush()
    return IssuedSecret(row, secret)


def get_subscription(session: Session, subscription_id: int) -> WebhookSubscription:
    return get_or_not_found(session, WebhookSubscription, subscription_id, "webhook")


def list_subscriptions(session: Session, *, limit: int, offset: int) -> tuple[list[WebhookSubscription], int]:
    rows = session.scalars(
        select(WebhookSubscription).order_by(col(WebhookSubscription.id)).limit(limit).offset(offset)
    )
    total = session.scalar(select(func.count()).select_from(WebhookSubscription)) or 0
    return list(rows), total


def update_subscription(
    session: Session, subscription_id: int, command: WebhookPatch, *, actor: str, now: datetime, allow_private: bool
) -> WebhookSubscription:
    row = get_subscription(session, subscription_id)
    changes: dict[str, Any] = requested_changes(command, required=lambda name: True)
    if "url" in changes:
        _check_target(changes["url"], allow_private)
    active = changes.get("active")
    if active is False and row.active:  # first: the refresh reads back what the UPDATE wrote
        disable_subscription(session, subscription_id, reason=f"paused by {actor}", now=now)
        session.refresh(row)
    elif active is True and not row.active:
        row.active, row.disabled_reason, row.disabled_at, row.enabled_at = True, None, None, now
    if "url" in changes:
        row.url = changes["url"]
    if "event_types" in changes:
        row.event_types = list(dict.fromkeys(changes["event_types"]))
    row.updated_at = now
    session.add(row)
    session.flush()
    return row


def disable_subscription(session: Session, subscription_id: int, *, reason: str, now: datetime) -> bool:
    """Disable the subscription and cancel its deliveries waiting to be sent (not one being sent now);
    False if it was disabled already."""
    result = session.execute(
        update(WebhookSubscription)
        .where(col(WebhookSubscription.id) == subscription_id, col(WebhookSubscription.active))
        .values(active=False, disabled_reason=reason[:2000], disabled_at=now, updated_at=now)
    )
    disabled = cast(CursorResult[Any], result).rowcount == 1
    if disabled:
        session.execute(move(
            DeliveryEvent.CANCEL,
            DELIVERY_TABLE.c.subscription_id == subscription_id,
            DELIVERY_TABLE.c.status == DeliveryStatus.PENDING.value,
            due_at=None, claim_token=None, next_attempt_at=None,
            last_error=f"cancelled: the subscription was disabled ({reason})"[:2000],
        ))
    return disabled


def rotate_secret(session: Session, subscription_id: int, *, now: datetime, grace_hours: int) -> IssuedSecret:
    """A new secret; the one it replaces signs too, for ``grace_hours`` (none when 0)."""
    row = get_subscription(session, subscription_id)
    secret = new_secret()
    row.previous_secret = row.secret if grace_hours else None
    row.previous_secret_expires_at = now + timedelta(hours=grace_hours) if grace_hours else None
    row.secret, row.secret_rotated_at, row.updated_at = secret, now, now
    session.add(row)
    session.flush()
    return IssuedSecret(row, secret)


def delete_subscription(session: Session, subscription_id: int) -> None:
    """Delete the subscription with its deliveries and their attempts (a worker sending one now
    finds it gone and records nothing)."""
    row = get_subscription(session, subscription_id)
    deliveries = select(col(WebhookDelivery.id)).where(col(WebhookDelivery.subscription_id) == subscription_id)
    session.execute(delete(WebhookAttempt).where(col(WebhookAttempt.delivery_id).in_(deliveries)))
    session.execute(delete(WebhookDelivery).where(col(WebhookDelivery.subscription_id) == subscription_id))
    session.delete(row)
    session.flush()
