"""One strategy of a portfolio file written through the real services, one transition at a time:
``create_strategy``, then ``apply_transition`` per step, with the file's consultation rounds
recorded while it is in consultation (just before it goes for approval, as their rules require).

The slow path, a few milliseconds per step: ``continuum demo`` takes it for every strategy, an
import only for strategies with consultation rounds (the rest are written in bulk, ``write``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from workflow.calendar import WorkingCalendar
from workflow.consultation import RECORDS
from workflow.core import Settings
from workflow.lifecycle import LifecycleEvent, StrategyCreate, TransitionRequest, apply_transition, create_strategy
from workflow.portfolio.consultation import seed_rounds
from workflow.portfolio.schema import HistoryStep, StrategyRow


@dataclass
class Recorded:
    strategy_id: int
    stage_changes: int = 0
    consultation_records: int = 0
    deferred: str | None = None  # the first step not applied, dated after today


def create_command(
    row: StrategyRow, *, lead_institution_id: int, parent_id: int | None, predecessor_id: int | None
) -> StrategyCreate:
    assert row.start is not None and row.end is not None, "the file's checks gave the period"
    return StrategyCreate(
        title=row.title, policy_area=row.policy_area, kind=row.kind, parent_id=parent_id,
        predecessor_id=predecessor_id, lead_institution_id=lead_institution_id, period_start=row.start,
        period_end=row.end, drafting_started_on=row.drafting_started_on, drafting_due=row.drafting_due,
        consultation_due=row.consultation_due, approval_due=row.approval_due,
        min_consultation_days=row.min_consultation_days, reminder_offsets=row.reminder_offsets,
        overdue_offsets=row.overdue_offsets,
    )


def transition_request(row: StrategyRow, step: HistoryStep) -> TransitionRequest:
    """The step as a request; the comment records provenance (``StrategyRow.recorded_comment``)."""
    return TransitionRequest(
        event=step.event,
        effective_on=step.effective_on,
        effective_on_approximate=step.effective_on_approximate,
        approved_on=step.approved_on,
        approval_reference=step.approval_reference,
        approval_reference_unknown=step.approval_reference_unknown,
        reason=step.reason,
        comment=row.recorded_comment(step),
    )


def record_through_services(
    session: Session, row: StrategyRow, command: StrategyCreate, *, actor: str, now: datetime, today: date,
    settings: Settings, calendar: WorkingCalendar,
) -> Recorded:
    """Steps dated after ``today`` are not applied (the guards refuse the future): the first is
    returned as ``deferred``, and the strategy stays where the steps before it led."""
    strategy = create_strategy(session, command, now=now, actor=actor, today=today)
    assert strategy.id is not None, "create_strategy flushes, so the row has its id"
    recorded = Recorded(strategy.id)
    seeded = False
    for step in row.history:
        if step.effective_on > today:
            recorded.deferred = f"{row.key}: {step.event} on {step.effective_on.isoformat()} (in the future)"
            break
        if step.event == LifecycleEvent.SUBMIT_FOR_APPROVAL and row.consultation and not seeded:
            recorded.consultation_records += seed_rounds(
                session, strategy.id, row.consultation, actor=actor, settings=settings, now=now
            )
            seeded = True
        apply_transition(
            session, strategy.id, transition_request(row, step), actor=step.actor or actor, now=now, today=today,
            default_min_consultation_days=settings.min_consultation_days, calendar=calendar, consultation=RECORDS,
        )
        recorded.stage_changes += 1
    return recorded
