"""Consultation rounds and their one writer.

A round opens while its strategy is in the ``consultation`` stage, on a day not in the future and
not before the stage began, and never while another round of the strategy is open. Its closing day
is counted in working days after ``opened_on`` (day 0) with the deployment's calendar: by default
the minimum (the strategy's own ``min_consultation_days``, else ``CONTINUUM_MIN_CONSULTATION_DAYS``);
an explicit one lies between that minimum (only an admin may go below it, as with the strategy's
minimum) and ``CONTINUUM_MAX_CONSULTATION_DAYS``. An extension moves it later, within the same
maximum, with a reason, decided on or before the current closing day. A round closes on or after
its closing day.

``_write`` is the only code that changes a round's state or closing day: it asks the table
(``states``), updates conditionally on the version (of two racing requests one wins), and appends
the history row and the outbox event in the same transaction. Services flush; the boundary commits.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlmodel import Session, col

from workflow.calendar import WorkingCalendar, working_calendar
from workflow.consultation.access import require_records_writer
from workflow.consultation.models import ConsultationRound, RoundChange
from workflow.consultation.requests import RoundClose, RoundExtend, RoundOpen
from workflow.consultation.states import OPENING, ROUNDS, RoundEvent, RoundMove, RoundState
from workflow.core import (
    ConcurrentUpdate,
    Conflict,
    Forbidden,
    GuardRefused,
    Settings,
    StaleVersion,
    ValidationFailed,
    check_seen_version,
    conflict_on_duplicate,
    future_detail,
    get_or_not_found,
    local_date,
    record_event,
)
from workflow.lifecycle import Actor, Stage, Strategy, get_strategy, guards, lock_strategy


@dataclass(frozen=True)
class ClosingBounds:
    """The closing days a round opened on ``opened_on`` may have: ``earliest`` (the minimum, also the
    default) and ``latest`` (the maximum), with the working days each counts."""

    opened_on: date
    earliest: date
    latest: date
    min_days: int
    max_days: int


def closing_bounds(
    strategy: Strategy, opened_on: date, *, settings: Settings, calendar: WorkingCalendar
) -> ClosingBounds:
    minimum = max(guards.required_consultation_days(strategy.min_consultation_days, settings.min_consultation_days), 1)
    maximum = max(settings.max_consultation_days, minimum)
    return ClosingBounds(
        opened_on=opened_on,
        earliest=calendar.add_working_days(opened_on, minimum),
        latest=calendar.add_working_days(opened_on, maximum),
        min_days=minimum,
        max_days=maximum,
    )


def working_days_left(round_: ConsultationRound, today: date, calendar: WorkingCalendar) -> int:
    """Working days from ``today`` (exclusive) to the closing day (inclusive); 0 once it has come."""
    return calendar.working_days_between(today, round_.closes_on)


def get_round(session: Session, round_id: int) -> ConsultationRound:
    return get_or_not_found(session, ConsultationRound, round_id, "consultation round", fresh=True)


def list_rounds(session: Session, strategy_id: int) -> list[ConsultationRound]:
    get_strategy(session, strategy_id)
    query = select(ConsultationRound).where(col(ConsultationRound.strategy_id) == strategy_id)
    return list(session.scalars(query.order_by(col(ConsultationRound.number))))


def round_history(session: Session, round_id: int) -> list[RoundChange]:
    query = select(RoundChange).where(col(RoundChange.round_id) == round_id).order_by(col(RoundChange.id))
    return list(session.scalars(query))


def require_consultation_stage(strategy: Strategy, what: str) -> None:
    if strategy.stage != Stage.CONSULTATION.value:
        raise GuardRefused(
            f"{what} only while the strategy is in consultation; strategy {strategy.id} is in {strategy.stage}",
            stage=strategy.stage,
        )


def _not_in_future(pointer: str, day: date, today: date) -> None:
    if day > today:
        raise ValidationFailed.field(pointer, future_detail(today))


def open_round(
    session: Session, actor: Actor, strategy_id: int, command: RoundOpen, *, settings: Settings, now: datetime
) -> ConsultationRound:
    strategy = lock_strategy(session, strategy_id)
    assert strategy.id is not None, "a strategy read from the database has an id"
    require_records_writer(actor, strategy)
    require_consultation_stage(strategy, "a consultation round opens")
    today = local_date(now, settings.zone)
    opened_on = command.opened_on or today
    _not_in_future("#/opened_on", opened_on, today)
    if strategy.stage_entered_on is not None and opened_on < strategy.stage_entered_on:
        raise ValidationFailed.field(
            "#/opened_on",
            f"must not precede the start of the consultation stage on {strategy.stage_entered_on.isoformat()}",
        )
    rounds = list_rounds(session, strategy.id)
    still_open = [r for r in rounds if r.state == RoundState.OPEN]
    if still_open:
        raise Conflict(
            f"round {still_open[0].number} (/consultations/{still_open[0].id}) is still open: close it first",
            round_id=still_open[0].id,
        )
    previous = rounds[-1] if rounds else None
    if previous is not None and previous.closed_on is not None and opened_on < previous.closed_on:
        raise ValidationFailed.field(
            "#/opened_on", f"must not precede the close of round {previous.number} on {previous.closed_on.isoformat()}"
        )
    bounds = closing_bounds(strategy, opened_on, settings=settings, calendar=working_calendar(session, settings))
    closes_on = command.closes_on or bounds.earliest
    _check_opening_closes_on(closes_on, bounds, admin=actor.role == "admin")
    number = (session.scalar(
        select(func.max(ConsultationRound.number)).where(col(ConsultationRound.strategy_id) == strategy.id)
    ) or 0) + 1
    round_ = ConsultationRound(
        strategy_id=strategy.id, number=number, opened_on=opened_on, closes_on=closes_on,
        channels=list(command.channel), state=ROUNDS.initial.value, version=1, illustrative=command.illustrative,
        effective_on_approximate=command.effective_on_approximate, created_at=now, updated_at=now,
    )
    with conflict_on_duplicate(session, lambda: ConcurrentUpdate(
        f"another round of strategy {strategy.id} was opened at the same moment; reload and retry"
    )):
        session.add(round_)
    _write(session, round_, RoundEvent.OPEN, actor=actor.name, now=now, effective_on=opened_on, closes_on=closes_on,
           announce={"opened_on": opened_on.isoformat(), "channels": round_.channels})
    return round_


def _check_opening_closes_on(closes_on: date, bounds: ClosingBounds, *, admin: bool) -> None:
    if closes_on <= bounds.opened_on:
        raise ValidationFailed.field("#/closes_on", f"must be after opened_on ({bounds.opened_on.isoformat()})")
    if closes_on < bounds.earliest and not admin:
        detail = (
            f"a round closes at least {bounds.min_days} working days after it opens, on "
            f"{bounds.earliest.isoformat()} or later; only an admin may set an earlier day"
        )
        raise Forbidden(detail, errors=[{"pointer": "#/closes_on", "detail": detail}])
    _check_latest(closes_on, bounds)


def _check_latest(closes_on: date, bounds: ClosingBounds) -> None:
    if closes_on > bounds.latest:
        raise ValidationFailed.field(
            "#/closes_on",
            f"a round lasts at most {bounds.max_days} working days (CONTINUUM_MAX_CONSULTATION_DAYS): "
            f"{bounds.latest.isoformat()} at the latest",
        )


def _to_move(
    session: Session, actor: Actor, round_id: int, event: RoundEvent, if_match: Collection[int] | None
) -> tuple[ConsultationRound, Strategy]:
    """The round and its strategy (locked, as for every record), once ``actor`` may move it by ``event``."""
    round_ = get_round(session, round_id)
    strategy = lock_strategy(session, round_.strategy_id)
    require_records_writer(actor, strategy)
    _check_version(round_, if_match)
    _check_allowed(round_, event)
    return round_, strategy


def extend_round(
    session: Session, actor: Actor, round_id: int, command: RoundExtend, *, settings: Settings, now: datetime,
    if_match: Collection[int] | None = None,
) -> ConsultationRound:
    round_, strategy = _to_move(session, actor, round_id, RoundEvent.EXTEND, if_match)
    require_consultation_stage(strategy, "a consultation round is extended")
    today = local_date(now, settings.zone)
    effective_on = command.effective_on or today
    _not_in_future("#/effective_on", effective_on, today)
    if effective_on < round_.opened_on:
        raise ValidationFailed.field("#/effective_on", f"must not precede opened_on ({round_.opened_on.isoformat()})")
    if effective_on > round_.closes_on:
        detail = (f"a round is extended on or before its closing day, {round_.closes_on.isoformat()}; "
                  "close it and open a new round instead")
        if command.effective_on is not None:
            raise ValidationFailed.field("#/effective_on", detail)
        raise GuardRefused(detail, closes_on=round_.closes_on.isoformat())
    if command.closes_on <= round_.closes_on:
        raise ValidationFailed.field(
            "#/closes_on", f"must be after the current closing day, {round_.closes_on.isoformat()}"
        )
    _check_latest(command.closes_on, closing_bounds(
        strategy, round_.opened_on, settings=settings, calendar=working_calendar(session, settings)
    ))
    _write(session, round_, RoundEvent.EXTEND, actor=actor.name, now=now, effective_on=effective_on,
           closes_on=command.closes_on, reason=command.reason, if_match=if_match,
           announce={"closes_on_before": round_.closes_on.isoformat(), "reason": command.reason})
    return get_round(session, round_id)


def close_round(
    session: Session, actor: Actor, round_id: int, command: RoundClose, *, settings: Settings, now: datetime,
    if_match: Collection[int] | None = None,
) -> ConsultationRound:
    round_, strategy = _to_move(session, actor, round_id, RoundEvent.CLOSE, if_match)
    today = local_date(now, settings.zone)
    closed_on = command.closed_on or today
    _not_in_future("#/closed_on", closed_on, today)
    if closed_on < round_.closes_on:
        detail = f"the round runs until {round_.closes_on.isoformat()}; it can be closed on that day or later"
        if command.closed_on is not None:
            raise ValidationFailed.field("#/closed_on", detail)
        raise GuardRefused(detail, closes_on=round_.closes_on.isoformat())
    _write(session, round_, RoundEvent.CLOSE, actor=actor.name, now=now, effective_on=closed_on,
           closes_on=round_.closes_on, reason=command.reason, if_match=if_match, values={"closed_on": closed_on},
           announce={"closed_on": closed_on.isoformat()})
    return get_round(session, round_id)


def _check_version(round_: ConsultationRound, if_match: Collection[int] | None) -> None:
    check_seen_version("round", round_.version, if_match)


def _check_allowed(round_: ConsultationRound, event: RoundEvent) -> RoundMove:
    move = ROUNDS.move(event)
    if not ROUNDS.allows(round_.state, event):
        sources = " or ".join(ROUNDS.sources(event))
        raise Conflict(f"only an {sources} round can be {move.done}; this one is {round_.state}", state=round_.state)
    return move


def _write(
    session: Session, round_: ConsultationRound, event: RoundEvent, *, actor: str, now: datetime,
    effective_on: date, closes_on: date, reason: str | None = None, values: dict[str, Any] | None = None,
    announce: dict[str, Any] | None = None, if_match: Collection[int] | None = None,
) -> None:
    """The one writer of a round's state and closing day: the move, its history row, its event."""
    move = OPENING if event == RoundEvent.OPEN else ROUNDS.move(event)
    before = None if event == RoundEvent.OPEN else round_.closes_on
    from_state = None if event == RoundEvent.OPEN else round_.state
    if event != RoundEvent.OPEN:
        _check_allowed(round_, event)
        result = session.exec(
            update(ConsultationRound)
            .where(col(ConsultationRound.id) == round_.id, col(ConsultationRound.version) == round_.version)
            .values(state=move.target.value, closes_on=closes_on, version=round_.version + 1, updated_at=now,
                    **(values or {}))
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            if if_match is not None:
                raise StaleVersion("the round changed while this request was applied: reload and retry")
            raise ConcurrentUpdate("the round was changed by another request at the same time; reload and retry")
    assert round_.id is not None, "the round was flushed"
    session.add(RoundChange(
        round_id=round_.id, event=event.value, from_state=from_state, to_state=move.target.value,
        closes_on_before=before, closes_on_after=closes_on, reason=reason, actor=actor, effective_on=effective_on,
        recorded_at=now,
    ))
    record_event(session, move.announced_as, strategy_id=round_.strategy_id, at=now, payload={
        "round_id": round_.id, "number": round_.number, "state": move.target.value, "closes_on": closes_on.isoformat(),
        "effective_on": effective_on.isoformat(), "actor": actor, **(announce or {}),
    })
