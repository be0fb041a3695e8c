"""Indicators: outcome indicators on objectives, output indicators on measures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, or_, select
from sqlmodel import Session, col

from workflow.core import Conflict, Settings, ValidationFailed, apply_changes, get_or_not_found, requested_changes
from workflow.lifecycle import AuthorizeLink, authorize_links, get_strategy
from workflow.monitoring.models import Indicator, IndicatorValue, Measure, Objective
from workflow.monitoring.plan.catalog import PLAN_OWNERS, get_measure, get_objective
from workflow.monitoring.plan.checks import indicator_errors
from workflow.monitoring.plan.limits import PlanLimits, require_room
from workflow.monitoring.requests import NOT_NULLABLE_INDICATOR_FIELDS, IndicatorCreate, IndicatorPatch


def level_of(indicator: Indicator) -> str:
    return "outcome" if indicator.objective_id is not None else "output"


def get_indicator(session: Session, indicator_id: int) -> Indicator:
    return get_or_not_found(session, Indicator, indicator_id, "indicator", fresh=True)


def create_indicator(
    session: Session, command: IndicatorCreate, *, objective_id: int | None = None, measure_id: int | None = None,
    now: datetime, authorize_link: AuthorizeLink | None = None, settings: Settings | None = None,
) -> Indicator:
    """``authorize_link`` sees the institution owning the objective or measure the indicator is on;
    ``settings`` give the size limits (``plan.limits``; their defaults without)."""
    assert (objective_id is None) != (measure_id is None), "an indicator has exactly one owner"
    if objective_id is not None:
        plan_id = get_objective(session, objective_id).strategy_id
    elif measure_id is not None:
        plan_id = get_measure(session, measure_id).plan_id
    owner = {"objective_id": objective_id, "measure_id": measure_id}
    authorize_links(session, Indicator, owner, authorize_link, PLAN_OWNERS)
    fields = command.model_dump()
    errors = indicator_errors(fields)
    if errors:
        raise ValidationFailed(errors)
    require_room(session, get_strategy(session, plan_id), "indicators", PlanLimits.of(settings))
    indicator = Indicator(**fields, objective_id=objective_id, measure_id=measure_id, created_at=now, updated_at=now)
    session.add(indicator)
    session.flush()
    return indicator


def update_indicator(session: Session, indicator_id: int, command: IndicatorPatch, *, now: datetime) -> Indicator:
    indicator = get_indicator(session, indicator_id)
    changes = requested_changes(command, required=NOT_NULLABLE_INDICATOR_FIELDS)
    merged = indicator.model_dump() | changes
    errors = indicator_errors(merged)
    if errors:
        raise ValidationFailed(errors)
    return apply_changes(session, indicator, changes, now=now)


def delete_indicator(session: Session, indicator_id: int) -> None:
    indicator = get_indicator(session, indicator_id)
    if session.scalar(select(exists().where(col(IndicatorValue.indicator_id) == indicator_id))):
        raise Conflict(f"indicator {indicator_id} has reported values; it cannot be deleted")
    session.delete(indicator)
    session.flush()


def indicators_in(session: Session, plan_ids: list[int]) -> list[Indicator]:
    """Output indicators of the plans' measures and outcome indicators of their documents' objectives."""
    measure_ids = select(col(Measure.id)).where(col(Measure.plan_id).in_(plan_ids))
    objective_ids = select(col(Objective.id)).where(col(Objective.strategy_id).in_(plan_ids))
    query = (
        select(Indicator)
        .where(or_(col(Indicator.measure_id).in_(measure_ids), col(Indicator.objective_id).in_(objective_ids)))
        .order_by(col(Indicator.id))
    )
    return list(session.scalars(query))


def strategy_of(session: Session, indicator: Indicator) -> int:
    """The document whose coordinators edit this indicator (the objective's or the measure's plan)."""
    if indicator.objective_id is not None:
        return get_objective(session, indicator.objective_id).strategy_id
    assert indicator.measure_id is not None, "an indicator has exactly one owner"
    return get_measure(session, indicator.measure_id).plan_id
