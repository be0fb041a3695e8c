"""Delivering to a real HTTP receiver on loopback, on PostgreSQL: signatures checked with
``standardwebhooks``, a rotated secret, retries, 410, the delivery log, manual redelivery, and a
hanging receiver that delays nobody else."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.workflow.webhooks.helpers import (
    Clock,
    deliveries_of,
    fan_out_and_hand_out,
    log_of,
    loopback_settings,
    record,
    subscribe,
)
from tests.workflow.webhooks.receiver import HANG, TRICKLE, TRICKLED_HEAD, receiver
from workflow import webhooks
from workflow.core import unit_of_work


@pytest.fixture
def hooks():
    with receiver() as state:
        yield state


def _deliver(engine, delivery_id, now: Clock, **settings):
    return webhooks.deliver(engine, delivery_id, clock=now, settings=loopback_settings(**settings))


def test_an_event_arrives_signed_once_with_the_type_time_and_payload(pg_engine, hooks):
    now = Clock.real()
    issued = subscribe(pg_engine, hooks.url(), now=now.at - timedelta(seconds=1))
    event_id = record(pg_engine, "stage_changed", strategy_id=12, at=now.at, to="consultation", version=3)
    (handed,) = fan_out_and_hand_out(pg_engine, now.at, expect=1)

    assert [o.outcome for o in _deliver(pg_engine, handed, now)] == ["delivered"]
    (request,) = hooks.wait_for(1)
    assert Webhook(issued.secret).verify(request.body, request.headers) == {
        "type": "stage_changed", "timestamp": now.at.isoformat().replace("+00:00", "Z"),
        "data": {"to": "consultation", "version": 3, "strategy_id": 12},
    }
    assert request.headers["webhook-id"] == f"evt_{event_id}_sub_{issued.subscription.id}"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["host"] == f"127.0.0.1:{hooks.port}"

    (logged,) = log_of(pg_engine, issued.subscription.id)
    assert (logged.delivery.status, logged.delivery.last_status_code, logged.delivery.attempts) == ("delivered", 204, 1)
    assert [(a.status_code, a.error) for a in logged.attempts] == [(204, None)]
    assert fan_out_and_hand_out(pg_engine, now.advance(timedelta(minutes=1))) == []  # nothing twice
    assert _deliver(pg_engine, handed, now)[0].outcome == "skipped"  # a repeated task sends nothing
    assert len(hooks.requests) == 1


def test_a_rotated_secret_signs_beside_the_new_one_until_its_grace_ends(pg_engine, hooks):
    now = Clock.real()
    issued = subscribe(pg_engine, hooks.url(), now=now.at - timedelta(days=2))
    with unit_of_work(pg_engine) as session:
        rotated = webhooks.rotate_secret(session, issued.subscription.id, now=now.at, grace_hours=24)
    assert rotated.secret != issued.secret
    record(pg_engine, at=now.at)
    (handed,) = fan_out_and_hand_out(pg_engine, now.at, expect=1)
    _deliver(pg_engine, handed, now)
    (request,) = hooks.wait_for(1)
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    Webhook(issued.secret).verify(request.body, request.headers)  # a receiver not switched yet
    Webhook(rotated.secret).verify(request.body, request.headers)  # one that switched

    with unit_of_work(pg_engine) as session:  # rotated again, a day ago: the grace of the second secret is over
        latest = webhooks.rotate_secret(session, issued.subscription.id, now=now.at - timedelta(hours=25),
                                        grace_hours=24)
    record(pg_engine, at=now.at)
    (handed,) = fan_out_and_hand_out(pg_engine, now.at, expect=1)
    _deliver(pg_engine, handed, now)
    second = hooks.wait_for(2)[1]
    assert len(second.headers["webhook-signature"].split(" ")) == 1
    Webhook(latest.secret).verify(second.body, second.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(rotated.secret).verify(second.body, second.headers)


def test_a_500_is_retried_after_the_backoff_and_the_log_shows_both_attempts(pg_engine, hooks):
    now = Clock.real()
    issued = subscribe(pg_engine, hooks.url(), now=now.at - timedelta(seconds=1))
    hooks.answer("/hooks", 500)
    record(pg_engine, at=now.at)
    (handed,) = fan_out_and_hand_out(pg_engine, now.at, expect=1)
    (outcome,) = _deliver(pg_engine, handed, now)
    assert outcome.outcome == "retry" and "answered 500" in outcome.detail
    (logged,) = log_of(pg_engine, issued.subscription.id)
    assert (logged.delivery.status, logged.delivery.last_status_code) == ("pending", 500)
    assert logged.delivery.next_attempt_at == now.at + timedelta(seconds=30)

    assert fan_out_and_hand_out(pg_engine, now.at + timedelta(seconds=29)) == []  # not yet
    assert fan_out_and_hand_out(pg_engine, now.advance(timedelta(seconds=31))) == [handed]
    assert [o.outcome for o in _deliver(pg_engine, handed, now)] == ["delivered"]
    first, second = hooks.wait_for(2)
    assert first.headers["webhook-id"] == second.headers["webhook-id"] and first.body == second.body
    Webhook(issued.secret).verify(second.body, second.headers)
    (logged,) = log_of(pg_engine, issued.subscription.id)
    assert [a.status_code for a in logged.attempts] == [500, 204]
    assert (logged.delivery.status, logged.delivery.next_attempt_at) == ("delivered", None)


def test_a_410_disables_the_subscription_and_cancels_what_waits(pg_engine, hooks):
    now = Clock.real()
    issued = subscribe(pg_engine, hooks.url(), now=now.at - timedelta(seconds=1))
    hooks.answer("/hooks", 410)
    record(pg_engine, at=now.at)
    record(pg_engine, at=now.at)
    (handed,) = fan_out_and_hand_out(pg_engine, now.at, expect=2)
    assert [o.outcome for o in _deliver(pg_engine, handed, now)] == ["failed"]
    with unit_of_work(pg_engine) as session:
        subscription = webhooks.get_subscription(session, issued.subscription.id)
    assert not subscription.active and "410 Gone" in (subscription.disabled_reason or "")
    assert [(d.status, d.last_status_code) for d in deliveries_of(pg_engine, subscription.id)] == [
        ("failed", 410), ("cancelled", None),
    ]
    record(pg_engine, at=now.at)
    assert fan_out_and_hand_out(pg_engine, now.advance(timedelta(minutes=1))) == []
    assert len(deliveries_of(pg_engine, subscription.id)) == 2  # a disabled subscription gets nothing new
    assert len(hooks.requests) == 1


def test_a_failed_delivery_can_be_redelivered_by_hand(pg_engine, hooks):
    now = Clock.real()
    issued = subscribe(pg_engine, hooks.url(), now=now.at - timedelta(seconds=1))
    hooks.answer("/hooks", *[503] * webhooks.MAX_ATTEMPTS)
    record(pg_engine, at=now.at)
    (handed,) = fan_out_and_hand_out(pg_engine, now.at, expect=1)
    outcomes = [_deliver(pg_engine, handed, now)[0].outcome]
    for wait in webhooks.RETRY_WAITS:
        assert fan_out_and_hand_out(pg_engine, now.advance(wait)) == [handed]
        outcomes += [o.outcome for o in _deliver(pg_engine, handed, now)]
    assert outcomes == ["retry"] * (webhooks.MAX_ATTEMPTS - 1) + ["failed"]
    assert fan_out_and_hand_out(pg_engine, now.advance(timedelta(days=1))) == []

    now.at = Clock.real().at  # the admin redelivers it today; the receiver checks timestamps against it
    with unit_of_work(pg_engine) as session:
        redelivered = webhooks.redeliver(session, issued.subscription.id, handed, now=now.at).delivery
    assert (redelivered.status, redelivered.attempts, redelivered.next_attempt_at) == ("pending", 0, now.at)
    assert fan_out_and_hand_out(pg_engine, now.at) == [handed]
    assert [o.outcome for o in _deliver(pg_engine, handed, now)] == ["delivered"]
    last = hooks.wait_for(webhooks.MAX_ATTEMPTS + 1)[-1]
    Webhook(issued.secret).verify(last.body, last.headers)
    (logged,) = log_of(pg_engine, issued.subscription.id)
    assert [a.status_code for a in logged.attempts] == [503] * webhooks.MAX_ATTEMPTS + [204]


def test_a_hanging_receiver_delays_no_other_subscription(pg_engine, hooks):
    now = Clock.real()
    slow = subscribe(pg_engine, hooks.url("/slow"), now=now.at - timedelta(seconds=1)).subscription
    fast = subscribe(pg_engine, hooks.url("/fast"), now=now.at - timedelta(seconds=1)).subscription
    hooks.answer("/slow", HANG)
    for _ in range(3):
        record(pg_engine, at=now.at)
    handed = fan_out_and_hand_out(pg_engine, now.at, expect=6)
    slow_first, fast_first = deliveries_of(pg_engine, slow.id)[0].id, deliveries_of(pg_engine, fast.id)[0].id
    assert handed == [slow_first, fast_first]  # one of each subscription

    stuck: list[list[webhooks.Outcome]] = []
    worker = threading.Thread(target=lambda: stuck.append(_deliver(pg_engine, slow_first, now)), daemon=True)
    worker.start()
    hooks.wait_for(1, "/slow")  # the slow receiver holds that worker

    done = _deliver(pg_engine, fast_first, now)  # another worker: the fast one's whole turn goes through
    assert [o.outcome for o in done] == ["delivered"] * 3
    assert len(hooks.wait_for(3, "/fast")) == 3 and worker.is_alive()
    assert fan_out_and_hand_out(pg_engine, now.at) == []  # the slow one has one in flight: nothing more for it

    hooks.release()
    worker.join(timeout=30)
    assert [o.outcome for o in stuck[0]] == ["delivered"] * 3  # released, it goes on with the rest


def test_a_receiver_that_does_not_answer_in_time_is_retried(pg_engine, hooks):
    now = Clock.real()
    issued = subscribe(pg_engine, hooks.url(), now=now.at - timedelta(seconds=1))
    hooks.answer("/hooks", HANG)
    record(pg_engine, at=now.at)
    (handed,) = fan_out_and_hand_out(pg_engine, now.at, expect=1)
    (outcome,) = _deliver(pg_engine, handed, now, webhook_timeout_seconds=0.5)
    assert outcome.outcome == "retry" and "no answer within 0.5 s" in outcome.detail
    (logged,) = log_of(pg_engine, issued.subscription.id)
    assert [(a.status_code, a.error) for a in logged.attempts] == [(None, "no answer within 0.5 s (ReadTimeout)")]


def test_a_receiver_that_trickles_its_answer_is_cut_off_at_the_timeout_not_at_each_read(pg_engine, hooks):
    """Each byte comes well within the timeout, the whole head far beyond it: the attempt ends as a
    timeout within about one timeout (3x allows for a loaded machine)."""
    timeout = 0.5
    hooks.trickle_seconds = timeout / 5
    assert len(TRICKLED_HEAD) * hooks.trickle_seconds > 6 * timeout
    now = Clock.real()
    issued = subscribe(pg_engine, hooks.url(), now=now.at - timedelta(seconds=1))
    hooks.answer("/hooks", TRICKLE)
    record(pg_engine, at=now.at)
    (handed,) = fan_out_and_hand_out(pg_engine, now.at, expect=1)
    started = time.monotonic()
    (outcome,) = _deliver(pg_engine, handed, now, webhook_timeout_seconds=timeout)
    took = time.monotonic() - started
    assert outcome.outcome == "retry" and "no answer within 0.5 s" in outcome.detail, outcome
    hooks.wait_for(1)
    (logged,) = log_of(pg_engine, issued.subscription.id)
    (attempt,) = logged.attempts
    assert attempt.status_code is None and attempt.error and attempt.error.startswith("no answer within 0.5 s")
    assert timeout * 1000 <= attempt.duration_ms < 3 * timeout * 1000
    assert took < 3 * timeout + 2  # the whole turn: the attempt and its two short transactions


def test_a_target_that_resolves_to_a_private_address_is_refused_at_delivery(pg_engine, hooks):
    now = Clock.real()
    issued = subscribe(pg_engine, hooks.url(host="localhost"), now=now.at - timedelta(seconds=1))
    record(pg_engine, at=now.at)
    (handed,) = fan_out_and_hand_out(pg_engine, now.at, expect=1)
    (outcome,) = _deliver(pg_engine, handed, now, webhook_allow_private=False)
    assert outcome.outcome == "retry" and "not a public address" in outcome.detail
    assert hooks.requests == []
    (logged,) = log_of(pg_engine, issued.subscription.id)
    assert logged.attempts[0].error and logged.attempts[0].error.startswith("refused: localhost resolves to")

    assert fan_out_and_hand_out(pg_engine, now.advance(timedelta(seconds=31))) == [handed]
    assert [o.outcome for o in _deliver(pg_engine, handed, now)] == ["delivered"]  # allowed: sent to the address
    (request,) = hooks.wait_for(1)
    assert request.headers["host"] == f"localhost:{hooks.port}"  # checked and connected to; named as registered
    Webhook(issued.secret).verify(request.body, request.headers)


def test_a_delivery_whose_subscription_changed_is_cancelled_not_sent(pg_engine, hooks):
    now = Clock.real()
    issued = subscribe(pg_engine, hooks.url(), "stage_changed", "gap_warning", now=now.at - timedelta(seconds=1))
    record(pg_engine, "gap_warning", at=now.at)
    (handed,) = fan_out_and_hand_out(pg_engine, now.at, expect=1)
    with unit_of_work(pg_engine) as session:
        patch = webhooks.WebhookPatch(event_types=["stage_changed"])
        webhooks.update_subscription(session, issued.subscription.id, patch, actor="test-admin", now=now.at,
                                     allow_private=True)
    (outcome,) = _deliver(pg_engine, handed, now)
    assert outcome.outcome == "cancelled" and "no longer receives gap_warning" in outcome.detail
    assert hooks.requests == []
    assert [d.status for d in deliveries_of(pg_engine, issued.subscription.id)] == ["cancelled"]
