"""The due query on PostgreSQL uses the partial index, so its cost follows the rows due.

Shown with EXPLAIN (ANALYZE, BUFFERS) over a ledger with a long history of sent rows: the plan
reads the index, never the table sequentially, and touches about as many buffers with 100,000
closed rows as with 10,000.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.dialects import postgresql

from tests import factories as f
from workflow.core.db import unit_of_work
from workflow.reminders.ledger import due_query

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
DUE_ROWS = 25


def _fill(engine, strategy_id: int, contact_id: int, closed: int, start: int) -> None:
    """``closed`` sent rows (history) plus the same DUE_ROWS pending rows each time."""
    with engine.begin() as connection:
        connection.execute(
            text(
                """
                INSERT INTO notifications (deadline_key, deadline_kind, strategy_id, due_on, offset_days, kind,
                    escalated, contact_id, status, due_at, attempts, details, created_at, sent_at, closed_at)
                SELECT 'history:' || g, 'drafting_due', :sid, DATE '2020-01-01' + (g % 2000), 1, 'deadline_reminder',
                    false, :cid, 'sent', NULL, 1, '{}', :now, :now, :now
                FROM generate_series(:start, :start + :closed - 1) AS g
                """
            ),
            {"sid": strategy_id, "cid": contact_id, "now": NOW, "start": start, "closed": closed},
        )
        connection.execute(text("ANALYZE notifications"))


def _plan(engine) -> dict:
    statement = due_query(NOW).compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    with engine.connect() as connection:
        (raw,) = connection.execute(text(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {statement}")).one()
    return (raw if isinstance(raw, list) else json.loads(raw))[0]["Plan"]


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _buffers(plan: dict) -> int:
    return plan.get("Shared Hit Blocks", 0) + plan.get("Shared Read Blocks", 0)


def test_due_query_reads_the_partial_index_and_its_cost_does_not_grow_with_history(pg_engine):
    with unit_of_work(pg_engine) as s:
        moi = f.institution(s)
        contact = f.contact(s, moi, ["coordinator"])
        strategy = f.strategy(s, moi).id
    with pg_engine.begin() as connection:
        connection.execute(
            text(
                """
                INSERT INTO notifications (deadline_key, deadline_kind, strategy_id, due_on, offset_days, kind,
                    escalated, contact_id, status, due_at, attempts, details, created_at)
                SELECT 'due:' || g, 'drafting_due', :sid, DATE '2026-06-08', 7, 'deadline_reminder',
                    false, :cid, 'pending', :due, 0, '{}', :now
                FROM generate_series(1, :n) AS g
                """
            ),
            {"sid": strategy, "cid": contact, "now": NOW, "due": NOW - timedelta(minutes=5), "n": DUE_ROWS},
        )

    _fill(pg_engine, strategy, contact, closed=10_000, start=0)
    small = _plan(pg_engine)
    _fill(pg_engine, strategy, contact, closed=90_000, start=10_000)
    large = _plan(pg_engine)

    for plan in (small, large):
        kinds = [(n["Node Type"], n.get("Relation Name"), n.get("Index Name")) for n in _nodes(plan)]
        assert any(index == "ix_notifications_due" for _, _, index in kinds), kinds
        assert not any(node == "Seq Scan" for node, _, _ in kinds), kinds
        assert plan["Actual Rows"] == DUE_ROWS
    # Ten times the history, about the same work: the closed rows are not in the index at all.
    assert _buffers(large) <= _buffers(small) + 5, (_buffers(small), _buffers(large))
