"""The delivery status table: sound, and the moves it promises."""

from __future__ import annotations

from workflow.webhooks import DELIVERIES, DeliveryEvent, DeliveryStatus


def test_the_table_has_no_defects():
    assert DELIVERIES.defects() == []


def test_only_a_claimed_delivery_can_be_delivered_retried_or_failed():
    for event in (DeliveryEvent.MARK_DELIVERED, DeliveryEvent.RETRY_LATER, DeliveryEvent.FAIL):
        assert DELIVERIES.sources(event) == ["sending"]


def test_anything_not_being_sent_can_be_redelivered():
    assert DELIVERIES.sources(DeliveryEvent.REDELIVER) == ["pending", "delivered", "failed", "cancelled"]
    assert DELIVERIES.move(DeliveryEvent.REDELIVER).target == DeliveryStatus.PENDING
    assert not DELIVERIES.allows("sending", DeliveryEvent.REDELIVER)


def test_an_expired_claim_can_be_handed_out_and_claimed_again():
    assert DELIVERIES.allows("sending", DeliveryEvent.HAND_OUT) and DELIVERIES.allows("sending", DeliveryEvent.CLAIM)
