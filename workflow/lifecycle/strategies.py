"""Creating, reading and editing strategies. Stage changes are not here: see ``workflow.transitions``."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlmodel import Session, col

from workflow.core import (
    ConcurrentUpdate,
    FieldError,
    Forbidden,
    StaleVersion,
    ValidationFailed,
    check_seen_version,
    clock,
    get_or_not_found,
    record_event,
    requested_changes,
)
from workflow.directory import Institution
from workflow.lifecycle.links import STRATEGY_OWNERS, AuthorizeLink, authorize_links
from workflow.lifecycle.models import Strategy
from workflow.lifecycle.requests import NOT_NULLABLE_PATCH_FIELDS, REVISION_FIELDS, StrategyCreate, StrategyPatch
from workflow.lifecycle.revisions import check_drafting_start, check_revision_day, first_transition_on, record_revision
from workflow.lifecycle.stages import Stage


def snapshot(strategy: Strategy) -> dict[str, Any]:
    """A JSON-ready copy of a strategy's fields, for events."""
    data = strategy.model_dump()
    return {k: (v.isoformat() if isinstance(v, (date, datetime)) else v) for k, v in data.items()}


def get_strategy(session: Session, strategy_id: int) -> Strategy:
    return get_or_not_found(session, Strategy, strategy_id, "strategy", fresh=True)


def lock_strategy(session: Session, strategy_id: int) -> Strategy:
    """The strategy, its row locked until the transaction ends (PostgreSQL; SQLite lets one writer
    at a time anyway). Consultation records and the move out of consultation, which reads them,
    take it, so a comment cannot slip in beside a submission for approval that did not see it."""
    locked_version(session, strategy_id)
    return get_strategy(session, strategy_id)


def locked_version(session: Session, strategy_id: int) -> int | None:
    """Lock the strategy's row (as ``lock_strategy``) and return its version as committed now,
    leaving any loaded copy as it is: a writer that checked that copy compares the two."""
    return session.scalar(select(col(Strategy.version)).where(col(Strategy.id) == strategy_id).with_for_update())


@dataclass(frozen=True)
class StrategyFilter:
    policy_area: str | None = None
    stage: str | None = None
    kind: str | None = None
    lapsing_before: date | None = None
    parent_id: int | None = None
    predecessor_id: int | None = None


