"""Automatic expiry: strategies whose period ended, and predecessors superseded by an approved successor."""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from workflow.calendar import working_calendar
from workflow.core import DomainError, Settings, new_session, unit_of_work
from workflow.lifecycle.in_force import in_force_interval
from workflow.lifecycle.machine import apply_transition
from workflow.lifecycle.models import Strategy
from workflow.lifecycle.requests import TransitionRequest
from workflow.lifecycle.stages import IN_FORCE_STAGES, LifecycleEvent

log = logging.getLogger("continuum.expiry")
SYSTEM_ACTOR = "system"


@dataclass(frozen=True)
class ExpiryDue:
    strategy_id: int
    effective_on: date
    reason: str | None
    comment: str


def expiries_due(strategies: list[Strategy], today: date) -> list[ExpiryDue]:
    """Which in-force strategies must expire as of ``today``, and with what effect.

    A successor (the strategy naming this one as predecessor) that is approved and whose
    period has started supersedes it on the successor's start date; otherwise a strategy
    whose period_end has passed expires the day after period_end.

    Only a successor of the same lead institution supersedes: an automatic supersession acts for
    the successor's institution, which could not have expired another institution's strategy
    itself (a link made across institutions, by an admin or before links were authorized, ends
    nothing; the strategy runs to its period's end unless its own institution expires it).
    """
    lead = {s.id: s.lead_institution_id for s in strategies}
    by_predecessor = {
        s.predecessor_id: s
        for s in strategies
        if s.predecessor_id is not None and s.approved_on and lead.get(s.predecessor_id) == s.lead_institution_id
    }
    due = []
    for strategy in strategies:
        if strategy.stage not in IN_FORCE_STAGES:
            continue
        strategy_id = strategy.id
        assert strategy_id is not None, "strategies read from the database have their id"
        floor = strategy.stage_entered_on or strategy.period_start
        successor = by_predecessor.get(strategy_id)
        successor_interval = in_force_interval(successor) if successor is not None else None
        if (
            successor is not None
            and successor_interval is not None
            and successor_interval.start <= today
            and successor_interval.start <= strategy.period_end
        ):
            due.append(
                ExpiryDue(
                    strategy_id,
                    max(successor_interval.start, floor),
                    "superseded",
                    f"superseded by strategy {successor.id} in force from {successor_interval.start.isoformat()}",
                )
            )
        elif strategy.period_end < today:
            due.append(
                ExpiryDue(
                    strategy_id,
                    max(strategy.period_end + timedelta(days=1), floor),
                    None,
                    f"period ended on {strategy.period_end.isoformat()}",
                )
            )
    return due


def expire_due(
    engine: Engine, *, now: datetime, today: date, settings: Settings, strategy_ids: Collection[int] | None = None
) -> list[int]:
    """Apply every due expiry, each in its own unit of work; returns the ids expired by this call.

    Reads only the candidates (``expiry_candidates``): with ``strategy_ids``, the lapses due and
    the supersessions those strategies take part in, for a pass that knows what changed since the
    last one; without, every supersession too (once a day, when successors' starts come due).
    A strategy another pass expired first is skipped: the conditional update lets one win.
    """
    session = new_session(engine)
    try:
        strategies = expiry_candidates(session, today, strategy_ids)
    finally:
        session.close()
    expired = []
    for due in expiries_due(strategies, today):
        try:
            with unit_of_work(engine) as unit:
                _expire(unit, due, now=now, today=today, settings=settings)
            expired.append(due.strategy_id)
        except DomainError as exc:
            log.info("strategy %s not expired by this pass: %s", due.strategy_id, exc.detail)
    return expired


def expiry_candidates(session: Session, today: date, strategy_ids: Collection[int] | None = None) -> list[Strategy]:
    """The strategies ``expiries_due`` must see: those in force past their period end (by the partial
    index on in-force period ends), and each approved successor with the in-force strategy it names,
    among all of them or, with ``strategy_ids``, where either is one of those or a lapse found."""
    in_force = [stage.value for stage in IN_FORCE_STAGES]
    lapsed = list(session.scalars(
        select(Strategy).where(col(Strategy.stage).in_(in_force), col(Strategy.period_end) < today)
    ))
    successor, predecessor = aliased(Strategy), aliased(Strategy)
    pairs = (
        select(predecessor, successor)
        .join(successor, col(successor.predecessor_id) == col(predecessor.id))
        .where(col(predecessor.stage).in_(in_force), col(successor.approved_on).is_not(None))
    )
    if strategy_ids is not None:
        named = sorted({*strategy_ids, *(s.id for s in lapsed if s.id is not None)})
        if not named:
            return []
        # Every approved successor of a predecessor concerned, as a full read would see them all.
        predecessors_named = select(col(Strategy.predecessor_id)).where(col(Strategy.id).in_(named))
        pairs = pairs.where(or_(col(predecessor.id).in_(named), col(predecessor.id).in_(predecessors_named)))
    found = {s.id: s for s in lapsed}
    for before, after in session.execute(pairs):
        found[before.id] = before
        found[after.id] = after
    return sorted(found.values(), key=lambda s: s.id or 0)  # as a full read would list them


def _expire(
    session: Session, due: ExpiryDue, *, now: datetime, today: date, settings: Settings
) -> None:
    request = TransitionRequest(
        event=LifecycleEvent.EXPIRE, effective_on=due.effective_on, reason=due.reason, comment=due.comment
    )
    apply_transition(
        session,
        due.strategy_id,
        request,
        actor=SYSTEM_ACTOR,
        now=now,
        today=today,
        default_min_consultation_days=settings.min_consultation_days,
        calendar=working_calendar(session, settings),
    )
