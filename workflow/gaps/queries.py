"""Load what the gap rules need from the database, and run them.

The rules (``rules``, ``timeline``, ``projection``) are pure; this module only reads. The whole
deployment is loaded on purpose: typical stage durations are medians over every strategy's
history, and a successor may be any strategy of the area.

Reading and computing are apart: ``read_snapshots`` loads everything into plain values in a
short session of its own and gives the pooled connection back before anything is computed;
``compute_gap_report`` and ``compute_timeline`` then work on those values alone. ``gap_report``
and ``timeline_report`` do both within a session the caller already holds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from workflow.core import NotFound, Settings, ValidationFailed, local_date, new_session
from workflow.gaps.history import HistoryRow, StrategySnapshot, state_on
from workflow.gaps.rules import GapEntry, assess_gaps, default_typical_days
from workflow.gaps.timeline import Timeline, build_timeline, group_states
from workflow.lifecycle import Stage, StageChange, Strategy

# The ``strategies`` columns a snapshot copies as they are (rows, not ORM objects, are read).
_SNAPSHOT_COLUMNS = (
    "title", "policy_area", "kind", "parent_id", "predecessor_id", "period_start", "period_end", "stage",
    "drafting_due", "consultation_due", "approval_due", "approved_on", "expiry_reason", "lead_institution_id",
)


def load_snapshots(session: Session, *, zone: ZoneInfo) -> list[StrategySnapshot]:
    """Every strategy with its history, oldest row first (the order they were recorded)."""
    histories: dict[int, list[HistoryRow]] = defaultdict(list)
    rows = session.execute(
        select(
            col(StageChange.strategy_id),
            col(StageChange.event),
            col(StageChange.from_stage),
            col(StageChange.to_stage),
            col(StageChange.effective_on),
        ).order_by(col(StageChange.strategy_id), col(StageChange.id))
    )
    for strategy_id, event, from_stage, to_stage, effective_on in rows:
        histories[strategy_id].append(HistoryRow(event, from_stage, to_stage, effective_on))
    snapshots = []
    columns = [col(getattr(Strategy, name)) for name in _SNAPSHOT_COLUMNS]
    strategies = session.execute(
        select(col(Strategy.id), col(Strategy.created_at), *columns).order_by(col(Strategy.id))
    )
    for strategy_id, created_at, *values in strategies:
        snapshots.append(
            StrategySnapshot(
                id=strategy_id,
                created_on=local_date(created_at, zone),
                history=tuple(histories.get(strategy_id, ())),
                **dict(zip(_SNAPSHOT_COLUMNS, values, strict=True)),
            )
        )
    return snapshots


def read_snapshots(engine: Engine, *, zone: ZoneInfo) -> list[StrategySnapshot]:
    """``load_snapshots`` in a short session of its own, closed (its connection back in the pool)
    when this returns: compute from the result without holding a connection."""
    with new_session(engine) as session:
        return load_snapshots(session, zone=zone)


def snapshot_of(snapshots: Sequence[StrategySnapshot], strategy_id: int) -> StrategySnapshot:
    """The strategy with this id, or ``NotFound``."""
    found = next((s for s in snapshots if s.id == strategy_id), None)
    if found is None:
        raise NotFound(f"no strategy with id {strategy_id}")
    return found


def typical_days(settings: Settings) -> dict[Stage, int]:
    """The configured fallback durations, used where history has fewer than three samples."""
    return default_typical_days(
        settings.typical_drafting_days, settings.typical_consultation_days, settings.typical_approval_days
    )


def compute_gap_report(
    snapshots: Sequence[StrategySnapshot],
    *,
    as_of: date,
    horizon_days: int,
    settings: Settings,
    policy_area: str | None = None,
) -> list[GapEntry]:
    """The gap status of every strategy and action plan in force on ``as_of``, or lapsed into a
    gap, as recorded then (see ``workflow.gaps.rules`` for the statuses). Pure: ``snapshots``
    should be the whole deployment (``read_snapshots``)."""
    return assess_gaps(
        snapshots, as_of=as_of, horizon_days=horizon_days, default_days=typical_days(settings), policy_area=policy_area
    )


def gap_report(
    session: Session, *, as_of: date, horizon_days: int, settings: Settings, policy_area: str | None = None
) -> list[GapEntry]:
    """``compute_gap_report`` over the deployment read in ``session`` (computed while it is held)."""
    return compute_gap_report(
        load_snapshots(session, zone=settings.zone),
        as_of=as_of,
        horizon_days=horizon_days,
        settings=settings,
        policy_area=policy_area,
    )


@dataclass(frozen=True)
class TimelineReport:
    policy_area: str
    kind: str
    parent_id: int | None
    as_of: date
    timeline: Timeline


def compute_timeline(
    snapshots: Sequence[StrategySnapshot],
    *,
    as_of: date,
    policy_area: str | None = None,
    parent_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
) -> TimelineReport:
    """The strategies of ``policy_area``, or with ``parent_id`` the action plans of that strategy.
    Pure: ``snapshots`` is the deployment (``read_snapshots``).

    Raises ``NotFound`` for an unknown parent and ``ValidationFailed`` when the parent is not a
    strategy or belongs to another policy area than the one asked for.
    """
    if parent_id is None:
        if policy_area is None:
            raise ValidationFailed.field("#/policy_area", "give a policy_area, or a parent_id for action plans")
        members = group_states(snapshots, as_of=as_of, policy_area=policy_area, kind="strategy", parent_id=None)
        timeline = build_timeline(members, as_of=as_of, start=start, end=end)
        return TimelineReport(policy_area, "strategy", None, as_of, timeline)

    parent = snapshot_of(snapshots, parent_id)
    if parent.kind != "strategy":
        raise ValidationFailed.field("#/parent_id", "must name a strategy, not an action plan")
    if policy_area is not None and policy_area != parent.policy_area:
        raise ValidationFailed.field(
            "#/policy_area", f"strategy {parent_id} belongs to policy area {parent.policy_area!r}"
        )
    parent_state = state_on(parent, as_of)
    members = group_states(
        snapshots, as_of=as_of, policy_area=parent.policy_area, kind="action_plan", parent_id=parent_id
    )
    frame = parent_state.in_force if parent_state is not None else None
    timeline = build_timeline(members, as_of=as_of, start=start, end=end, frame=frame)
    return TimelineReport(parent.policy_area, "action_plan", parent_id, as_of, timeline)


def timeline_report(
    session: Session,
    *,
    as_of: date,
    settings: Settings,
    policy_area: str | None = None,
    parent_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
) -> TimelineReport:
    """``compute_timeline`` over the deployment read in ``session`` (computed while it is held)."""
    return compute_timeline(
        load_snapshots(session, zone=settings.zone),
        as_of=as_of,
        policy_area=policy_area,
        parent_id=parent_id,
        start=start,
        end=end,
    )
