"""Uncertain facts: what the record says is not known exactly.

An approval may be recorded with its act number unknown (``Strategy.approval_reference_unknown``,
never a placeholder reference), and any transition's ``effective_on`` may be flagged approximate
(``StageChange.effective_on_approximate``). On ``approve`` the flag covers the date of the act
(``approved_on``) too: imported approvals are dated by their act, so when the day of one is only
approximate, so is the other.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlmodel import Session, col

from workflow.lifecycle.models import StageChange
from workflow.lifecycle.stages import LifecycleEvent


def approximate_approvals(session: Session, strategy_ids: Collection[int]) -> set[int]:
    """The strategies among ``strategy_ids`` whose latest ``approve`` is dated only approximately."""
    if not strategy_ids:
        return set()
    rows = session.execute(
        select(col(StageChange.strategy_id), col(StageChange.effective_on_approximate))
        .where(col(StageChange.event) == LifecycleEvent.APPROVE.value, col(StageChange.strategy_id).in_(strategy_ids))
        .order_by(col(StageChange.strategy_id), col(StageChange.id))
    )
    latest: dict[int, bool] = {}
    for strategy_id, approximate in rows:
        latest[strategy_id] = bool(approximate)
    return {strategy_id for strategy_id, approximate in latest.items() if approximate}
