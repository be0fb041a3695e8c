"""The body and the Standard Webhooks headers, checked with the ``standardwebhooks`` package itself."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from workflow.core import OutboxEvent, clock
from workflow.webhooks import body_of, message_id, new_secret, signed_headers, signing_keys

EVENT = OutboxEvent(id=41, type="stage_changed", strategy_id=7, tx_id=0,
                    payload={"from": "drafting", "to": "consultation", "version": 2},
                    occurred_at=datetime(2026, 5, 4, 9, 30, 15, 250000, tzinfo=UTC))


def test_a_secret_is_whsec_and_256_random_bits():
    secret = new_secret()
    assert secret.startswith("whsec_") and len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    assert new_secret() != secret
    Webhook(secret)  # the package accepts it


def test_the_body_is_type_timestamp_and_the_payload_with_the_strategy():
    assert json.loads(body_of(EVENT)) == {
        "type": "stage_changed", "timestamp": "2026-05-04T09:30:15.250000Z",
        "data": {"from": "drafting", "to": "consultation", "version": 2, "strategy_id": 7},
    }
    assert body_of(EVENT) == body_of(EVENT)  # the same text on every attempt


def test_an_event_without_a_strategy_has_none_in_its_data():
    event = OutboxEvent(id=3, type="non_working_day_declared", strategy_id=None, tx_id=0,
                        payload={"day": "2026-12-24"}, occurred_at=EVENT.occurred_at)
    assert json.loads(body_of(event))["data"] == {"day": "2026-12-24"}


def test_the_webhook_id_is_stable_per_event_and_subscription():
    assert message_id(41, 3) == message_id(41, 3) == "evt_41_sub_3"
    assert len({message_id(41, 3), message_id(41, 4), message_id(42, 3)}) == 3


def test_the_headers_verify_with_the_secret_and_not_with_another():
    secret, now = new_secret(), clock.now()
    body = body_of(EVENT)
    headers = signed_headers("evt_41_sub_3", body, signing_keys(secret, None, None, now), now)
    assert headers["webhook-id"] == "evt_41_sub_3"
    assert headers["webhook-timestamp"] == str(int(now.timestamp()))
    assert headers["webhook-signature"].startswith("v1,") and " " not in headers["webhook-signature"]
    assert Webhook(secret).verify(body, headers) == json.loads(body)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace("consultation", "approval"), headers)


def test_during_the_grace_period_both_secrets_sign_and_after_it_only_the_new_one():
    old, new, now = new_secret(), new_secret(), clock.now()
    body = body_of(EVENT)
    keys = signing_keys(new, old, now + timedelta(hours=1), now)
    headers = signed_headers("evt_41_sub_3", body, keys, now)
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(body, headers)
    Webhook(new).verify(body, headers)
    expired = signing_keys(new, old, now - timedelta(seconds=1), now)
    later = signed_headers("evt_41_sub_3", body, expired, now)
    assert len(later["webhook-signature"].split(" ")) == 1
    Webhook(new).verify(body, later)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(body, later)
