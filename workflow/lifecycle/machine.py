"""The one writer of ``Strategy.stage``.

``apply_transition`` checks the table and the guard, moves the stage with a conditional UPDATE on
the version (so of two concurrent requests exactly one wins), and appends the history row and the
``stage_changed`` event in the same transaction. It flushes; the caller's boundary commits.

It reads what the transition needs and nothing more (a transition is on the path of every API
client, see ``benchmarks/transitions.py``): the strategy; whether it is a fresh draft only while it
is in drafting (a strategy past drafting has a transition recorded); the working calendar and the
consultation's records, under the strategy's row lock, only for a transition whose guard reads them
(``Transition.reads_consultation``). The UPDATE's values are the strategy's new state, so the loaded
row takes them as committed rather than being read again. The writes are plain statements, without
the ORM's unit-of-work bookkeeping for one row, and on PostgreSQL a single one (``_write``): the
UPDATE, the history row and the event, which a lost race leaves all unwritten.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Executable, Table, bindparam, insert, select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col

from workflow.calendar import WorkingCalendar
from workflow.core import (
    Forbidden,
    IllegalTransition,
    ValidationFailed,
    event_insert_from,
    future_detail,
    record_event,
)
from workflow.lifecycle.guards import (
    ConsultationProgress,
    ConsultationRecords,
    GuardInput,
    Outstanding,
    consultation_progress,
    required_consultation_days,
)
from workflow.lifecycle.models import StageChange, Strategy
from workflow.lifecycle.requests import TransitionRequest
from workflow.lifecycle.revisions import moved_drafting_start, read_for_transition
from workflow.lifecycle.stages import LifecycleEvent, Stage
from workflow.lifecycle.strategies import check_version, get_strategy, locked_version, lost_race
from workflow.lifecycle.transitions import TRANSITIONS, allowed_events

_STRATEGIES: Table = Strategy.__table__  # type: ignore[attr-defined]  # SQLModel declares them untyped
_STAGE_CHANGES: Table = StageChange.__table__  # type: ignore[attr-defined]
# Built once (their cache keys too); the columns set come with each execution's parameters.
_MOVE = update(_STRATEGIES).where(
    _STRATEGIES.c.id == bindparam("_id"), _STRATEGIES.c.version == bindparam("_version")
)
_RECORD_CHANGE = insert(_STAGE_CHANGES)
_CHANGE_COLUMNS = ["strategy_id", "event", "from_stage", "to_stage", "actor", "comment", "effective_on",
                   "effective_on_approximate", "recorded_at"]


def apply_transition(
    session: Session,
    strategy_id: int,
    request: TransitionRequest,
    *,
    actor: str,
    now: datetime,
    today: date,
    default_min_consultation_days: int,
    calendar: WorkingCalendar | Callable[[], WorkingCalendar],
    consultation: ConsultationRecords | None = None,
    if_match: Collection[int] | None = None,
    authorize: Callable[[Strategy], None] | None = None,
    backdating_floor: Callable[[Strategy], date] | None = None,
) -> Strategy:
    strategy, fresh_draft = read_for_transition(session, strategy_id)
    if authorize is not None:  # on the version the conditional UPDATE below is pinned to
        authorize(strategy)
    check_version(strategy, if_match)
    transition = TRANSITIONS[LifecycleEvent(request.event)]
    source = Stage(strategy.stage)
    if source not in transition.sources:
        raise IllegalTransition(transition.event.value, source.value, allowed_events(source))

    effective_on = request.effective_on or today
    # A fresh draft's drafting start is no floor: a first step dated earlier moves it back.
    fresh = source is Stage.DRAFTING and fresh_draft
    _check_effective_on(effective_on, None if fresh else strategy.stage_entered_on, today)
    if backdating_floor is not None:
        _check_backdating(effective_on, backdating_floor(strategy))
    reads = transition.reads_consultation
    transition.guard(
        GuardInput(
            strategy=strategy,
            request=request,
            effective_on=effective_on,
            today=today,
            min_consultation_days=required_consultation_days(
                strategy.min_consultation_days, default_min_consultation_days
            ),
            calendar=(calendar() if callable(calendar) else calendar) if reads else None,
            outstanding=_outstanding(session, strategy, consultation, effective_on, if_match) if reads else None,
        )
    )

    values: dict[str, Any] = {
        "stage": transition.target.value,
        "stage_entered_on": effective_on,
        "version": strategy.version + 1,
        "updated_at": now,
        **transition.effects(request, effective_on),
        **(moved_drafting_start(strategy, effective_on) if fresh else {}),
    }

    change = {
        "event": transition.event.value,
        "from_stage": source.value,
        "to_stage": transition.target.value,
        "actor": actor,
        "comment": request.comment,
        "effective_on": effective_on,
        "effective_on_approximate": request.effective_on_approximate,
        "recorded_at": now,
    }
    payload = {
        "event": transition.event.value,
        "from": source.value,
        "to": transition.target.value,
        "effective_on": effective_on.isoformat(),
        "effective_on_approximate": request.effective_on_approximate,
        "actor": actor,
        "version": values["version"],
        **{key: values.get(column, getattr(strategy, column)) for key, column in transition.announces.items()},
    }
    if not _write(session, strategy, values, change, payload, now):
        raise lost_race(if_match)
    for column, value in values.items():  # the row as written: nothing to read back
        set_committed_value(strategy, column, value)
    return strategy


def _write(
    session: Session, strategy: Strategy, values: dict[str, Any], change: dict[str, Any], payload: dict[str, Any],
    now: datetime,
) -> bool:
    """The move (if the strategy still has the version read), its history row and its ``stage_changed``
    event; False when the move lost a race, and then nothing is written. On PostgreSQL one statement
    (a data-modifying ``WITH``: the history and the event are selected from the moved row, so a
    lost race writes neither); elsewhere three. Plain statements: none of the ORM's bookkeeping."""
    connection = session.connection()
    moving = {"_id": strategy.id, "_version": strategy.version, **values}
    if connection.dialect.name == "postgresql":
        written = connection.execute(_move_statement(frozenset(values)), {
            **moving, **{f"change_{name}": value for name, value in change.items()},
            "event_payload": payload, "event_at": now,
        })
        return written.first() is not None
    if connection.execute(_MOVE, moving).rowcount != 1:
        return False
    connection.execute(_RECORD_CHANGE, {"strategy_id": strategy.id, **change})
    record_event(session, "stage_changed", strategy_id=strategy.id, payload=payload, at=now)
    return True


