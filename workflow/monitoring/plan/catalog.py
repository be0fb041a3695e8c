"""Objectives and measures of a strategy document: create, read, edit, delete.

An objective belongs to the strategy or action plan that states it; a specific objective
serves a strategic objective of the same document. A measure belongs to a plan (the action
plan that schedules it) and serves an objective of that plan or of the plan's parent strategy.
Deleting refuses while something still refers to the row: history is not silently dropped.

Every row linked to (the document, a parent objective, a measure's objective) is authorized
against its owner, the lead institution of the document it belongs to, through the caller's
``authorize_link`` (see ``workflow.lifecycle.links``): a coordinator hangs nothing onto another
institution's strategy, even through a plan an admin placed under it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlmodel import Session, col

from workflow.core import (
    Conflict,
    FieldError,
    Settings,
    ValidationFailed,
    apply_changes,
    get_or_not_found,
    requested_changes,
)
from workflow.directory import Institution
from workflow.lifecycle import AuthorizeLink, OwnerOf, Strategy, authorize_links, get_strategy, strategy_owner
from workflow.monitoring.models import (
    Indicator,
    Measure,
    Objective,
    ReportMeasureUpdate,
)
from workflow.monitoring.plan.checks import measure_errors
from workflow.monitoring.plan.limits import PlanLimits, require_room
from workflow.monitoring.requests import (
    NOT_NULLABLE_MEASURE_FIELDS,
    MeasureCreate,
    MeasurePatch,
    ObjectiveCreate,
    ObjectivePatch,
)


def scope_ids(session: Session, strategy: Strategy) -> list[int]:
    """The document and its action plans: what a strategy's monitoring covers."""
    assert strategy.id is not None
    children = session.scalars(
        select(col(Strategy.id)).where(col(Strategy.parent_id) == strategy.id).order_by(col(Strategy.id))
    )
    return [strategy.id, *children]


def objective_owner(session: Session, objective_id: int) -> int | None:
    objective = session.get(Objective, objective_id)
    return strategy_owner(session, objective.strategy_id) if objective is not None else None


def measure_owner(session: Session, measure_id: int) -> int | None:
    measure = session.get(Measure, measure_id)
    return strategy_owner(session, measure.plan_id) if measure is not None else None


PLAN_OWNERS: dict[str, OwnerOf | None] = {
    "strategies": strategy_owner,
    "objectives": objective_owner,
    "measures": measure_owner,
    # A measure names the institutions that carry it out: the directory, which only admins write.
    # Naming one gives it nothing to write but its own progress reports on that measure.
    "institutions": None,
}


# Objectives -------------------------------------------------------------------------------


def get_objective(session: Session, objective_id: int) -> Objective:
    return get_or_not_found(session, Objective, objective_id, "objective", fresh=True)


def list_objectives(session: Session, strategy_ids: list[int]) -> list[Objective]:
    query = (
        select(Objective)
        .where(col(Objective.strategy_id).in_(strategy_ids))
        .order_by(col(Objective.strategy_id), col(Objective.id))
    )
    return list(session.scalars(query))


def create_objective(
    session: Session, strategy_id: int, command: ObjectiveCreate, *, now: datetime,
    authorize_link: AuthorizeLink | None = None, settings: Settings | None = None,
) -> Objective:
    """``settings`` give the size limits (``plan.limits``; their defaults without)."""
    strategy = get_strategy(session, strategy_id)
    assert strategy.id is not None
    authorize_links(session, Objective, command.model_dump() | {"strategy_id": strategy.id}, authorize_link,
                    PLAN_OWNERS)
    if command.level == "strategic" and command.parent_id is not None:
        raise ValidationFailed.field("#/parent_id", "a strategic objective has no parent objective")
    if command.level == "specific":
        parent = session.get(Objective, command.parent_id) if command.parent_id else None
        if parent is None or parent.strategy_id != strategy.id or parent.level != "strategic":
            raise ValidationFailed.field(
                "#/parent_id", f"a specific objective serves a strategic objective of strategy {strategy.id}"
            )
    require_room(session, strategy, "objectives", PlanLimits.of(settings))
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
    for column, what in (
        (col(Objective.parent_id), "specific objectives"),
        (col(Measure.objective_id), "measures"),
        (col(Indicator.objective_id), "indicators"),
    ):
        if session.scalar(select(exists().where(column == objective_id))):
            raise Conflict(f"objective {objective_id} still has {what}; delete or move them first")
    session.delete(objective)
    session.flush()


