"""Load a portfolio through the real services: the directory, strategies and the stage writer.

Idempotent by matching: an institution by name (case-insensitive), a contact by institution and
email, a strategy by its key (``import_key``, recorded when the loader creates it), else, for one
loaded before keys existed, by title, policy area and kind. What exists is skipped untouched, so
loading twice changes nothing and an operator's own edits survive a reload. History steps dated
after ``today`` are not applied (the transition guards refuse the future); they are reported as
deferred. The caller owns the transaction (``workflow.db.unit_of_work``).

``continuum import`` reads the same file in bulk (``workflow.portfolio``); this loader keeps to the
services, one transition at a time, as the demo is meant to show them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlmodel import Session, col

from workflow.calendar import working_calendar
from workflow.core import Settings
from workflow.demo.schema import Portfolio
from workflow.directory import (
    Contact,
    ContactCreate,
    InstitutionCreate,
    create_contact,
    create_institution,
    find_institution,
)
from workflow.lifecycle import Strategy
from workflow.portfolio import StrategyRow, create_command, record_through_services

DEMO_ACTOR = "continuum demo"
ENTITIES = ("institutions", "contacts", "strategies")


@dataclass
class LoadReport:
    created: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    stage_changes: int = 0
    consultation_records: int = 0
    deferred: list[str] = field(default_factory=list)

    def summary(self) -> str:
        made = ", ".join(f"{self.created[e]} {e}" for e in ENTITIES)
        kept = ", ".join(f"{self.skipped[e]} {e}" for e in ENTITIES)
        return (
            f"created {made} ({self.stage_changes} stage changes, {self.consultation_records} consultation records); "
            f"skipped (already present) {kept}"
        )


def load_portfolio(
    session: Session,
    portfolio: Portfolio,
    *,
    now: datetime,
    today: date,
    settings: Settings,
    actor: str = DEMO_ACTOR,
) -> LoadReport:
    report = LoadReport()
    calendar = working_calendar(session, settings)
    institution_ids = _load_institutions(session, portfolio, now, report)
    _load_contacts(session, portfolio, institution_ids, now, report)
    strategy_ids: dict[str, int] = {}
    for item in portfolio.strategies:
        existing = _find_strategy(session, item)
        if existing is not None:
            strategy_ids[item.key] = existing
            report.skipped["strategies"] += 1
            continue
        command = create_command(
            item,
            lead_institution_id=institution_ids[item.lead_institution.lower()],
            parent_id=strategy_ids[item.parent] if item.parent else None,
            predecessor_id=strategy_ids[item.predecessor] if item.predecessor else None,
        )
        recorded = record_through_services(
            session, item, command, actor=actor, now=now, today=today, settings=settings, calendar=calendar
        )
        session.execute(update(Strategy).where(col(Strategy.id) == recorded.strategy_id).values(import_key=item.key))
        strategy_ids[item.key] = recorded.strategy_id
        report.created["strategies"] += 1
        report.stage_changes += recorded.stage_changes
        report.consultation_records += recorded.consultation_records
        if recorded.deferred is not None:
            report.deferred.append(recorded.deferred)
    return report


def _load_institutions(session: Session, portfolio: Portfolio, now: datetime, report: LoadReport) -> dict[str, int]:
    ids: dict[str, int] = {}
    for item in portfolio.institutions:
        institution = find_institution(session, item.name)
        if institution is None:
            institution = create_institution(session, InstitutionCreate(name=item.name), now=now)
            report.created["institutions"] += 1
        else:
            report.skipped["institutions"] += 1
        assert institution.id is not None, "found or flushed, the row has its id"
        ids[item.name.lower()] = institution.id
    return ids


def _load_contacts(
    session: Session, portfolio: Portfolio, institution_ids: dict[str, int], now: datetime, report: LoadReport
) -> None:
    for item in portfolio.contacts:
        institution_id = institution_ids[item.institution.lower()]
        exists = session.scalar(
            select(col(Contact.id)).where(
                col(Contact.institution_id) == institution_id, func.lower(col(Contact.email)) == item.email.lower()
            )
        )
        if exists is not None:
            report.skipped["contacts"] += 1
            continue
        command = ContactCreate(
            name=item.name, email=item.email, institution_id=institution_id, language=item.language, roles=item.roles
        )
        create_contact(session, command, now=now)
        report.created["contacts"] += 1


def _find_strategy(session: Session, item: StrategyRow) -> int | None:
    by_key = session.scalar(select(col(Strategy.id)).where(col(Strategy.import_key) == item.key))
    if by_key is not None:
        return by_key
    return session.scalar(
        select(col(Strategy.id))
        .where(
            col(Strategy.import_key).is_(None),
            col(Strategy.title) == item.title,
            col(Strategy.policy_area) == item.policy_area,
            col(Strategy.kind) == item.kind,
        )
        .order_by(col(Strategy.id))
        .limit(1)
    )
