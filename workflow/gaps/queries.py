"""Load what the gap rules need from the database, and run them.

The rules (``workflow.gaps``, ``workflow.timeline``, ``workflow.projection``) are pure; this
module only reads. The whole deployment is loaded on purpose: typical stage durations are
medians over every strategy's history, and a successor may be any strategy of the area.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session, col

from workflow.core import NotFound, Settings, ValidationFailed, local_date
from workflow.gaps.history import HistoryRow, StrategySnapshot, state_on
from workflow.gaps.rules import GapEntry, assess_gaps, default_typical_days
from workflow.gaps.timeline import Timeline, build_timeline, group_states
from workflow.lifecycle import Stage, StageChange, Strategy


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
    for s in session.scalars(select(Strategy).order_by(col(Strategy.id))):
        assert s.id is not None, "strategies read from the database have their id"
        snapshots.append(
            StrategySnapshot(
                id=s.id,
                title=s.title,
                policy_area=s.policy_area,
                kind=s.kind,
                parent_id=s.parent_id,
                predecessor_id=s.predecessor_id,
                period_start=s.period_start,
                period_end=s.period_end,
                stage=s.stage,
                drafting_due=s.drafting_due,
                consultation_due=s.consultation_due,
                approval_due=s.approval_due,
                approved_on=s.approved_on,
                expiry_reason=s.expiry_reason,
                created_on=local_date(s.created_at, zone),
                history=tuple(histories.get(s.id, ())),
            )
        )
    return snapshots


def typical_days(settings: Settings) -> dict[Stage, int]:
    """The configured fallback durations, used where history has fewer than three samples."""
    return default_typical_days(
        settings.typical_drafting_days, settings.typical_consultation_days, settings.typical_approval_days
    )


def gap_report(
    session: Session, *, as_of: date, horizon_days: int, settings: Settings, policy_area: str | None = None
) -> list[GapEntry]:
    """The gap status of every strategy and action plan in force on ``as_of``, or lapsed into a
    gap, as recorded then (see ``workflow.gaps`` for the statuses)."""
    return assess_gaps(
        load_snapshots(session, zone=settings.zone),
        as_of=as_of,
        horizon_days=horizon_days,
        default_days=typical_days(settings),
        policy_area=policy_area,
    )


@dataclass(frozen=True)
class TimelineReport:
    policy_area: str
    kind: str
    parent_id: int | None
    as_of: date
    timeline: Timeline


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
    """The strategies of ``policy_area``, or with ``parent_id`` the action plans of that strategy.

    Raises ``NotFound`` for an unknown parent and ``ValidationFailed`` when the parent is not a
    strategy or belongs to another policy area than the one asked for.
    """
    snapshots = load_snapshots(session, zone=settings.zone)
    if parent_id is None:
        if policy_area is None:
            raise ValidationFailed.field("#/policy_area", "give a policy_area, or a parent_id for action plans")
        members = group_states(snapshots, as_of=as_of, policy_area=policy_area, kind="strategy", parent_id=None)
        timeline = build_timeline(members, as_of=as_of, start=start, end=end)
        return TimelineReport(policy_area, "strategy", None, as_of, timeline)

    parent = next((s for s in snapshots if s.id == parent_id), None)
    if parent is None:
        raise NotFound(f"no strategy with id {parent_id}")
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
