"""Plain-data strategies for the pure gap, timeline and projection tests.

``snap`` builds a ``StrategySnapshot`` from its events; from/to stages follow the real
transition table, so a history that the lifecycle could not produce fails loudly here.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count
from typing import Any

from workflow.gaps.history import HistoryRow, StrategySnapshot
from workflow.gaps.rules import default_typical_days
from workflow.lifecycle.stages import LifecycleEvent, Stage
from workflow.lifecycle.transitions import TRANSITIONS

DEFAULT_DAYS = default_typical_days(180, 45, 60)
LONG_AGO = date(2000, 1, 1)
_ids = count(1000)


def history(*events: tuple[str, date]) -> tuple[HistoryRow, ...]:
    stage = Stage.DRAFTING
    rows = []
    for event, effective_on in events:
        transition = TRANSITIONS[LifecycleEvent(event)]
        assert stage in transition.sources, f"{event} is not allowed from {stage}"
        rows.append(HistoryRow(event, stage.value, transition.target.value, effective_on))
        stage = transition.target
    return tuple(rows)


def approved_history(
    approved_on: date, *, expired_on: date | None = None, consulted_days: int = 50
) -> tuple[HistoryRow, ...]:
    """Consultation, approval and approval on ``approved_on``; optionally expired."""
    opened = approved_on - timedelta(days=consulted_days + 30)
    events = [
        ("submit_for_consultation", opened),
        ("submit_for_approval", opened + timedelta(days=consulted_days)),
        ("approve", approved_on),
    ]
    if expired_on is not None:
        events.append(("expire", expired_on))
    return history(*events)


def snap(
    period: tuple[date, date],
    *,
    id: int | None = None,
    events: tuple[HistoryRow, ...] = (),
    approved_on: date | None = None,
    title: str | None = None,
    policy_area: str = "migration",
    kind: str = "strategy",
    parent_id: int | None = None,
    predecessor_id: int | None = None,
    created_on: date | None = LONG_AGO,
    expiry_reason: str | None = None,
    **dues: Any,
) -> StrategySnapshot:
    """``approved_on`` defaults to the effective day of the approve event, when there is one."""
    if approved_on is None:
        approved_on = next((row.effective_on for row in events if row.event == "approve"), None)
    stage = events[-1].to_stage if events else "drafting"
    strategy_id = id if id is not None else next(_ids)
    return StrategySnapshot(
        id=strategy_id,
        title=title or f"{policy_area} {kind} {period[0].year}-{period[1].year}",
        policy_area=policy_area,
        kind=kind,
        parent_id=parent_id,
        predecessor_id=predecessor_id,
        period_start=period[0],
        period_end=period[1],
        stage=stage,
        drafting_due=dues.pop("drafting_due", None),
        consultation_due=dues.pop("consultation_due", None),
        approval_due=dues.pop("approval_due", None),
        approved_on=approved_on,
        expiry_reason=expiry_reason,
        created_on=created_on,
        history=events,
        **dues,
    )


def month_ends(start: date, end: date) -> list[date]:
    """The last day of each month from ``start``'s to ``end``'s."""
    found = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        following = date(year + (month == 12), month % 12 + 1, 1)
        found.append(following - timedelta(days=1))
        year, month = following.year, following.month
    return found
