"""Small builders for test data, through the same services the API uses."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session

from workflow.calendar import WEEKDAYS_ONLY, WorkingCalendar
from workflow.consultation import RECORDS
from workflow.directory.contacts import create_contact
from workflow.directory.institutions import create_institution
from workflow.directory.requests import ContactCreate, InstitutionCreate
from workflow.lifecycle.guards import ConsultationRecords
from workflow.lifecycle.machine import apply_transition
from workflow.lifecycle.models import Strategy
from workflow.lifecycle.requests import StrategyCreate, TransitionRequest
from workflow.lifecycle.strategies import create_strategy

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def institution(session: Session, name: str = "Ministry of Interior") -> int:
    return create_institution(session, InstitutionCreate(name=name), now=T0).id


def contact(
    session: Session, institution_id: int, roles: list[str], email: str = "coord@example.org", **kw: Any
) -> int:
    command = ContactCreate(
        name=kw.pop("name", "Arta Hoxha"), email=email, institution_id=institution_id, roles=roles, **kw
    )
    return create_contact(session, command, now=T0).id


def strategy(session: Session, institution_id: int, **fields: Any) -> Strategy:
    values: dict[str, Any] = {
        "title": "National Strategy on Migration 2019-2022",
        "policy_area": "migration",
        "lead_institution_id": institution_id,
        "period_start": date(2019, 1, 1),
        "period_end": date(2022, 12, 31),
    }
    values.update(fields)
    return create_strategy(session, StrategyCreate(**values), now=T0, today=T0.date())


def advance(
    session: Session, strategy_id: int, event: str, *, today: date, min_days: int = 20,
    calendar: WorkingCalendar = WEEKDAYS_ONLY, consultation: ConsultationRecords = RECORDS, **fields: Any
) -> Strategy:
    return apply_transition(
        session,
        strategy_id,
        TransitionRequest(event=event, **fields),
        actor="tester",
        now=T0,
        today=today,
        default_min_consultation_days=min_days,
        calendar=calendar,
        consultation=consultation,
    )


# Backdated steps that bring a 2019-2022 strategy (the default above) to each stage; the
# consultation lasts well over 20 working days, so the default guard passes.
STEPS_TO_STAGE: dict[str, list[tuple[str, dict[str, Any]]]] = {"drafting": []}
STEPS_TO_STAGE["consultation"] = [("submit_for_consultation", {"effective_on": date(2019, 1, 7)})]
STEPS_TO_STAGE["approval"] = STEPS_TO_STAGE["consultation"] + [
    ("submit_for_approval", {"effective_on": date(2019, 3, 1)})
]
STEPS_TO_STAGE["implementation"] = STEPS_TO_STAGE["approval"] + [
    ("approve", {"effective_on": date(2019, 3, 5), "approved_on": date(2019, 3, 5),
                 "approval_reference": "DCM No. 400"})
]
STEPS_TO_STAGE["monitoring"] = STEPS_TO_STAGE["implementation"] + [
    ("start_monitoring", {"effective_on": date(2019, 6, 3)})
]
STEPS_TO_STAGE["expiry"] = STEPS_TO_STAGE["monitoring"] + [("expire", {"effective_on": date(2023, 1, 1)})]


def strategy_in_stage(session: Session, institution_id: int, stage: str, *, today: date, **fields: Any) -> Strategy:
    """A strategy brought to ``stage`` through the real transitions (never by writing the stage)."""
    created = strategy(session, institution_id, **fields)
    for event, values in STEPS_TO_STAGE[stage]:
        created = advance(session, created.id, event, today=today, **values)
    return created
