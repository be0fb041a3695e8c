"""From outbox events to deliveries, and from due deliveries to the queue, on both backends."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta

from sqlalchemy import event, update

from tests.waiting import wait_until
from tests.workflow.webhooks.helpers import deliveries_of, fan_out, fan_out_and_hand_out, record, subscribe
from workflow import webhooks
from workflow.core import clock, events_after, record_events, unit_of_work

LEASE = timedelta(minutes=10)


def _hand_out(engine, now) -> list[int]:
    with unit_of_work(engine) as session:
        return webhooks.hand_out(session, now, lease=LEASE)


def test_each_event_is_recorded_once_for_each_active_subscription_that_wants_it(db):
    before = record(db, "stage_changed")  # before any subscription: nobody gets it
    wants = subscribe(db, "http://127.0.0.1:9/a", "stage_changed", "gap_warning").subscription
    other = subscribe(db, "http://127.0.0.1:9/b", "report_accepted").subscription
    paused = subscribe(db, "http://127.0.0.1:9/c", "stage_changed").subscription
    with unit_of_work(db) as session:
        webhooks.disable_subscription(session, paused.id, reason="test", now=clock.now())
    stage, warning, report = record(db, "stage_changed"), record(db, "gap_warning"), record(db, "report_accepted")
    record(db, "strategy_updated")

    assert fan_out(db, expect=3) == 3
    assert fan_out(db) == 0  # the cursor moved on; nothing recorded twice
    assert [(d.event_id, d.event_type, d.status) for d in deliveries_of(db, wants.id)] == [
        (stage, "stage_changed", "pending"), (warning, "gap_warning", "pending"),
    ]
    assert [d.event_id for d in deliveries_of(db, other.id)] == [report]
    assert deliveries_of(db, paused.id) == []
    assert before not in {d.event_id for d in deliveries_of(db, wants.id)}

    later = record(db, "gap_warning")
    assert fan_out(db, expect=1) == 1
    assert deliveries_of(db, wants.id)[-1].event_id == later


def test_without_an_active_subscription_the_fan_out_reads_nothing_else(db):
    record(db)
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db, "before_cursor_execute", listener)
    try:
        assert fan_out(db) == 0
    finally:
        event.remove(db, "before_cursor_execute", listener)
    assert len(statements) == 1 and "webhook_subscriptions" in statements[0]


def test_a_cursor_the_feed_does_not_know_reads_the_feed_again_recording_nothing_twice(db, caplog):
    sub = subscribe(db, "http://127.0.0.1:9/a").subscription
    record(db)
    assert fan_out(db, expect=1) == 1
    with unit_of_work(db) as session:
        session.execute(update(webhooks.WebhookFanOut).values(events_through=987_654))
    record(db)
    with caplog.at_level(logging.WARNING, logger="continuum.webhooks"):
        assert fan_out(db, expect=1) == 1
    assert "names no event" in caplog.text
    assert len(deliveries_of(db, sub.id)) == 2


def test_the_fan_out_pages_through_a_long_backlog_with_one_insert_per_page(db):
    first = subscribe(db, "http://127.0.0.1:9/a").subscription
    second = subscribe(db, "http://127.0.0.1:9/b").subscription
    for _ in range(3):
        with unit_of_work(db) as session:
            events = [{"type": "stage_changed", "strategy_id": 1, "payload": {}, "occurred_at": clock.now()}
                               for _ in range(400)]
            record_events(session, events)
    with unit_of_work(db) as session:  # all in the feed (PostgreSQL may hold events back for a while)
        wait_until(lambda: len(events_after(session, 0, 5000)), lambda n: n >= 1200, waiting_for="1200 events")
    seen: Counter[str] = Counter()
    listener = lambda _c, _cur, statement, *_a: seen.update([" ".join(statement.split()[:3])])  # noqa: E731
    event.listen(db, "before_cursor_execute", listener)
    try:
        assert fan_out(db) == 2400
    finally:
        event.remove(db, "before_cursor_execute", listener)
    assert len(deliveries_of(db, first.id)) == len(deliveries_of(db, second.id)) == 1200
    assert seen["INSERT INTO webhook_deliveries"] == 5  # 2 pages of events: 2000 rows, 400 rows; 500 a statement
    assert sum(seen.values()) <= 12


def test_hand_out_gives_one_due_delivery_per_subscription_and_none_while_one_is_in_flight(db):
    now = clock.now()
    first = subscribe(db, "http://127.0.0.1:9/a", now=now - timedelta(minutes=1)).subscription
    second = subscribe(db, "http://127.0.0.1:9/b", now=now - timedelta(minutes=1)).subscription
    for _ in range(3):
        record(db, at=now)
    handed = fan_out_and_hand_out(db, now, expect=6)
    oldest = [deliveries_of(db, first.id)[0].id, deliveries_of(db, second.id)[0].id]
    assert handed == oldest
    assert _hand_out(db, now + timedelta(minutes=1)) == []  # queued: in flight until its lease passes
    assert _hand_out(db, now + LEASE + timedelta(seconds=1)) == oldest  # never claimed: handed out again


def test_a_disabled_subscription_has_nothing_handed_out(db):
    now = clock.now()
    sub = subscribe(db, "http://127.0.0.1:9/a", now=now - timedelta(minutes=1)).subscription
    record(db, at=now)
    fan_out(db, now, expect=1)
    with unit_of_work(db) as session:
        webhooks.disable_subscription(session, sub.id, reason="paused by test", now=now)
    assert _hand_out(db, now) == []
    (delivery,) = deliveries_of(db, sub.id)
    assert (delivery.status, delivery.due_at) == ("cancelled", None)
    assert "paused by test" in (delivery.last_error or "")


def _set_active(engine, subscription_id: int, active: bool, at) -> webhooks.WebhookSubscription:
    with unit_of_work(engine) as session:
        return webhooks.update_subscription(session, subscription_id, webhooks.WebhookPatch(active=active),
                                            actor="test-admin", now=at, allow_private=True)


def test_a_resumed_subscription_gets_only_events_from_its_resumption_when_it_was_the_only_one(db):
    start = clock.now() - timedelta(minutes=10)
    sub = subscribe(db, "http://127.0.0.1:9/a", now=start).subscription
    _set_active(db, sub.id, False, start + timedelta(minutes=1))
    record(db, at=start + timedelta(minutes=2))  # while paused
    assert fan_out(db) == 0  # nobody active: the pass stops early, its cursor where it was
    resumed = _set_active(db, sub.id, True, start + timedelta(minutes=3))
    assert resumed.enabled_at == start + timedelta(minutes=3)
    after = record(db, at=start + timedelta(minutes=4))
    assert fan_out(db, expect=1) == 1
    assert [d.event_id for d in deliveries_of(db, sub.id)] == [after]


def test_a_resumed_subscription_gets_only_events_from_its_resumption_while_another_was_active(db):
    start = clock.now() - timedelta(minutes=10)
    paused = subscribe(db, "http://127.0.0.1:9/a", now=start).subscription
    other = subscribe(db, "http://127.0.0.1:9/b", now=start).subscription
    _set_active(db, paused.id, False, start + timedelta(minutes=1))
    fanned = record(db, at=start + timedelta(minutes=2))  # while paused, fanned out before the resumption
    assert fan_out(db, expect=1) == 1
    not_yet = record(db, at=start + timedelta(minutes=3))  # while paused, not fanned out before it
    _set_active(db, paused.id, True, start + timedelta(minutes=4))
    after = record(db, at=start + timedelta(minutes=5))
    assert fan_out(db, expect=3) == 3
    assert [d.event_id for d in deliveries_of(db, paused.id)] == [after]
    assert [d.event_id for d in deliveries_of(db, other.id)] == [fanned, not_yet, after]


def test_a_subscription_disabled_by_a_410_and_enabled_again_gets_events_from_then_on(db):
    start = clock.now() - timedelta(minutes=10)
    sub = subscribe(db, "http://127.0.0.1:9/a", now=start).subscription
    assert sub.enabled_at == start
    with unit_of_work(db) as session:
        webhooks.disable_subscription(session, sub.id, reason="the receiver answered 410 Gone",
                                      now=start + timedelta(minutes=1))
    record(db, at=start + timedelta(minutes=2))
    _set_active(db, sub.id, True, start + timedelta(minutes=3))
    after = record(db, at=start + timedelta(minutes=3))  # at the very instant it was enabled: included
    assert fan_out(db, expect=1) == 1
    assert [d.event_id for d in deliveries_of(db, sub.id)] == [after]
