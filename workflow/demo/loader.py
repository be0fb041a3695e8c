"""Load a portfolio through the real services: the directory, strategies and the stage writer.

Idempotent by matching: an institution by name (case-insensitive), a contact by institution and
email, a strategy by title, policy area and kind. What exists is skipped untouched, so loading
twice changes nothing and an operator's own edits survive a reload. History steps dated after
``today`` are not applied (the transition guards refuse the future); they are reported as
deferred. The caller owns the transaction (``workflow.db.unit_of_work``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from workflow.calendar import working_calendar
from workflow.consultation import RECORDS
from workflow.core import Settings
from workflow.demo.consultation import seed_rounds
from workflow.demo.schema import DemoStep, DemoStrategy, Portfolio
from workflow.directory import (
    Contact,
    ContactCreate,
    InstitutionCreate,
    create_contact,
    create_institution,
    find_institution,
)
from workflow.lifecycle import (
    LifecycleEvent,
    Strategy,
    StrategyCreate,
    TransitionRequest,
    apply_transition,
    create_strategy,
)

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
        command = _create_command(item, institution_ids, strategy_ids)
        strategy = create_strategy(session, command, now=now, actor=actor, today=today)
        assert strategy.id is not None, "create_strategy flushes, so the row has its id"
        strategy_ids[item.key] = strategy.id
        report.created["strategies"] += 1
        for step in item.history:
            if step.effective_on > today:
                report.deferred.append(f"{item.key}: {step.event} on {step.effective_on.isoformat()} (in the future)")
                break
            if step.event == LifecycleEvent.SUBMIT_FOR_APPROVAL and item.consultation:
                report.consultation_records += seed_rounds(
                    session, strategy.id, item.consultation, actor=actor, settings=settings, now=now
                )
            apply_transition(
                session,
                strategy.id,
                _request(item, step),
                actor=actor,
                now=now,
                today=today,
                default_min_consultation_days=settings.min_consultation_days,
                calendar=calendar,
                consultation=RECORDS,
            )
            report.stage_changes += 1
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


def _find_strategy(session: Session, item: DemoStrategy) -> int | None:
    return session.scalar(
        select(col(Strategy.id))
        .where(
            col(Strategy.title) == item.title,
            col(Strategy.policy_area) == item.policy_area,
            col(Strategy.kind) == item.kind,
        )
        .order_by(col(Strategy.id))
        .limit(1)
    )


def _create_command(
    item: DemoStrategy, institution_ids: dict[str, int], strategy_ids: dict[str, int]
) -> StrategyCreate:
    return StrategyCreate(
        title=item.title,
        policy_area=item.policy_area,
        kind=item.kind,
        parent_id=strategy_ids[item.parent] if item.parent else None,
        predecessor_id=strategy_ids[item.predecessor] if item.predecessor else None,
        lead_institution_id=institution_ids[item.lead_institution.lower()],
        period_start=item.period_start,
        period_end=item.period_end,
        drafting_started_on=item.drafting_started_on,
    )


def _request(item: DemoStrategy, step: DemoStep) -> TransitionRequest:
    """The step as a request; the comment records provenance, so the history shows what is sourced.
    What the sources do not give is recorded as such: an approximate date, an unknown act number."""
    notes = [step.comment] if step.comment else []
    if step.event == "approve":
        notes.append(f"Source: {item.source}.")
        if item.approval_uncertain:
            notes.append("Approval date not in the sources: assumed on the first day of the period.")
    return TransitionRequest(
        event=step.event,
        effective_on=step.effective_on,
        effective_on_approximate=step.effective_on_approximate,
        approved_on=step.approved_on,
        approval_reference=step.approval_reference,
        approval_reference_unknown=step.approval_reference_unknown,
        reason=step.reason,
        comment=" ".join(notes) or None,
    )
