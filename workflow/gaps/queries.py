"""Load what the gap rules need from the database, and run them.

The rules (``rules``, ``timeline``, ``projection``) are pure; this module only reads. A report
loads the whole deployment: typical stage durations are medians over every strategy's history,
and a successor may be any strategy of the area. ``load_snapshots`` takes a condition, so that
``workflow.gaps.scoped`` can read a few areas (with the deployment's medians given) instead.

Reading and computing are apart: ``read_snapshots`` loads everything into plain values in a
short session of its own and gives the pooled connection back before anything is computed;
``compute_gap_report`` and ``compute_timeline`` then work on those values alone. ``gap_report``
and ``timeline_report`` do both within a session the caller already holds.

Each takes ``known_on`` besides ``as_of``: the report about ``as_of`` as Continuum knew it on that
day (see ``workflow.gaps.history.as_known_on``); None answers with everything recorded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Engine, and_, select
from sqlmodel import Session, col

from workflow.core import NotFound, Settings, ValidationFailed, local_date, new_session
from workflow.gaps.history import HistoryRow, RevisionRow, StrategySnapshot, snapshots_known_on, state_on
from workflow.gaps.rules import GapEntry, assess_gaps, default_typical_days
from workflow.gaps.timeline import Timeline, build_timeline, group_states
from workflow.lifecycle import Stage, StageChange, Strategy, StrategyRevision

# The ``strategies`` columns a snapshot copies as they are (rows, not ORM objects, are read).
_SNAPSHOT_COLUMNS = (
    "title", "policy_area", "kind", "parent_id", "predecessor_id", "period_start", "period_end", "stage",
    "drafting_due", "consultation_due", "approval_due", "approved_on", "expiry_reason", "lead_institution_id",
    "drafting_started_on", "approval_reference_unknown",
)
# The revised fields whose JSON values are ISO dates.
_DATE_FIELDS = frozenset({
    "period_start", "period_end", "drafting_due", "consultation_due", "approval_due", "drafting_started_on",
})


def revision_row(effective_on: date, changes: Mapping[str, Any]) -> RevisionRow:
    """A stored revision as plain values: each ``[old, new]`` pair with dates parsed."""

    def value(name: str, raw: Any) -> Any:
        return date.fromisoformat(raw) if name in _DATE_FIELDS and isinstance(raw, str) else raw

    return RevisionRow(
        effective_on, tuple((name, value(name, old), value(name, new)) for name, (old, new) in changes.items())
    )


def _load_revisions(session: Session, where: ColumnElement[bool] | None) -> dict[int, list[RevisionRow]]:
    revisions: dict[int, list[RevisionRow]] = defaultdict(list)
    query = select(
        col(StrategyRevision.strategy_id), col(StrategyRevision.effective_on), col(StrategyRevision.changes)
    ).order_by(col(StrategyRevision.strategy_id), col(StrategyRevision.id))
    if where is not None:
        query = query.where(col(StrategyRevision.strategy_id).in_(select(col(Strategy.id)).where(where)))
    for strategy_id, effective_on, changes in session.execute(query):
        revisions[strategy_id].append(revision_row(effective_on, changes))
    return revisions


def load_snapshots(
    session: Session, *, zone: ZoneInfo, policy_area: str | None = None, where: ColumnElement[bool] | None = None
) -> list[StrategySnapshot]:
    """Every strategy with its history and revisions, oldest row first (the order they were recorded);
    with ``policy_area`` those of that area only, with ``where`` those it selects (a condition on
    ``Strategy``; see ``workflow.gaps.scoped``). Three statements either way."""
    if policy_area is not None:
        area = col(Strategy.policy_area) == policy_area
        where = area if where is None else and_(where, area)
    histories: dict[int, list[HistoryRow]] = defaultdict(list)
    query = select(
        col(StageChange.strategy_id),
        col(StageChange.event),
        col(StageChange.from_stage),
        col(StageChange.to_stage),
        col(StageChange.effective_on),
        col(StageChange.effective_on_approximate),
    ).order_by(col(StageChange.strategy_id), col(StageChange.id))
    if where is not None:
        query = query.where(col(StageChange.strategy_id).in_(select(col(Strategy.id)).where(where)))
    for strategy_id, event, from_stage, to_stage, effective_on, approximate in session.execute(query):
        histories[strategy_id].append(HistoryRow(event, from_stage, to_stage, effective_on, approximate))
    revisions = _load_revisions(session, where)
    snapshots = []
    columns = [col(getattr(Strategy, name)) for name in _SNAPSHOT_COLUMNS]
    chosen = select(col(Strategy.id), col(Strategy.created_at), *columns).order_by(col(Strategy.id))
    strategies = session.execute(chosen if where is None else chosen.where(where))
    for strategy_id, created_at, *values in strategies:
        snapshots.append(
            StrategySnapshot(
                id=strategy_id,
                created_on=local_date(created_at, zone),
                history=tuple(histories.get(strategy_id, ())),
                revisions=tuple(revisions.get(strategy_id, ())),
                **dict(zip(_SNAPSHOT_COLUMNS, values, strict=True)),
            )
        )
    return snapshots


def read_snapshots(engine: Engine, *, zone: ZoneInfo, policy_area: str | None = None) -> list[StrategySnapshot]:
    """``load_snapshots`` in a short session of its own, closed (its connection back in the pool)
    when this returns: compute from the result without holding a connection."""
    with new_session(engine) as session:
        return load_snapshots(session, zone=zone, policy_area=policy_area)


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
    known_on: date | None = None,
) -> list[GapEntry]:
    """The gap status of every strategy and action plan in force on ``as_of``, or lapsed into a
    gap, as recorded then (see ``workflow.gaps.rules`` for the statuses), as known on ``known_on``.
    Pure: ``snapshots`` should be the whole deployment (``read_snapshots``)."""
    return assess_gaps(
        snapshots_known_on(snapshots, known_on),
        as_of=as_of,
        horizon_days=horizon_days,
        default_days=typical_days(settings),
        policy_area=policy_area,
    )


def gap_report(
    session: Session,
    *,
    as_of: date,
    horizon_days: int,
    settings: Settings,
    policy_area: str | None = None,
    known_on: date | None = None,
) -> list[GapEntry]:
    """``compute_gap_report`` over the deployment read in ``session`` (computed while it is held)."""
    return compute_gap_report(
        load_snapshots(session, zone=settings.zone),
        as_of=as_of,
        horizon_days=horizon_days,
        settings=settings,
        policy_area=policy_area,
        known_on=known_on,
    )


@dataclass(frozen=True)
class TimelineReport:
    policy_area: str
    kind: str
    parent_id: int | None
    as_of: date
    timeline: Timeline
    known_on: date | None = None


def compute_timeline(
    snapshots: Sequence[StrategySnapshot],
    *,
    as_of: date,
    policy_area: str | None = None,
    parent_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
    known_on: date | None = None,
) -> TimelineReport:
    """The strategies and standalone action plans of ``policy_area``, or with ``parent_id`` the action
    plans of that strategy,
    as known on ``known_on``. Pure: ``snapshots`` is the deployment (``read_snapshots``).

    Raises ``NotFound`` for an unknown parent and ``ValidationFailed`` when the parent is not a
    strategy or belongs to another policy area than the one asked for.
    """
    known = snapshots_known_on(snapshots, known_on)
    if parent_id is None:
        if policy_area is None:
            raise ValidationFailed.field("#/policy_area", "give a policy_area, or a parent_id for action plans")
        members = [  # an area is covered by its strategies and its standalone action plans alike (rules.cover_key)
            *group_states(known, as_of=as_of, policy_area=policy_area, kind="strategy", parent_id=None),
            *group_states(known, as_of=as_of, policy_area=policy_area, kind="action_plan", parent_id=None),
        ]
        timeline = build_timeline(members, as_of=as_of, start=start, end=end)
        return TimelineReport(policy_area, "strategy", None, as_of, timeline, known_on)

    parent = snapshot_of(snapshots, parent_id)
    if parent.kind != "strategy":
        raise ValidationFailed.field("#/parent_id", "must name a strategy, not an action plan")
    if policy_area is not None and policy_area != parent.policy_area:
        raise ValidationFailed.field(
            "#/policy_area", f"strategy {parent_id} belongs to policy area {parent.policy_area!r}"
        )
    known_parent = next((s for s in known if s.id == parent_id), None)  # None: not known by then
    parent_state = state_on(known_parent, as_of) if known_parent is not None else None
    members = group_states(
        known, as_of=as_of, policy_area=parent.policy_area, kind="action_plan", parent_id=parent_id
    )
    frame = parent_state.in_force if parent_state is not None else None
    timeline = build_timeline(members, as_of=as_of, start=start, end=end, frame=frame)
    return TimelineReport(parent.policy_area, "action_plan", parent_id, as_of, timeline, known_on)
