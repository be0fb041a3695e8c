"""Writing a plan in bulk: INSERTs of many rows at a time, strategy ids taken from the table's
sequence up front (so a row can name one written in the same statement), and an outbox event per
new strategy (``strategy_created``, so the scheduler's change feed sees every one) plus one
``portfolio_imported`` summary. Strategies with consultation rounds go through the services
instead (``services``), in file order between the bulk chunks. The caller's unit of work commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, text, update
from sqlmodel import Session, col

from workflow.calendar import WorkingCalendar
from workflow.core import DomainError, Settings, record_event, record_events
from workflow.directory import Contact, Institution, address_key
from workflow.lifecycle import StageChange, Strategy, StrategyRevision
from workflow.portfolio.plan import Plan, PlannedStrategy
from workflow.portfolio.revisions import stored_changes
from workflow.portfolio.services import create_command, record_through_services

IMPORT_ACTOR = "continuum import"
CHUNK = 5_000
EVENT_CHUNK = 2_000  # one multi-row INSERT each: 10,000 parameters, well within either database's limit


class WriteRefused(Exception):
    """A service refused a strategy written through it (something the plan could not check)."""

    def __init__(self, planned: PlannedStrategy, refused: DomainError) -> None:
        super().__init__(refused.detail)
        self.planned, self.refused = planned, refused


@dataclass
class Written:
    institutions: int = 0
    contacts: int = 0
    strategies: int = 0
    stage_changes: int = 0
    revisions: int = 0
    consultation_records: int = 0
    keys_recorded: int = 0


def allocate_ids(session: Session, table: str, count: int) -> list[int]:
    """``count`` unused ids of ``table``, ascending: from its sequence on PostgreSQL (concurrent
    writers get others), past its largest id on SQLite (one writer at a time; a writer that
    committed since this transaction read makes its INSERT fail, not collide)."""
    if count == 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(
            text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"),
            {"table": table, "count": count},
        )
        return sorted(row[0] for row in rows)
    largest = session.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {table}")).scalar_one()
    return list(range(largest + 1, largest + 1 + count))


def bulk_insert(session: Session, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    """One Core INSERT per chunk, executed for all its rows at once (psycopg pipelines them): the ORM's
    bulk path would split the rows wherever the columns left empty change, e.g. at every other row
    without a predecessor, into a statement each."""
    for offset in range(0, len(rows), CHUNK):
        session.execute(insert(model.__table__), rows[offset:offset + CHUNK])


def write(
    session: Session, plan: Plan, *, now: datetime, today: date, actor: str, settings: Settings,
    calendar: WorkingCalendar,
) -> Written:
    written = Written()
    institution_ids = dict(plan.institution_ids)
    ids = allocate_ids(session, "institutions", len(plan.institutions))
    bulk_insert(session, Institution, [{"id": i, "name": row.name, "created_at": now}
                                       for i, row in zip(ids, plan.institutions, strict=True)])
    institution_ids |= {row.name.lower(): i for i, row in zip(ids, plan.institutions, strict=True)}
    written.institutions = len(ids)
    bulk_insert(session, Contact, [
        {"name": row.name, "email": row.email, "email_key": address_key(row.email),
         "institution_id": institution_ids[row.institution.lower()], "language": row.language,
         "roles": list(dict.fromkeys(row.roles)), "access_role": None, "delivery": row.delivery,
         "created_at": now, "updated_at": now}
        for row in plan.contacts
    ])
    written.contacts = len(plan.contacts)
    writer = _StrategyWriter(session, plan, institution_ids, now=now, actor=actor, written=written)
    for planned in plan.strategies:
        if not planned.through_services:
            writer.pending.append(planned)
            continue
        writer.flush()
        command = create_command(planned.row, **writer.links(planned))
        try:
            recorded = record_through_services(session, planned.row, command, actor=actor, now=now, today=today,
                                               settings=settings, calendar=calendar)
        except DomainError as refused:
            raise WriteRefused(planned, refused) from refused
        writer.ids[planned.row.key] = recorded.strategy_id
        session.execute(update(Strategy).where(col(Strategy.id) == recorded.strategy_id).values(
            import_key=planned.row.key, version=col(Strategy.version) + len(planned.revisions)))
        written.strategies += 1
        written.stage_changes += recorded.stage_changes
        written.consultation_records += recorded.consultation_records
    writer.flush()
    writer.write_revisions()
    if plan.keys_to_record:
        session.execute(update(Strategy), [{"id": i, "import_key": key} for i, key in plan.keys_to_record.items()])
        written.keys_recorded = len(plan.keys_to_record)
    writer.write_events()
    return written


class _StrategyWriter:
    def __init__(self, session: Session, plan: Plan, institution_ids: dict[str, int], *, now: datetime, actor: str,
                 written: Written) -> None:
        self.session, self.plan, self.institution_ids = session, plan, institution_ids
        self.now, self.actor, self.written = now, actor, written
        self.ids: dict[str, int] = dict(plan.strategy_ids)
        self.pending: list[PlannedStrategy] = []
        self.created: list[dict[str, Any]] = []  # rows written in bulk, for their events

    def links(self, planned: PlannedStrategy) -> dict[str, Any]:
        row = planned.row
        return {
            "lead_institution_id": self.institution_ids[row.lead_institution.lower()],
            "parent_id": self.ids[row.parent] if row.parent else None,
            "predecessor_id": self.ids[row.predecessor] if row.predecessor else None,
        }

    def flush(self) -> None:
        if not self.pending:
            return
        ids = allocate_ids(self.session, "strategies", len(self.pending))
        strategies, changes = [], []
        for strategy_id, planned in zip(ids, self.pending, strict=True):
            row = planned.row
            self.ids[row.key] = strategy_id
            strategies.append({
                "id": strategy_id, "title": row.title, "policy_area": row.policy_area, "kind": row.kind,
                **self.links(planned), "period_start": row.start, "period_end": row.end,
                "drafting_due": row.drafting_due, "consultation_due": row.consultation_due,
                "approval_due": row.approval_due, "min_consultation_days": row.min_consultation_days,
                "reminder_offsets": row.reminder_offsets, "overdue_offsets": row.overdue_offsets,
                **planned.replayed.columns, "version": planned.replayed.columns["version"] + len(planned.revisions),
                "import_key": row.key, "created_at": self.now, "updated_at": self.now,
            })
            changes += [
                {**change, "strategy_id": strategy_id, "actor": step.actor or self.actor, "recorded_at": self.now}
                for change, step in zip(planned.replayed.changes, row.history, strict=True)
            ]
        bulk_insert(self.session, Strategy, strategies)
        bulk_insert(self.session, StageChange, changes)
        self.created += strategies
        self.written.strategies += len(strategies)
        self.written.stage_changes += len(changes)
        self.pending = []

    def write_revisions(self) -> None:
        rows = [
            {"strategy_id": self.ids[planned.row.key], "effective_on": revision.effective_on,
             "effective_on_approximate": revision.effective_on_approximate, "actor": revision.actor,
             "changes": stored_changes(revision, strategy_ids=self.ids, institution_ids=self.institution_ids),
             "recorded_at": self.now}
            for planned in self.plan.strategies for revision in planned.revisions
        ]
        bulk_insert(self.session, StrategyRevision, rows)
        self.written.revisions = len(rows)

    def write_events(self) -> None:
        """Last, when the counts are known. Each event carries this transaction's id, as ``record_event``
        gives it, so the feed places them with the transaction, not by when they were inserted."""
        w = self.written
        if not (w.institutions or w.contacts or w.strategies or self.plan.keys_to_record):
            return
        record_event(self.session, "portfolio_imported", strategy_id=None, at=self.now, payload={
            "actor": self.actor, "institutions": w.institutions, "contacts": w.contacts, "strategies": w.strategies,
            "stage_changes": w.stage_changes, "revisions": w.revisions, "keys_recorded": len(self.plan.keys_to_record),
        })
        events = [
            {"type": "strategy_created", "strategy_id": row["id"], "payload": _jsonable(row) | {"actor": self.actor},
             "occurred_at": self.now}
            for row in self.created
        ]
        for offset in range(0, len(events), EVENT_CHUNK):
            record_events(self.session, events[offset:offset + EVENT_CHUNK])


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, (date, datetime)) else v) for k, v in row.items()}

