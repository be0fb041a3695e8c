"""Deadlines: dated things someone must do, derived from the state of the world.

A deadline is identified by a stable ``key`` (``strategy:12:consultation_due``); the
notification ledger is keyed by it, so new sources of deadlines (monitoring reports, say)
only need a new provider that yields ``Deadline`` values, not a new ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from workflow.lifecycle import IN_FORCE_STAGES, Stage

STAGE_DUE_FIELDS = {
    Stage.DRAFTING: "drafting_due",
    Stage.CONSULTATION: "consultation_due",
    Stage.APPROVAL: "approval_due",
}
LAPSE = "period_end"


class HasDeadlineFields(Protocol):
    id: int | None
    stage: str
    period_end: date
    drafting_due: date | None
    consultation_due: date | None
    approval_due: date | None


@dataclass(frozen=True)
class Deadline:
    key: str
    kind: str
    strategy_id: int
    due_on: date

    @property
    def overdue_possible(self) -> bool:
        """A lapse is never 'overdue': the strategy simply expires."""
        return self.kind != LAPSE


def strategy_deadline_key(strategy_id: int, kind: str) -> str:
    return f"strategy:{strategy_id}:{kind}"


def strategy_deadlines(strategy: HasDeadlineFields) -> list[Deadline]:
    """What is due for this strategy now: its current stage's due date, or its lapse while in force."""
    assert strategy.id is not None
    stage = Stage(strategy.stage)
    deadlines = []
    due_field = STAGE_DUE_FIELDS.get(stage)
    if due_field is not None and getattr(strategy, due_field) is not None:
        due_on = getattr(strategy, due_field)
        deadlines.append(Deadline(strategy_deadline_key(strategy.id, due_field), due_field, strategy.id, due_on))
    if stage in IN_FORCE_STAGES:
        deadlines.append(Deadline(strategy_deadline_key(strategy.id, LAPSE), LAPSE, strategy.id, strategy.period_end))
    return deadlines
