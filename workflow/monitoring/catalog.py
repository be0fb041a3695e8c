"""Objectives and measures of a strategy document: create, read, edit, delete.

An objective belongs to the strategy or action plan that states it; a specific objective
serves a strategic objective of the same document. A measure belongs to a plan (the action
plan that schedules it) and serves an objective of that plan or of the plan's parent strategy.
Deleting refuses while something still refers to the row: history is not silently dropped.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlmodel import Session

from workflow.errors import Conflict, FieldError, NotFound, ValidationFailed
from workflow.models import Institution, Strategy
from workflow.monitoring.checks import measure_errors
from workflow.monitoring.commands import (
    NOT_NULLABLE_MEASURE_FIELDS,
    MeasureCreate,
    MeasurePatch,
    ObjectiveCreate,
    ObjectivePatch,
)
from workflow.monitoring.models import (
    Indicator,
    Measure,
    Objective,
    ReportMeasureUpdate,
)
from workflow.patching import apply_changes, requested_changes
from workflow.strategies import get_strategy


def scope_ids(session: Session, strategy: Strategy) -> list[int]:
    """The document and its action plans: what a strategy's monitoring covers."""
    children = session.scalars(select(Strategy.id).where(Strategy.parent_id == strategy.id).order_by(Strategy.id))
    return [strategy.id, *children]


# Objectives -------------------------------------------------------------------------------


def get_objective(session: Session, objective_id: int) -> Objective:
    objective = session.get(Objective, objective_id, populate_existing=True)
    if objective is None:
        raise NotFound(f"no objective with id {objective_id}")
    return objective


def list_objectives(session: Session, strategy_ids: list[int]) -> list[Objective]:
    query = select(Objective).where(Objective.strategy_id.in_(strategy_ids)).order_by(Objective.strategy_id, Objective.id)
    return list(session.scalars(query))


def create_objective(session: Session, strategy_id: int, command: ObjectiveCreate, *, now: datetime) -> Objective:
    strategy = get_strategy(session, strategy_id)
    if command.level == "strategic" and command.parent_id is not None:
        raise ValidationFailed.field("#/parent_id", "a strategic objective has no parent objective")
    if command.level == "specific":
        parent = session.get(Objective, command.parent_id) if command.parent_id else None
        if parent is None or parent.strategy_id != strategy.id or parent.level != "strategic":
            raise ValidationFailed.field(
                "#/parent_id", f"a specific objective serves a strategic objective of strategy {strategy.id}"
            )
    objective = Objective(**command.model_dump(), strategy_id=strategy.id, created_at=now, updated_at=now)
    session.add(objective)
    session.flush()
    return objective


def update_objective(session: Session, objective_id: int, command: ObjectivePatch, *, now: datetime) -> Objective:
    objective = get_objective(session, objective_id)
    changes = requested_changes(command, required=lambda name: name != "code")
    return apply_changes(session, objective, changes, now=now)


def delete_objective(session: Session, objective_id: int) -> None:
    objective = get_objective(session, objective_id)
    for model, column, what in (
        (Objective, Objective.parent_id, "specific objectives"),
        (Measure, Measure.objective_id, "measures"),
        (Indicator, Indicator.objective_id, "indicators"),
    ):
        if session.scalar(select(exists().where(column == objective_id))):
            raise Conflict(f"objective {objective_id} still has {what}; delete or move them first")
    session.delete(objective)
    session.flush()


# Measures ---------------------------------------------------------------------------------


def get_measure(session: Session, measure_id: int) -> Measure:
    measure = session.get(Measure, measure_id, populate_existing=True)
    if measure is None:
        raise NotFound(f"no measure with id {measure_id}")
    return measure


def list_measures(session: Session, plan_ids: list[int]) -> list[Measure]:
    query = select(Measure).where(Measure.plan_id.in_(plan_ids)).order_by(Measure.plan_id, Measure.id)
    return list(session.scalars(query))


def relation_errors(session: Session, plan: Strategy, fields: dict[str, Any], prefix: str = "#") -> list[FieldError]:
    """What the database must confirm: the objective belongs to the plan or its strategy; the
    institutions exist."""
    errors: list[FieldError] = []
    objective = session.get(Objective, fields["objective_id"])
    if objective is None or objective.strategy_id not in (plan.id, plan.parent_id):
        errors.append(
            FieldError(f"{prefix}/objective_id", f"no objective {fields['objective_id']} in plan {plan.id} or its strategy")
        )
    if session.get(Institution, fields["responsible_institution_id"]) is None:
        errors.append(
            FieldError(f"{prefix}/responsible_institution_id", f"no institution with id {fields['responsible_institution_id']}")
        )
    for index, institution_id in enumerate(fields.get("contributing_institution_ids") or []):
        if session.get(Institution, institution_id) is None:
            errors.append(FieldError(f"{prefix}/contributing_institution_ids/{index}", f"no institution with id {institution_id}"))
    return errors


def check_measure(session: Session, plan: Strategy, fields: dict[str, Any], prefix: str = "#") -> list[FieldError]:
    return relation_errors(session, plan, fields, prefix) + measure_errors(fields, plan.period_start, plan.period_end, prefix)


def create_measure(session: Session, plan_id: int, command: MeasureCreate, *, now: datetime) -> Measure:
    plan = get_strategy(session, plan_id)
    fields = command.model_dump()
    errors = check_measure(session, plan, fields)
    if errors:
        raise ValidationFailed(errors)
    measure = Measure(**fields, plan_id=plan.id, created_at=now, updated_at=now)
    session.add(measure)
    session.flush()
    return measure


def measure_fields(measure: Measure) -> dict[str, Any]:
    return measure.model_dump(exclude={"id", "plan_id", "created_at", "updated_at"})


def update_measure(session: Session, measure_id: int, command: MeasurePatch, *, now: datetime) -> Measure:
    measure = get_measure(session, measure_id)
    changes = requested_changes(command, required=NOT_NULLABLE_MEASURE_FIELDS)
    if changes.get("status") not in (None, "completed") and "completed_on" not in changes:
        changes["completed_on"] = None  # leaving `completed` drops the completion date with it
    merged = measure_fields(measure) | changes
    errors = check_measure(session, get_strategy(session, measure.plan_id), merged)
    if errors:
        raise ValidationFailed(errors)
    return apply_changes(session, measure, changes, now=now)


def delete_measure(session: Session, measure_id: int) -> None:
    measure = get_measure(session, measure_id)
    if session.scalar(select(exists().where(Indicator.measure_id == measure_id))):
        raise Conflict(f"measure {measure_id} still has indicators; delete them first")
    if session.scalar(select(exists().where(ReportMeasureUpdate.measure_id == measure_id))):
        raise Conflict(f"measure {measure_id} appears in progress reports; set its status to cancelled instead")
    session.delete(measure)
    session.flush()
