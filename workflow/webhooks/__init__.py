"""Signed webhooks (Standard Webhooks 1.0): subscriptions, the fan-out of outbox events into
deliveries, and their at-least-once delivery with backoff, a delivery log and SSRF checks.

What it owns: the subscriptions (``subscriptions``: a URL, the event types from ``catalog``, a
``whsec_`` secret and its rotation), the deliveries and their attempts (``models``), the delivery
status table (``statuses``), the fan-out from the outbox and the hand-out of due deliveries that
the scheduler pass runs (``fanout``), the signed body and headers (``signing``), the backoff
(``backoff``), the SSRF check of targets (``targets``), the HTTP request within one deadline
(``posting``) and the sending itself (``sending``), for the ``continuum.deliver_webhooks`` task
and the API's ``/webhooks``.
"""

from __future__ import annotations

from workflow.webhooks.backoff import MAX_ATTEMPTS, RETRY_WAITS, wait_after
from workflow.webhooks.catalog import EVENT_TYPES
from workflow.webhooks.deliveries import LoggedDelivery, delivery_log, get_delivery, redeliver
from workflow.webhooks.fanout import fan_out, hand_out
from workflow.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookFanOut, WebhookSubscription
from workflow.webhooks.posting import HttpPoster, Poster, PostFailed
from workflow.webhooks.sending import Outcome, deliver
from workflow.webhooks.signing import body_of, message_id, new_secret, signed_headers, signing_keys
from workflow.webhooks.statuses import DELIVERIES, DELIVERY_STATUSES, DeliveryEvent, DeliveryStatus
from workflow.webhooks.subscriptions import (
    IssuedSecret,
    WebhookCreate,
    WebhookPatch,
    create_subscription,
    delete_subscription,
    disable_subscription,
    get_subscription,
    list_subscriptions,
    rotate_secret,
    update_subscription,
)
from workflow.webhooks.targets import Target, TargetRefused, check_registered_host, check_url_form, is_public, resolve

TABLES: tuple[type, ...] = (WebhookSubscription, WebhookDelivery, WebhookAttempt, WebhookFanOut)

__all__ = [
    "DELIVERIES",
    "DELIVERY_STATUSES",
    "EVENT_TYPES",
    "MAX_ATTEMPTS",
    "RETRY_WAITS",
    "TABLES",
    "DeliveryEvent",
    "DeliveryStatus",
    "HttpPoster",
    "IssuedSecret",
    "LoggedDelivery",
    "Outcome",
    "PostFailed",
    "Poster",
    "Target",
    "TargetRefused",
    "WebhookAttempt",
    "WebhookCreate",
    "WebhookDelivery",
    "WebhookFanOut",
    "WebhookPatch",
    "WebhookSubscription",
    "body_of",
    "check_registered_host",
    "check_url_form",
    "create_subscription",
    "delete_subscription",
    "deliver",
    "delivery_log",
    "disable_subscription",
    "fan_out",
    "get_delivery",
    "get_subscription",
    "hand_out",
    "is_public",
    "list_subscriptions",
    "message_id",
    "new_secret",
    "redeliver",
    "resolve",
    "rotate_secret",
    "signed_headers",
    "signing_keys",
    "update_subscription",
    "wait_after",
]