# Measures ---------------------------------------------------------------------------------


def get_measure(session: Session, measure_id: int) -> Measure:
    return get_or_not_found(session, Measure, measure_id, "measure", fresh=True)


def list_measures(session: Session, plan_ids: list[int]) -> list[Measure]:
    query = select(Measure).where(col(Measure.plan_id).in_(plan_ids)).order_by(col(Measure.plan_id), col(Measure.id))
    return list(session.scalars(query))


def relation_errors(session: Session, plan: Strategy, fields: dict[str, Any], prefix: str = "#") -> list[FieldError]:
    """What the database must confirm: the objective belongs to the plan or its strategy; the
    institutions exist."""
    errors: list[FieldError] = []
    objective = session.get(Objective, fields["objective_id"])
    if objective is None or objective.strategy_id not in (plan.id, plan.parent_id):
        errors.append(
            FieldError(
                f"{prefix}/objective_id", f"no objective {fields['objective_id']} in plan {plan.id} or its strategy"
            )
        )
    if session.get(Institution, fields["responsible_institution_id"]) is None:
        errors.append(
            FieldError(
                f"{prefix}/responsible_institution_id",
                f"no institution with id {fields['responsible_institution_id']}",
            )
        )
    for index, institution_id in enumerate(fields.get("contributing_institution_ids") or []):
        if session.get(Institution, institution_id) is None:
            errors.append(
                FieldError(f"{prefix}/contributing_institution_ids/{index}", f"no institution with id {institution_id}")
            )
    return errors


def check_measure(session: Session, plan: Strategy, fields: dict[str, Any], prefix: str = "#") -> list[FieldError]:
    return relation_errors(session, plan, fields, prefix) + measure_errors(
        fields, plan.period_start, plan.period_end, prefix
    )


def create_measure(
    session: Session, plan_id: int, command: MeasureCreate, *, now: datetime,
    authorize_link: AuthorizeLink | None = None, settings: Settings | None = None,
) -> Measure:
    """``settings`` give the size limits (``plan.limits``; their defaults without)."""
    plan = get_strategy(session, plan_id)
    assert plan.id is not None
    fields = command.model_dump()
    authorize_links(session, Measure, fields | {"plan_id": plan.id}, authorize_link, PLAN_OWNERS)
    errors = check_measure(session, plan, fields)
    if errors:
        raise ValidationFailed(errors)
    require_room(session, plan, "measures", PlanLimits.of(settings))
    measure = Measure(**fields, plan_id=plan.id, created_at=now, updated_at=now)
    session.add(measure)
    session.flush()
    return measure


def measure_fields(measure: Measure) -> dict[str, Any]:
    return measure.model_dump(exclude={"id", "plan_id", "created_at", "updated_at"})


def update_measure(
    session: Session, measure_id: int, command: MeasurePatch, *, now: datetime,
    authorize_link: AuthorizeLink | None = None,
) -> Measure:
    measure = get_measure(session, measure_id)
    changes = requested_changes(command, required=NOT_NULLABLE_MEASURE_FIELDS)
    authorize_links(session, Measure, changes | {"plan_id": measure.plan_id}, authorize_link, PLAN_OWNERS)
    if changes.get("status") not in (None, "completed") and "completed_on" not in changes:
        changes["completed_on"] = None  # leaving `completed` drops the completion date with it
    merged = measure_fields(measure) | changes
    errors = check_measure(session, get_strategy(session, measure.plan_id), merged)
    if errors:
        raise ValidationFailed(errors)
    return apply_changes(session, measure, changes, now=now)


def delete_measure(session: Session, measure_id: int) -> None:
    measure = get_measure(session, measure_id)
    if session.scalar(select(exists().where(col(Indicator.measure_id) == measure_id))):
        raise Conflict(f"measure {measure_id} still has indicators; delete them first")
    if session.scalar(select(exists().where(col(ReportMeasureUpdate.measure_id) == measure_id))):
        raise Conflict(f"measure {measure_id} appears in progress reports; set its status to cancelled instead")
    session.delete(measure)
    session.flush()
