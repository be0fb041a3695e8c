"""Strategies as plain data, and what their recorded history says about them on a given day.

Gap rules answer "as of" a day, possibly in the past. The ``strategies`` row holds only the
latest state, so the state on day D is rebuilt from the ``stage_changes`` rows effective on or
before D. Effective dates, not ``created_at``, decide: imported strategies are created today
with history backdated by years, and a strategy exists from the day its drafting started.

Besides the day a report is about (``as_of``), a report can be asked as *known on* a day
(``known_on``): what Continuum had been told by then. ``as_known_on`` undoes the revisions
(edits of deadlines, periods, links ...) effective after that day, latest first, drops the stage
changes effective after it, and leaves out a strategy whose drafting had not started by then.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from functools import cached_property
from typing import Any

from workflow.lifecycle import Interval, LifecycleEvent, in_force_interval


@dataclass(frozen=True)
class HistoryRow:
    """One ``StageChange``: the event, the stages it moved between, and when it took effect."""

    event: str
    from_stage: str
    to_stage: str
    effective_on: date
    effective_on_approximate: bool = False


@dataclass(frozen=True)
class RevisionRow:
    """One ``StrategyRevision``: (field, old value, new value) per changed field, and when it took effect."""

    effective_on: date
    changes: tuple[tuple[str, Any, Any], ...]


@dataclass(frozen=True)
class StrategySnapshot:
    """A strategy's current record and its history (rows in the order they were recorded).

    ``drafting_started_on`` is the day it exists from (see ``state_on``); ``created_on``, the local
    day the record was created, stands in for it when it is not given.
    ``lead_institution_id`` only serves to show or filter whose a strategy is; no rule reads it.
    ``revisions`` are its recorded edits, in the order they were recorded (see ``as_known_on``).
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
    drafting_started_on: date | None = None
    revisions: tuple[RevisionRow, ...] = ()
    approval_reference_unknown: bool = False

    def rows_effective_by(self, day: date) -> tuple[HistoryRow, ...]:
        return tuple(row for row in self.history if row.effective_on <= day)

    @property
    def exists_from(self) -> date | None:
        """The day drafting started (else the day it was recorded): a fresh draft exists from then."""
        return self.drafting_started_on if self.drafting_started_on is not None else self.created_on


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

    @property
    def approval_approximate(self) -> bool:
        """Approved, and the approval's date recorded as approximate (its act's date with it)."""
        return self.approved and any(
            row.event == LifecycleEvent.APPROVE and row.effective_on_approximate
            for row in self.snapshot.rows_effective_by(self.as_of)
        )

    @property
    def approval_reference_unknown(self) -> bool:
        return self.approved and self.snapshot.approval_reference_unknown

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
    history yet (a fresh draft), when its drafting had started on or before ``as_of`` (the day
    it entered that first stage). A strategy created today whose history is backdated exists
    from its first effective row (or its earlier drafting start), not from today.
    """
    rows = snapshot.rows_effective_by(as_of)
    if not rows:
        start = snapshot.exists_from
        if start is None or start > as_of:
            return None
        first_stage = snapshot.history[0].from_stage if snapshot.history else snapshot.stage
        return StrategyState(snapshot, as_of, first_stage, snapshot.drafting_started_on, None, None, None)
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


# What a revision may have changed (the rest comes from the stage history, or is not the record's).
_REVISED = frozenset(f.name for f in fields(StrategySnapshot)) - {
    "id", "stage", "approved_on", "expiry_reason", "created_on", "history", "revisions"
}


def as_known_on(snapshot: StrategySnapshot, known_on: date) -> StrategySnapshot | None:
    """The snapshot as Continuum had been told by ``known_on``, or None when its drafting had not
    started by then (and no stage change was effective by then).

    Revisions effective after ``known_on`` are undone, the latest first, so each changed field
    gets back the value it had before the earliest of them; stage changes effective after it
    are dropped, and the current stage is the last one reached by then.
    """
    later = [revision for revision in snapshot.revisions if revision.effective_on > known_on]
    undone: dict[str, Any] = {}
    for revision in reversed(later):
        for name, old, _new in revision.changes:
            if name in _REVISED:
                undone[name] = old
    rows = snapshot.rows_effective_by(known_on)
    if rows:
        stage = rows[-1].to_stage
    else:
        stage = snapshot.history[0].from_stage if snapshot.history else snapshot.stage
    known = replace(
        snapshot,
        **undone,
        stage=stage,
        history=rows,
        revisions=tuple(revision for revision in snapshot.revisions if revision.effective_on <= known_on),
    )
    start = known.exists_from
    if not rows and (start is None or start > known_on):
        return None
    return known


def snapshots_known_on(snapshots: Sequence[StrategySnapshot], known_on: date | None) -> list[StrategySnapshot]:
    """Every snapshot as known on ``known_on`` (all of them as they are when it is None)."""
    if known_on is None:
        return list(snapshots)
    return [known for known in (as_known_on(s, known_on) for s in snapshots) if known is not None]
