"""What a receiver gets: the body, and the Standard Webhooks 1.0 headers that sign it.

The body is ``{"type", "timestamp", "data"}``: the event's type, when it occurred (UTC, ISO 8601)
and its payload, plus ``strategy_id`` when the event concerns a strategy. The same event gives the
same body on every attempt; ``webhook-id`` is the same too (one per event and subscription), so a
receiver can recognise a repeat. ``webhook-timestamp`` is the attempt's time and
``webhook-signature`` is ``v1,`` and the base64 HMAC-SHA256 of ``id.timestamp.body`` with the
subscription's secret; while a rotated secret's grace period lasts, a second signature with the
old secret follows, space-separated.
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from math import floor
from typing import Any

from standardwebhooks.webhooks import Webhook

from workflow.core import OutboxEvent

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32


def new_secret() -> str:
    """A fresh signing secret: ``whsec_`` and 256 random bits in base64 (the Standard Webhooks form)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def message_id(event_id: int, subscription_id: int) -> str:
    """``webhook-id``: the same for every attempt at delivering one event to one subscription."""
    return f"evt_{event_id}_sub_{subscription_id}"


def _instant(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def body_of(event: OutboxEvent) -> str:
    """The JSON body for ``event`` (compact, keys in a fixed order: the same text every time)."""
    data: dict[str, Any] = dict(event.payload)
    if event.strategy_id is not None:
        data["strategy_id"] = event.strategy_id
    return json.dumps(
        {"type": event.type, "timestamp": _instant(event.occurred_at), "data": data},
        separators=(",", ":"), ensure_ascii=False, sort_keys=False,
    )


@dataclass(frozen=True)
class SigningKeys:
    """The secrets a delivery is signed with now: the current one, and the previous one in its grace."""

    current: str
    previous: str | None = None


def signing_keys(secret: str, previous: str | None, previous_expires_at: datetime | None, now: datetime) -> SigningKeys:
    in_grace = previous is not None and previous_expires_at is not None and now < previous_expires_at
    return SigningKeys(secret, previous if in_grace else None)


def signed_headers(msg_id: str, body: str, keys: SigningKeys, at: datetime) -> dict[str, str]:
    """The three Standard Webhooks headers and the content type, for ``body`` sent at ``at``."""
    stamp = datetime.fromtimestamp(floor(at.timestamp()), UTC)
    signatures = [Webhook(keys.current).sign(msg_id, stamp, body)]
    if keys.previous is not None:
        signatures.append(Webhook(keys.previous).sign(msg_id, stamp, body))
    return {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(floor(at.timestamp())),
        "webhook-signature": " ".join(signatures),
    }
