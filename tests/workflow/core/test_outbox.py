from datetime import date

from sqlalchemy import select

from tests import factories as f
from workflow.core.outbox import OutboxEvent, events_after, record_event, record_events


def test_record_event_appends_in_the_callers_transaction(session):
    event = record_event(session, "custom", strategy_id=None, payload={"n": 1}, at=f.T0)
    assert event.id == 1
    assert (event.type, event.payload, event.occurred_at) == ("custom", {"n": 1}, f.T0)
    session.rollback()
    assert session.scalars(select(OutboxEvent)).all() == []


def test_events_after_pages_in_id_order(session):
    ids = [record_event(session, "custom", strategy_id=None, payload={"n": n}, at=f.T0).id for n in range(5)]
    assert [e.id for e in events_after(session, 0, 2)] == ids[:2]
    assert [e.id for e in events_after(session, ids[1], 2)] == ids[2:4]
    assert [e.id for e in events_after(session, ids[3], 10)] == ids[4:]
    assert events_after(session, ids[4], 10) == []


def test_many_events_are_appended_in_one_statement_in_the_order_given(session):
    record_events(session, [
        {"type": "custom", "strategy_id": None, "payload": {"n": n}, "occurred_at": f.T0} for n in range(3)
    ])
    assert [(e.payload["n"], e.tx_id) for e in events_after(session, 0, 10)] == [(0, 0), (1, 0), (2, 0)]
    record_events(session, [])


def test_occurred_at_comes_back_timezone_aware(session):
    record_event(session, "custom", strategy_id=None, payload={}, at=f.T0)
    session.commit()
    session.expunge_all()
    stored = session.scalars(select(OutboxEvent)).one()
    assert stored.occurred_at == f.T0
    assert stored.occurred_at.tzinfo is not None


def test_a_lifecycle_emits_one_event_per_change_in_order(session):
    strategy = f.strategy_in_stage(session, f.institution(session), "expiry", today=date(2026, 1, 5))
    events = events_after(session, 0, 100)
    assert [e.type for e in events] == ["strategy_created"] + ["stage_changed"] * 5
    assert [e.payload["to"] for e in events[1:]] == [
        "consultation", "approval", "implementation", "monitoring", "expiry"
    ]
    assert [e.payload["version"] for e in events[1:]] == [2, 3, 4, 5, 6]
    assert {e.strategy_id for e in events} == {strategy.id}
    assert events[-1].payload["reason"] == "period_ended"
