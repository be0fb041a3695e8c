"""A strategy in consultation and the people who act on it, for the consultation tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlmodel import Session

from tests import factories as f
from workflow.access import Principal
from workflow.consultation import (
    ConsultationRound,
    EventCreate,
    ResponseCreate,
    RoundClose,
    RoundOpen,
    SubmissionCreate,
    close_round,
    open_round,
    record_event_of_round,
    record_submission,
    respond,
)
from workflow.core import Settings
from workflow.lifecycle import Strategy

# The consultation stage began on Monday 2025-11-03; rounds and records are written "now" on a later day.
ENTERED = date(2025, 11, 3)


def at(day: date) -> datetime:
    """Noon in Tirana on ``day``, as the clock's instant."""
    return datetime.combine(day, time(11), tzinfo=UTC)


@dataclass(frozen=True)
class People:
    institution_id: int
    other_institution_id: int
    coordinator: Principal
    outsider: Principal
    viewer: Principal
    admin: Principal


def people(session: Session) -> People:
    lead = f.institution(session)
    other = f.institution(session, "Ministry of Finance")
    return People(
        lead, other,
        coordinator=Principal(name="arta", role="coordinator", institution_id=lead),
        outsider=Principal(name="besa", role="coordinator", institution_id=other),
        viewer=Principal(name="vera", role="viewer", institution_id=lead),
        admin=Principal(name="root", role="admin", institution_id=None),
    )


def in_consultation(session: Session, institution_id: int, entered: date = ENTERED, **fields: Any) -> Strategy:
    values: dict[str, Any] = {"title": "National Strategy on Migration 2026-2030", "period_start": date(2026, 1, 1),
                              "period_end": date(2030, 12, 31)}
    values.update(fields)
    strategy = f.strategy(session, institution_id, **values)
    assert strategy.id is not None
    return f.advance(session, strategy.id, "submit_for_consultation", today=entered, effective_on=entered)


def a_round(session: Session, actor: Principal, strategy_id: int, settings: Settings, *, today: date,
            **fields: Any) -> ConsultationRound:
    fields.setdefault("channel", "e_register")
    return open_round(session, actor, strategy_id, RoundOpen(**fields), settings=settings, now=at(today))


def closed(session: Session, actor: Principal, round_: ConsultationRound, settings: Settings) -> ConsultationRound:
    assert round_.id is not None
    return close_round(session, actor, round_.id, RoundClose(), settings=settings, now=at(round_.closes_on))


def submission(session: Session, actor: Principal, round_id: int, settings: Settings, *, today: date,
               **fields: Any) -> int:
    values: dict[str, Any] = {"submitted_by": "Elira Dervishi", "category": "diaspora", "received_on": today,
                              "summary": "Count remittances through formal channels too."}
    values.update(fields)
    row = record_submission(session, actor, round_id, SubmissionCreate(**values), settings=settings, now=at(today))
    assert row.id is not None
    return row.id


def answer(session: Session, actor: Principal, submission_id: int, settings: Settings, *, today: date,
           **fields: Any) -> None:
    fields.setdefault("decision", "accepted")
    respond(session, actor, submission_id, ResponseCreate(**fields), settings=settings, now=at(today))


def meeting(session: Session, actor: Principal, round_id: int, settings: Settings, *, today: date,
            **fields: Any) -> None:
    values: dict[str, Any] = {"date": today, "kind": "roundtable", "place": "Tirana",
                              "participants": {"civil_society": 12, "diaspora": 3}}
    values.update(fields)
    record_event_of_round(session, actor, round_id, EventCreate(**values), settings=settings, now=at(today))
