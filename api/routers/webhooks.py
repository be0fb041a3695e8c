"""Signed webhooks, for admins: subscriptions (the secret is in the creating and rotating responses
only), their delivery log, and redelivery by hand."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field

from api.auth import PrincipalDep, require_roles
from api.deps import MAX_PAGE_SIZE, SessionDep, SettingsDep, id_path
from api.problems import responses
from api.schemas import Page
from workflow import webhooks
from workflow.core import clock

router = APIRouter(prefix="/webhooks", tags=["webhooks"], dependencies=[require_roles()])
WebhookId = Annotated[int, id_path("webhook")]
DeliveryId = Annotated[int, id_path("delivery")]
NO_STORE = "no-store"


class WebhookOut(BaseModel):
    id: int
    url: str
    event_types: list[str]
    active: bool
    disabled_reason: str | None = Field(description="Why it is disabled: paused by an admin, or a 410 Gone.")
    disabled_at: datetime | None
    enabled_at: datetime = Field(
        description="When it was created or last enabled again: it receives the events that occur from then on."
    )
    secret_rotated_at: datetime | None
    previous_secret_expires_at: datetime | None = Field(
        description="Until when the secret replaced by the last rotation still signs deliveries too."
    )
    created_by: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: webhooks.WebhookSubscription) -> WebhookOut:
        assert row.id is not None
        return cls(
            id=row.id, url=row.url, event_types=row.event_types, active=row.active,
            disabled_reason=row.disabled_reason, disabled_at=row.disabled_at, enabled_at=row.enabled_at,
            secret_rotated_at=row.secret_rotated_at,
            previous_secret_expires_at=row.previous_secret_expires_at, created_by=row.created_by,
            created_at=row.created_at, updated_at=row.updated_at,
        )


class WebhookWithSecret(WebhookOut):
    secret: str = Field(description="The signing secret (`whsec_...`). Shown only in this response: store it now.")


class AttemptOut(BaseModel):
    attempted_at: datetime
    status_code: int | None = Field(description="What the receiver answered; null when it did not answer.")
    error: str | None
    duration_ms: int


class DeliveryOut(BaseModel):
    id: int
    webhook_id: str = Field(description="The `webhook-id` header: the same on every attempt.")
    event_id: int
    event_type: str
    status: str = Field(description="pending, sending, delivered, failed or cancelled.")
    attempts: int = Field(description="Tries since it was recorded or last redelivered.")
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime
    log: list[AttemptOut] = Field(description="Every attempt, oldest first.")

    @classmethod
    def of(cls, row: webhooks.WebhookDelivery, attempts: list[webhooks.WebhookAttempt]) -> DeliveryOut:
        assert row.id is not None
        return cls(
            id=row.id, webhook_id=webhooks.message_id(row.event_id, row.subscription_id), event_id=row.event_id,
            event_type=row.event_type, status=row.status, attempts=row.attempts,
            last_status_code=row.last_status_code, last_error=row.last_error, next_attempt_at=row.next_attempt_at,
            delivered_at=row.delivered_at, created_at=row.created_at,
            log=[AttemptOut(attempted_at=a.attempted_at, status_code=a.status_code, error=a.error,
                            duration_ms=a.duration_ms) for a in attempts],
        )


def _with_secret(issued: webhooks.IssuedSecret, response: Response) -> WebhookWithSecret:
    response.headers["Cache-Control"] = NO_STORE
    return WebhookWithSecret(**WebhookOut.of(issued.subscription).model_dump(), secret=issued.secret)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=WebhookWithSecret, responses=responses(422))
def create(
    command: webhooks.WebhookCreate, session: SessionDep, settings: SettingsDep, principal: PrincipalDep,
    response: Response,
) -> WebhookWithSecret:
    """Subscribe `url` to `event_types`. The answer carries the secret deliveries are signed with, once."""
    issued = webhooks.create_subscription(session, command, actor=principal.name, now=clock.now(),
                                          allow_private=settings.webhook_allow_private)
    response.headers["Location"] = f"/webhooks/{issued.subscription.id}"
    return _with_secret(issued, response)


@router.get("", response_model=Page[WebhookOut], responses=responses(422))
def index(
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Page[WebhookOut]:
    rows, total = webhooks.list_subscriptions(session, limit=limit, offset=offset)
    return Page(items=[WebhookOut.of(row) for row in rows], total=total, limit=limit, offset=offset)


@router.get("/event-types", response_model=dict[str, str])
def event_types() -> dict[str, str]:
    """The event types a subscription may ask for, each with what it reports."""
    return webhooks.EVENT_TYPES


@router.get("/{webhook_id}", response_model=WebhookOut, responses=responses(404, 422))
def show(webhook_id: WebhookId, session: SessionDep) -> WebhookOut:
    return WebhookOut.of(webhooks.get_subscription(session, webhook_id))


@router.patch("/{webhook_id}", response_model=WebhookOut, responses=responses(404, 422))
def change(
    webhook_id: WebhookId, command: webhooks.WebhookPatch, session: SessionDep, settings: SettingsDep,
    principal: PrincipalDep,
) -> WebhookOut:
    """Change the URL or the event types, pause (`"active": false`: its waiting deliveries are
    cancelled) or resume it (it then receives the events from then on)."""
    row = webhooks.update_subscription(session, webhook_id, command, actor=principal.name, now=clock.now(),
                                       allow_private=settings.webhook_allow_private)
    return WebhookOut.of(row)


@router.delete("/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT, responses=responses(404, 422))
def remove(webhook_id: WebhookId, session: SessionDep) -> Response:
    """Delete the subscription with its delivery log."""
    webhooks.delete_subscription(session, webhook_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{webhook_id}/rotate-secret", response_model=WebhookWithSecret, responses=responses(404, 422))
def rotate(webhook_id: WebhookId, session: SessionDep, settings: SettingsDep, response: Response) -> WebhookWithSecret:
    """A new secret, shown once. The old one keeps signing too (a second signature in
    `webhook-signature`) for `CONTINUUM_WEBHOOK_SECRET_GRACE_HOURS`."""
    issued = webhooks.rotate_secret(session, webhook_id, now=clock.now(),
                                    grace_hours=settings.webhook_secret_grace_hours)
    return _with_secret(issued, response)


@router.get("/{webhook_id}/deliveries", response_model=Page[DeliveryOut], responses=responses(404, 422))
def deliveries(
    webhook_id: WebhookId,
    session: SessionDep,
    delivery_status: Annotated[webhooks.DeliveryStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Page[DeliveryOut]:
    """The delivery log, newest first: status, attempts with their status codes, the next attempt."""
    logged, total = webhooks.delivery_log(session, webhook_id, limit=limit, offset=offset, status=delivery_status)
    return Page(items=[DeliveryOut.of(entry.delivery, entry.attempts) for entry in logged], total=total,
                limit=limit, offset=offset)


@router.post("/{webhook_id}/deliveries/{delivery_id}/redeliver", response_model=DeliveryOut,
             responses=responses(404, 409, 422))
def redeliver(webhook_id: WebhookId, delivery_id: DeliveryId, session: SessionDep) -> DeliveryOut:
    """Deliver it again, whatever became of it (a failed one too), with a fresh backoff: it is due now,
    and the next scheduler pass hands it to a worker. 409 while it is being sent, or the webhook is disabled."""
    logged = webhooks.redeliver(session, webhook_id, delivery_id, now=clock.now())
    return DeliveryOut.of(logged.delivery, logged.attempts)
