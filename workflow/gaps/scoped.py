"""Judging a few policy areas without reading the deployment.

Successors, cover and timelines stay within a policy area (``rules``), with two links that may
leave it: an action plan's parent strategy, and a strategy naming another as its predecessor
(a later move of either to another area keeps the link). So an area is judged from:

* its own strategies and action plans (``policy_area IN areas``);
* the context: the parents of its action plans, and whatever names one of its members as
  predecessor, wherever they are (read, not judged: their areas' entries are not computed);
* with ``known_on``, also every strategy whose area, parent or predecessor was revised (it may
  have belonged, or been linked, to the area then; few are), and the strategies those revisions
  named.

The stage history the forecasts draw on is the whole deployment's (per area and across the
portfolio), so it is given, not worked out from the areas read: the stored one of the day
(``workflow.gaps.stored``), or ``read_typical`` (the deployment's stage changes alone, a fraction
of a full read).

``areas_touched`` answers which areas a change of some strategies can move: their own (now, and
as the stored rows last saw it), their action plans' and the areas of the strategies they name
as predecessor (now and as stored).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, String, cast, or_, select, union
from sqlmodel import Session, col

from workflow.core import NotFound, Settings, ValidationFailed
from workflow.gaps.durations import StageHistory
from workflow.gaps.history import HistoryRow, StrategySnapshot
from workflow.gaps.models import GapReportRow
from workflow.gaps.projection import history_of
from workflow.gaps.queries import TimelineReport, compute_timeline, load_snapshots
from workflow.lifecycle import Stage, StageChange, Strategy, StrategyRevision

LINKS = ("policy_area", "parent_id", "predecessor_id")
_CHUNK = 1_000


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start:start + _CHUNK]


def _revised(*names: str) -> Select[int]:
    """Strategies with a revision of one of ``names`` (their JSON changes name the field)."""
    text = cast(col(StrategyRevision.changes), String)
    return select(col(StrategyRevision.strategy_id)).where(or_(*(text.like(f'%"{name}"%') for name in names)))


def area_condition(areas: Collection[str], *, context: bool, known_on: date | None) -> ColumnElement[bool]:
    """The strategies an assessment (``context``) or a timeline of ``areas`` reads; see the module."""
    in_areas = col(Strategy.policy_area).in_(sorted(areas))
    parts = [in_areas]
    if context:
        parents = select(col(Strategy.parent_id)).where(in_areas, col(Strategy.parent_id).is_not(None))
        members = select(col(Strategy.id)).where(in_areas)
        parts += [col(Strategy.id).in_(parents), col(Strategy.predecessor_id).in_(members)]
    if known_on is not None:
        parts.append(col(Strategy.id).in_(_revised(*LINKS)))
    return or_(*parts)


def _named_by_revisions(snapshots: Iterable[StrategySnapshot]) -> set[int]:
    named = set()
    for snapshot in snapshots:
        for revision in snapshot.revisions:
            for name, old, new in revision.changes:
                if name in ("parent_id", "predecessor_id"):
                    named |= {value for value in (old, new) if isinstance(value, int)}
    return named


def load_areas(
    session: Session, *, zone: ZoneInfo, areas: Collection[str], context: bool = True, known_on: date | None = None
) -> list[StrategySnapshot]:
    """The snapshots an assessment (``context``) or a timeline of ``areas`` needs; see the module."""
    if not areas:
        return []
    snapshots = load_snapshots(session, zone=zone, where=area_condition(areas, context=context, known_on=known_on))
    if context and known_on is not None:
        loaded = {s.id for s in snapshots}
        missing = sorted(_named_by_revisions(snapshots) - loaded)
        for chunk in _chunks(missing):
            snapshots += load_snapshots(session, zone=zone, where=col(Strategy.id).in_(list(chunk)))
    return snapshots


def areas_touched(session: Session, strategy_ids: Collection[int]) -> set[str]:
    """The policy areas whose entries a change of ``strategy_ids`` can move (see the module)."""
    areas: set[str] = set()
    for chunk in _chunks(sorted(strategy_ids)):
        ids = list(chunk)
        named_now = select(col(Strategy.predecessor_id)).where(col(Strategy.id).in_(ids))
        named_then = select(col(GapReportRow.predecessor_id)).where(col(GapReportRow.strategy_id).in_(ids))
        query = union(
            select(col(Strategy.policy_area)).where(col(Strategy.id).in_(ids)),
            select(col(Strategy.policy_area)).where(col(Strategy.parent_id).in_(ids)),
            select(col(Strategy.policy_area)).where(col(Strategy.id).in_(named_now)),
            select(col(GapReportRow.policy_area)).where(col(GapReportRow.strategy_id).in_(ids)),
            select(col(Strategy.policy_area)).where(col(Strategy.id).in_(named_then)),
        )
        areas |= set(session.scalars(query))
    return areas


def read_typical(
    session: Session, *, as_of: date, known_on: date | None, defaults: Mapping[Stage, int]
) -> StageHistory:
    """The deployment's stage history on ``as_of`` as known on ``known_on``, from its stage changes
    (with which days are approximate), drafting starts and policy areas alone: the history a full
    report would use (``history_of`` over every snapshot as known then), without reading titles,
    deadlines, links or revisions.
    Three statements, however large the deployment (four with ``known_on``).

    As known on a day: stage changes effective after it are left out, and a drafting start or an
    area revised after it is the one it had then (its oldest later revision's old value)."""
    histories: dict[int, list[HistoryRow]] = defaultdict(list)
    rows = session.execute(
        select(col(StageChange.strategy_id), col(StageChange.event), col(StageChange.from_stage),
               col(StageChange.to_stage), col(StageChange.effective_on), col(StageChange.effective_on_approximate))
        .order_by(col(StageChange.strategy_id), col(StageChange.id))
    )
    for strategy_id, event, from_stage, to_stage, effective_on, approximate in rows:
        if known_on is None or effective_on <= known_on:
            histories[strategy_id].append(HistoryRow(event, from_stage, to_stage, effective_on, approximate))
    with_history = select(col(StageChange.strategy_id))
    starts: dict[int, date | None] = {}
    areas: dict[int, str] = {}
    for strategy_id, started, area in session.execute(
        select(col(Strategy.id), col(Strategy.drafting_started_on), col(Strategy.policy_area))
        .where(col(Strategy.id).in_(with_history))
    ):
        starts[strategy_id], areas[strategy_id] = started, area
    if known_on is not None:
        then = _values_known_on(session, known_on, ("drafting_started_on", "policy_area"))
        for (strategy_id, name), old in then.items():
            if name == "drafting_started_on":
                starts[strategy_id] = date.fromisoformat(old) if isinstance(old, str) else None
            elif isinstance(old, str):
                areas[strategy_id] = old
    lives = [_life(strategy_id, tuple(history), starts.get(strategy_id), areas.get(strategy_id, ""))
             for strategy_id, history in histories.items()]
    return history_of(lives, as_of, defaults)


def _life(strategy_id: int, history: tuple[HistoryRow, ...], drafting_started_on: date | None,
          policy_area: str) -> StrategySnapshot:
    """A snapshot carrying only what ``history_of`` reads: the history, the drafting start and the area."""
    return StrategySnapshot(
        id=strategy_id, title="", policy_area=policy_area, kind="strategy", parent_id=None, predecessor_id=None,
        period_start=date.min, period_end=date.max, stage="", drafting_due=None, consultation_due=None,
        approval_due=None, approved_on=None, expiry_reason=None, created_on=None, history=history,
        drafting_started_on=drafting_started_on,
    )


def _values_known_on(session: Session, known_on: date, names: tuple[str, ...]) -> dict[tuple[int, str], Any]:
    """Per (strategy, field) of ``names`` revised after ``known_on``: the value it had then."""
    rows = session.execute(
        select(col(StrategyRevision.strategy_id), col(StrategyRevision.changes))
        .where(col(StrategyRevision.effective_on) > known_on,
               col(StrategyRevision.strategy_id).in_(_revised(*names)))
        .order_by(col(StrategyRevision.strategy_id), col(StrategyRevision.id).desc())
    )
    values: dict[tuple[int, str], Any] = {}
    for strategy_id, changes in rows:  # latest first: the oldest later revision's old value wins
        for name in names:
            if name in changes:
                values[(strategy_id, name)] = changes[name][0]
    return values


def timeline_snapshots(
    session: Session, *, zone: ZoneInfo, policy_area: str | None, parent_id: int | None, known_on: date | None
) -> list[StrategySnapshot]:
    """What a timeline reads: the strategies of ``policy_area``, or of the area of strategy ``parent_id``
    (looked up by id; ``NotFound`` when there is none). No context: a timeline is of one group."""
    area = policy_area
    if parent_id is not None:
        area = session.scalar(select(col(Strategy.policy_area)).where(col(Strategy.id) == parent_id))
        if area is None:
            raise NotFound(f"no strategy with id {parent_id}")
    if area is None:
        raise ValidationFailed.field("#/policy_area", "give a policy_area, or a parent_id for action plans")
    return load_areas(session, zone=zone, areas={area}, context=False, known_on=known_on)


def timeline_report(
    session: Session,
    *,
    as_of: date,
    settings: Settings,
    policy_area: str | None = None,
    parent_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
    known_on: date | None = None,
) -> TimelineReport:
    """``compute_timeline`` over the area read in ``session`` (computed while it is held)."""
    snapshots = timeline_snapshots(session, zone=settings.zone, policy_area=policy_area, parent_id=parent_id,
                                   known_on=known_on)
    return compute_timeline(snapshots, as_of=as_of, policy_area=policy_area, parent_id=parent_id, start=start,
                            end=end, known_on=known_on)


def policy_areas(session: Session) -> list[str]:
    """Every policy area recorded, in code point order."""
    return sorted(session.scalars(select(col(Strategy.policy_area)).distinct()))


def lead_institution_ids(session: Session) -> set[int]:
    """Every institution that leads a strategy or action plan."""
    return set(session.scalars(select(col(Strategy.lead_institution_id)).distinct()))