def list_strategies(
    session: Session, filters: StrategyFilter, *, limit: int, offset: int
) -> tuple[list[Strategy], int]:
    """``lapsing_before`` keeps strategies not yet expired whose period ends before that day."""
    query = select(Strategy)
    if filters.policy_area is not None:
        query = query.where(col(Strategy.policy_area) == filters.policy_area)
    if filters.stage is not None:
        query = query.where(col(Strategy.stage) == filters.stage)
    if filters.kind is not None:
        query = query.where(col(Strategy.kind) == filters.kind)
    if filters.parent_id is not None:
        query = query.where(col(Strategy.parent_id) == filters.parent_id)
    if filters.predecessor_id is not None:
        query = query.where(col(Strategy.predecessor_id) == filters.predecessor_id)
    if filters.lapsing_before is not None:
        query = query.where(
            col(Strategy.period_end) < filters.lapsing_before, col(Strategy.stage) != Stage.EXPIRY.value
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    ordered = query.order_by(col(Strategy.period_end), col(Strategy.id))
    rows = session.scalars(ordered.limit(limit).offset(offset))
    return list(rows), total


def consultation_floor_for(role: str, legal_minimum: int) -> int | None:
    """The fewest working days of consultation a writer of ``role`` may set on a strategy: the law's
    minimum (``CONTINUUM_MIN_CONSULTATION_DAYS``), which only an admin may go below (None: no floor)."""
    return None if role == "admin" else legal_minimum


def backdating_floor_for(role: str, zone: ZoneInfo) -> Callable[[Strategy], date] | None:
    """The earliest day a writer of ``role`` may date a transition of a strategy: the day it was
    registered (in ``zone``), which only an admin, importing earlier history, may go before (None: no floor)."""
    if role == "admin":
        return None

    def registered_on(strategy: Strategy) -> date:
        return clock.local_date(strategy.created_at, zone)

    return registered_on


def _check_consultation_floor(fields: dict[str, Any], floor: int | None) -> None:
    days = fields.get("min_consultation_days")
    if floor is not None and days is not None and days < floor:
        detail = (
            f"min_consultation_days below the legal minimum of {floor} working days "
            "(CONTINUUM_MIN_CONSULTATION_DAYS) may be set by an admin only"
        )
        raise Forbidden(detail, errors=[{"pointer": "#/min_consultation_days", "detail": detail}])


def create_strategy(
    session: Session,
    command: StrategyCreate,
    *,
    now: datetime,
    actor: str | None = None,
    authorize_link: AuthorizeLink | None = None,
    consultation_floor: int | None = None,
    today: date,
) -> Strategy:
    """``authorize_link`` sees the owner of every row the new strategy links to (see ``links``);
    ``consultation_floor`` is the shortest consultation this writer may set; ``actor`` is recorded.
    ``today`` is the local day (default: the UTC day of ``now``): ``drafting_started_on`` defaults to it,
    and the fresh draft has entered its stage on that day."""
    fields = command.model_dump()
    fields["drafting_started_on"] = fields.get("drafting_started_on") or today
    check_drafting_start(fields["drafting_started_on"], today=today, first_transition=None)
    _check_consultation_floor(fields, consultation_floor)
    authorize_links(session, Strategy, fields, authorize_link, STRATEGY_OWNERS)
    _check_relations(session, fields, strategy_id=None)
    strategy = Strategy(
        **fields, stage=Stage.DRAFTING.value, stage_entered_on=fields["drafting_started_on"], version=1,
        created_at=now, updated_at=now,
    )
    session.add(strategy)
    session.flush()
    payload = snapshot(strategy) | {"actor": actor}
    record_event(session, "strategy_created", strategy_id=strategy.id, payload=payload, at=now)
    return strategy


def update_strategy(
    session: Session,
    strategy_id: int,
    command: StrategyPatch,
    *,
    now: datetime,
    if_match: Collection[int] | None = None,
    authorize: Callable[[Strategy], None] | None = None,
    actor: str | None = None,
    authorize_link: AuthorizeLink | None = None,
    consultation_floor: int | None = None,
    today: date,
    revision_floor: Callable[[Strategy], date] | None = None,
) -> Strategy:
    """``authorize`` sees the row the conditional UPDATE is pinned to, so a check on its institution holds;
    ``authorize_link`` the owner of every row a changed field links to; ``actor`` is recorded.

    The change is recorded as a revision effective on ``command.effective_on`` (default ``today``, the local
    day; without it the UTC day of ``now``), which ``revision_floor`` (see ``backdating_floor_for``) bounds
    below for this writer: see ``workflow.lifecycle.revisions``."""
    strategy = get_strategy(session, strategy_id)
    if authorize is not None:
        authorize(strategy)
    check_version(strategy, if_match)
    requested = requested_changes(command, required=NOT_NULLABLE_PATCH_FIELDS)
    changes = {k: v for k, v in requested.items() if k not in REVISION_FIELDS and getattr(strategy, k) != v}
    if not changes:
        return strategy
    effective_on = command.effective_on or today
    check_revision_day(
        session, strategy, effective_on, today=today, floor=revision_floor(strategy) if revision_floor else None
    )
    assert strategy.id is not None, "a strategy read from the database has an id"
    values = dict(changes)
    if "drafting_started_on" in changes:
        first = first_transition_on(session, strategy.id)
        check_drafting_start(changes["drafting_started_on"], today=today, first_transition=first)
        if first is None:  # a fresh draft has entered its stage when drafting began
            values["stage_entered_on"] = changes["drafting_started_on"]
    _check_consultation_floor(changes, consultation_floor)
    authorize_links(session, Strategy, changes, authorize_link, STRATEGY_OWNERS)
    merged = snapshot_fields(strategy) | changes
    _check_relations(session, merged, strategy_id=strategy.id)
    # Read before the UPDATE: an ORM-enabled UPDATE synchronises the loaded object in place.
    before = {k: getattr(strategy, k) for k in changes}
    result = session.exec(
        update(Strategy)
        .where(col(Strategy.id) == strategy.id, col(Strategy.version) == strategy.version)
        .values(**values, version=strategy.version + 1, updated_at=now)
    )
    if result.rowcount != 1:
        raise lost_race(if_match)
    session.refresh(strategy)
    recorded = {k: [_jsonable(before[k]), _jsonable(v)] for k, v in changes.items()}
    record_revision(
        session, strategy.id, recorded, effective_on=effective_on, approximate=command.effective_on_approximate,
        actor=actor, now=now,
    )
    record_event(
        session,
        "strategy_updated",
        strategy_id=strategy.id,
        payload={
            "version": strategy.version,
            "changes": recorded,
            "effective_on": effective_on.isoformat(),
            "effective_on_approximate": command.effective_on_approximate,
            "actor": actor,
        },
        at=now,
    )
    return strategy


def check_version(strategy: Strategy, if_match: Collection[int] | None) -> None:
    """``if_match`` holds the versions the caller has seen; None means it did not say."""
    check_seen_version("strategy", strategy.version, if_match)


def lost_race(if_match: Collection[int] | None) -> Exception:
    """The conditional UPDATE matched no row: someone else changed the strategy after we read it."""
    if if_match is not None:
        return StaleVersion("the strategy changed while this request was applied: reload and retry")
    return ConcurrentUpdate("the strategy was changed by another request at the same time; reload and retry")


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def snapshot_fields(strategy: Strategy) -> dict[str, Any]:
    return {
        "id": strategy.id,
        "kind": strategy.kind,
        "policy_area": strategy.policy_area,
        "parent_id": strategy.parent_id,
        "predecessor_id": strategy.predecessor_id,
        "lead_institution_id": strategy.lead_institution_id,
        "period_start": strategy.period_start,
        "period_end": strategy.period_end,
    }


def _check_relations(session: Session, fields: dict[str, Any], *, strategy_id: int | None) -> None:
    """Cross-field and cross-row rules; every failure points at the field to fix."""
    errors: list[FieldError] = []
    if fields["period_end"] <= fields["period_start"]:
        errors.append(FieldError("#/period_end", "must be after period_start"))
    if session.get(Institution, fields["lead_institution_id"]) is None:
        errors.append(FieldError("#/lead_institution_id", f"no institution with id {fields['lead_institution_id']}"))
    errors += _check_parent(session, fields)
    errors += _check_predecessor(session, fields, strategy_id)
    if strategy_id is not None and not errors:
        errors += _check_children_fit(session, strategy_id, fields)
    if errors:
        raise ValidationFailed(errors)


def _check_parent(session: Session, fields: dict[str, Any]) -> list[FieldError]:
    parent_id = fields.get("parent_id")
    if fields["kind"] == "strategy":
        return [FieldError("#/parent_id", "only an action plan has a parent strategy")] if parent_id else []
    if parent_id is None:  # a standalone action plan: no umbrella strategy, its own chain of predecessors
        return []
    parent = session.get(Strategy, parent_id)
    if parent is None:
        return [FieldError("#/parent_id", f"no strategy with id {parent_id}")]
    if parent.kind != "strategy":
        return [FieldError("#/parent_id", "the parent must be a strategy, not an action plan")]
    errors = []
    if fields["period_start"] < parent.period_start:
        errors.append(
            FieldError(
                "#/period_start", f"the action plan starts before its strategy ({parent.period_start.isoformat()})"
            )
        )
    if fields["period_end"] > parent.period_end:
        errors.append(
            FieldError("#/period_end", f"the action plan ends after its strategy ({parent.period_end.isoformat()})")
        )
    return errors


INSIDE_PREDECESSOR = "an action plan of a strategy succeeds an action plan of a strategy, not a standalone one"
STANDALONE_PREDECESSOR = "a standalone action plan succeeds a standalone action plan, not one inside a strategy"


def _check_predecessor(session: Session, fields: dict[str, Any], strategy_id: int | None) -> list[FieldError]:
    predecessor_id = fields.get("predecessor_id")
    if predecessor_id is None:
        return []
    if predecessor_id == strategy_id:
        return [FieldError("#/predecessor_id", "a strategy cannot succeed itself")]
    predecessor = session.get(Strategy, predecessor_id)
    if predecessor is None:
        return [FieldError("#/predecessor_id", f"no strategy with id {predecessor_id}")]
    if predecessor.kind != fields["kind"]:
        return [FieldError("#/predecessor_id", f"the predecessor is a {predecessor.kind}, not a {fields['kind']}")]
    if predecessor.policy_area != fields["policy_area"]:
        return [FieldError("#/predecessor_id", f"the predecessor belongs to policy area {predecessor.policy_area!r}")]
    if fields["kind"] == "action_plan" and fields.get("parent_id") is None and predecessor.parent_id is not None:
        return [FieldError("#/predecessor_id", STANDALONE_PREDECESSOR)]
    if fields["kind"] == "action_plan" and fields.get("parent_id") is not None and predecessor.parent_id is None:
        return [FieldError("#/predecessor_id", INSIDE_PREDECESSOR)]
    seen = {strategy_id}
    current: Strategy | None = predecessor
    while current is not None and current.predecessor_id is not None:
        if current.predecessor_id in seen or current.id in seen:
            return [FieldError("#/predecessor_id", "this would make the succession a cycle")]
        seen.add(current.id)
        current = session.get(Strategy, current.predecessor_id)
    return []


def _check_children_fit(session: Session, strategy_id: int, fields: dict[str, Any]) -> list[FieldError]:
    children = session.scalars(select(Strategy).where(col(Strategy.parent_id) == strategy_id))
    for child in children:
        if child.period_start < fields["period_start"]:
            return [FieldError("#/period_start", f"action plan {child.id} starts on {child.period_start.isoformat()}")]
        if child.period_end > fields["period_end"]:
            return [FieldError("#/period_end", f"action plan {child.id} ends on {child.period_end.isoformat()}")]
    return []
