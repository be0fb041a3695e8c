"""What a strategy's record said before it was edited, and since when drafting has been under way.

A ``PATCH`` is recorded as a ``StrategyRevision``: each changed field as ``[old, new]``, effective
on the day the change was really made (``effective_on``: today by default, earlier to import a
ministry's past edits, never in the future nor before the previous revision; before the day the
strategy was registered only for an admin, like a backdated transition). Undoing the revisions
effective after a day gives the record as it was known on that day (``workflow.gaps``).

``drafting_started_on`` is the day drafting began: by default the day the strategy was registered,
earlier when given, never in the future nor after the first transition. A fresh draft has entered
its stage on it; a first transition dated before it shows drafting had begun by then, and moves it back.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, bindparam, exists, select
from sqlmodel import Session, col

from workflow.core import FieldError, Forbidden, NotFound, ValidationFailed, future_detail, get_or_not_found
from workflow.lifecycle.models import StageChange, Strategy, StrategyRevision

_CHANGES: Table = StageChange.__table__  # type: ignore[attr-defined]  # SQLModel declares it untyped
_FIRST_TRANSITION_ON = (  # built once, of the table's columns: a transition out of drafting asks it
    select(_CHANGES.c.effective_on)
    .where(_CHANGES.c.strategy_id == bindparam("strategy_id"))
    .order_by(_CHANGES.c.id)
    .limit(1)
)


def first_transition_on(session: Session, strategy_id: int) -> date | None:
    """The effective day of the strategy's first recorded transition; None for a fresh draft."""
    day: date | None = session.scalar(_FIRST_TRANSITION_ON, {"strategy_id": strategy_id})
    return day


_WITH_FRESHNESS = (  # built once: every transition reads the strategy so
    select(Strategy, ~exists().where(_CHANGES.c.strategy_id == col(Strategy.id)))
    .where(col(Strategy.id) == bindparam("strategy_id"))
    .execution_options(populate_existing=True)
)


def read_for_transition(session: Session, strategy_id: int) -> tuple[Strategy, bool]:
    """The strategy as committed now (``NotFound`` if there is none), and whether it is a fresh draft:
    no transition recorded yet, so its ``stage_entered_on`` is only its drafting start, no floor.
    One statement: a transition needs both."""
    row = session.execute(_WITH_FRESHNESS, {"strategy_id": strategy_id}).one_or_none()
    if row is None:
        raise NotFound(f"no strategy with id {strategy_id}")
    strategy, fresh = row
    return strategy, bool(fresh)


def moved_drafting_start(strategy: Strategy, effective_on: date) -> dict[str, date]:
    """For a fresh draft's first transition: drafting had begun by the day it took effect."""
    return {"drafting_started_on": effective_on} if effective_on < strategy.drafting_started_on else {}


def check_drafting_start(day: date, *, today: date, first_transition: date | None) -> None:
    if day > today:
        raise ValidationFailed.field(
            "#/drafting_started_on", future_detail(today)
        )
    if first_transition is not None and day > first_transition:
        raise ValidationFailed.field(
            "#/drafting_started_on",
            f"must not be after the first transition, effective on {first_transition.isoformat()}",
        )


def last_revision_on(session: Session, strategy_id: int) -> date | None:
    return session.scalar(
        select(col(StrategyRevision.effective_on))
        .where(col(StrategyRevision.strategy_id) == strategy_id)
        .order_by(col(StrategyRevision.id).desc())
        .limit(1)
    )


def check_revision_day(
    session: Session, strategy: Strategy, effective_on: date, *, today: date, floor: date | None
) -> None:
    """``floor`` is the earliest day this writer may date a change (None: an admin, no floor)."""
    if effective_on > today:
        raise ValidationFailed.field("#/effective_on", future_detail(today))
    assert strategy.id is not None, "a strategy read from the database has an id"
    previous = last_revision_on(session, strategy.id)
    if previous is not None and effective_on < previous:
        raise ValidationFailed.field(
            "#/effective_on", f"must not precede the previous change, effective on {previous.isoformat()}"
        )
    if floor is not None and effective_on < floor:
        raise Forbidden(
            f"only an admin may record a change effective before {floor.isoformat()}, "
            "the day this strategy was registered (importing earlier edits)",
            errors=[FieldError("#/effective_on", f"must not precede {floor.isoformat()}").as_dict()],
        )


def record_revision(
    session: Session,
    strategy_id: int,
    changes: Mapping[str, list[Any]],
    *,
    effective_on: date,
    approximate: bool,
    actor: str | None,
    now: datetime,
) -> StrategyRevision:
    revision = StrategyRevision(
        strategy_id=strategy_id,
        changes=dict(changes),
        effective_on=effective_on,
        effective_on_approximate=approximate,
        actor=actor,
        recorded_at=now,
    )
    session.add(revision)
    return revision


def revisions_of(session: Session, strategy_id: int) -> list[StrategyRevision]:
    """The strategy's revisions in the order they were recorded (``NotFound`` for no such strategy)."""
    get_or_not_found(session, Strategy, strategy_id, "strategy")
    query = (
        select(StrategyRevision)
        .where(col(StrategyRevision.strategy_id) == strategy_id)
        .order_by(col(StrategyRevision.id))
    )
    return list(session.scalars(query))