@cache
def _move_statement(columns: frozenset[str]) -> Executable:
    """PostgreSQL's one statement for ``_write``, for a move that sets ``columns`` (a few sets in all)."""
    moved = (
        update(_STRATEGIES)
        .where(_STRATEGIES.c.id == bindparam("_id"), _STRATEGIES.c.version == bindparam("_version"))
        .values({name: bindparam(name, type_=_STRATEGIES.c[name].type) for name in sorted(columns)})
        .returning(_STRATEGIES.c.id)
        .cte("moved")
    )
    recorded = [name for name in _CHANGE_COLUMNS if name != "strategy_id"]
    history = insert(_STAGE_CHANGES).from_select(_CHANGE_COLUMNS, select(
        moved.c.id, *(bindparam(f"change_{name}", type_=_STAGE_CHANGES.c[name].type) for name in recorded)
    )).cte("history")
    return event_insert_from("stage_changed", moved.c.id).add_cte(history)


def _outstanding(
    session: Session, strategy: Strategy, consultation: ConsultationRecords | None, on: date,
    if_match: Collection[int] | None,
) -> Outstanding | None:
    """The consultation's loose ends on the transition's day, asked (by a transition whose guard reads
    them) only when leaving the consultation stage, under the row lock the records' writers take; a
    strategy changed since it was checked above is a lost race (its checks ran on the older version)."""
    if consultation is None or strategy.stage != Stage.CONSULTATION.value or strategy.id is None:
        return None
    if locked_version(session, strategy.id) != strategy.version:
        raise lost_race(if_match)
    return consultation.outstanding(session, strategy.id, on)


def _check_effective_on(effective_on: date, previous: date | None, today: date) -> None:
    if effective_on > today:
        raise ValidationFailed.field("#/effective_on", future_detail(today))
    if previous is not None and effective_on < previous:
        raise ValidationFailed.field(
            "#/effective_on", f"must not precede the previous transition, effective on {previous.isoformat()}"
        )


def _check_backdating(effective_on: date, floor: date) -> None:
    """History from before a strategy was registered is imported by an admin: otherwise a
    backdated consultation would satisfy the legal minimum without having lasted it."""
    if effective_on < floor:
        raise Forbidden(
            f"only an admin may record a transition effective before {floor.isoformat()}, "
            "the day this strategy was registered (importing earlier history)",
            errors=[{"pointer": "#/effective_on", "detail": f"must not precede {floor.isoformat()}"}],
        )


def consultation_status(
    strategy: Strategy, *, today: date, default_min_consultation_days: int, calendar: WorkingCalendar
) -> ConsultationProgress | None:
    """Where a strategy in consultation stands against its minimum today, by the rule its
    ``submit_for_approval`` guard applies (so a page can say so before anyone presses the button);
    None outside consultation or when nothing is counted."""
    if strategy.stage != Stage.CONSULTATION.value:
        return None
    required = required_consultation_days(strategy.min_consultation_days, default_min_consultation_days)
    return consultation_progress(strategy.stage_entered_on, today, required, calendar)


def history(session: Session, strategy_id: int) -> list[StageChange]:
    get_strategy(session, strategy_id)
    query = select(StageChange).where(col(StageChange.strategy_id) == strategy_id).order_by(col(StageChange.id))
    return list(session.scalars(query))
