"""Strategies as plain data, and what their recorded history says about them on a given day.

Gap rules answer "as of" a day, possibly in the past. The ``strategies`` row holds only the
latest state, so the state on day D is rebuilt from the ``stage_changes`` rows effective on or
before D. Effective dates, not ``created_at``, decide: imported strategies are created today
with history backdated by years.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

from workflow.lifecycle import Interval, LifecycleEvent, in_force_interval


@dataclass(frozen=True)
class HistoryRow:
    """One ``StageChange``: the event, the stages it moved between, and when it took effect."""

    event: str
    from_stage: str
    to_stage: str
    effective_on: date


@dataclass(frozen=True)
class StrategySnapshot:
    """A strategy's current record and its history (rows in the order they were recorded).

    ``created_on`` is the local day the record was created; it only serves to tell that a
    strategy with no history yet already existed on a day (see ``state_on``).
    ``lead_institution_id`` only serves to show or filter whose a strategy is; no rule reads it.
    """

    id: int
    title: str
    policy_area: str
    kind: str
    parent_id: int | None
    predecessor_id: int | None
    period_start: date
    period_end: date
    stage: str
    drafting_due: date | None
    consultation_due: date | None
    approval_due: date | None
    approved_on: date | None
    expiry_reason: str | None
    created_on: date | None
    history: tuple[HistoryRow, ...] = ()
    lead_institution_id: int | None = None

    def rows_effective_by(self, day: date) -> tuple[HistoryRow, ...]:
        return tuple(row for row in self.history if row.effective_on <= day)


@dataclass(frozen=True)
class StrategyState:
    """What the record said about one strategy on ``as_of``.

    ``approved_on`` is set once the ``approve`` transition is effective (it carries the date of
    the act, which starts the in-force interval); ``expired_on`` once ``expire`` is effective.
    """

    snapshot: StrategySnapshot
    as_of: date
    stage: str
    stage_entered_on: date | None
    approved_on: date | None
    expired_on: date | None
    expiry_reason: str | None

    @property
    def id(self) -> int:
        return self.snapshot.id

    @property
    def period_start(self) -> date:
        return self.snapshot.period_start

    @property
    def period_end(self) -> date:
        return self.snapshot.period_end

    @property
    def approved(self) -> bool:
        return self.approved_on is not None

    @cached_property
    def in_force(self) -> Interval | None:
        """The interval in force as recorded on ``as_of`` (it may extend past that day); computed once."""
        return in_force_interval(self)

    def in_force_on(self, day: date) -> bool:
        interval = self.in_force
        return interval is not None and interval.contains(day)


def state_on(snapshot: StrategySnapshot, as_of: date) -> StrategyState | None:
    """The strategy as recorded on ``as_of``, or None when it did not exist yet.

    It existed when a history row is effective by then, or, for a strategy with no effective
    history yet (a fresh draft), when it was created on or before ``as_of``. A strategy created
    today whose history is backdated exists from its first effective row, not from today.
    """
    rows = snapshot.rows_effective_by(as_of)
    if not rows:
        if snapshot.created_on is None or snapshot.created_on > as_of:
            return None
        first_stage = snapshot.history[0].from_stage if snapshot.history else snapshot.stage
        return StrategyState(snapshot, as_of, first_stage, None, None, None, None)
    approved = any(row.event == LifecycleEvent.APPROVE for row in rows)
    expiry = next((row for row in reversed(rows) if row.event == LifecycleEvent.EXPIRE), None)
    return StrategyState(
        snapshot=snapshot,
        as_of=as_of,
        stage=rows[-1].to_stage,
        stage_entered_on=rows[-1].effective_on,
        approved_on=snapshot.approved_on if approved else None,
        expired_on=expiry.effective_on if expiry else None,
        expiry_reason=(snapshot.expiry_reason or "period_ended") if expiry else None,
    )


def states_on(snapshots: list[StrategySnapshot], as_of: date) -> list[StrategyState]:
    """Every strategy that existed on ``as_of``, as recorded then."""
    return [state for state in (state_on(s, as_of) for s in snapshots) if state is not None]

