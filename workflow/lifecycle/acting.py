"""A person or token changing a strategy: the authorization and the floors that follow from who
they are, applied the same way whichever adapter (API or console) they came through.

A coordinator acts only on strategies its institution leads, may not hand one to another
institution, links only to what its institution may write, dates a step no earlier than the
strategy's registration, and sets no consultation below the legal minimum; an admin may do all.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Protocol

from sqlmodel import Session

from workflow.calendar import working_calendar
from workflow.core import Settings, local_date
from workflow.lifecycle.guards import ConsultationRecords
from workflow.lifecycle.machine import apply_transition
from workflow.lifecycle.models import Strategy
from workflow.lifecycle.requests import StrategyPatch, TransitionRequest
from workflow.lifecycle.strategies import backdating_floor_for, consultation_floor_for, update_strategy


class Actor(Protocol):
    """Who acts (a ``workflow.access.Principal`` is one)."""

    @property
    def name(self) -> str: ...

    @property
    def role(self) -> str: ...

    def require_institution(self, institution_id: int | None, what: str = "this") -> None: ...


def _leads(actor: Actor, strategy: Strategy) -> None:
    actor.require_institution(strategy.lead_institution_id, f"strategy {strategy.id}")


def transition_as(
    session: Session, actor: Actor, strategy_id: int, request: TransitionRequest, *, settings: Settings,
    now: datetime, if_match: Collection[int] | None, consultation: ConsultationRecords,
) -> Strategy:
    """``apply_transition`` for ``actor``; the history records its name. ``consultation`` is
    ``workflow.consultation.RECORDS`` (passed in: consultation builds on the lifecycle)."""
    return apply_transition(
        session, strategy_id, request, actor=actor.name, authorize=lambda strategy: _leads(actor, strategy),
        now=now, today=local_date(now, settings.zone), default_min_consultation_days=settings.min_consultation_days,
        calendar=lambda: working_calendar(session, settings), consultation=consultation,
        if_match=if_match, backdating_floor=backdating_floor_for(actor.role, settings.zone),
    )


def edit_as(
    session: Session, actor: Actor, strategy_id: int, command: StrategyPatch, *, settings: Settings,
    now: datetime, if_match: Collection[int] | None,
) -> Strategy:
    """``update_strategy`` for ``actor``: both the current and a new lead institution must be its own."""

    def authorize(strategy: Strategy) -> None:
        _leads(actor, strategy)
        if command.lead_institution_id is not None:
            actor.require_institution(command.lead_institution_id, "the new lead_institution_id")

    return update_strategy(
        session, strategy_id, command, now=now, if_match=if_match, authorize=authorize, actor=actor.name,
        authorize_link=actor.require_institution,
        consultation_floor=consultation_floor_for(actor.role, settings.min_consultation_days),
        today=local_date(now, settings.zone), revision_floor=backdating_floor_for(actor.role, settings.zone),
    )
