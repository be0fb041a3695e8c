"""How much one monitored document may hold, so that what one request makes the server do stays
bounded: a monitoring read covers a strategy and its action plans together, so objectives,
measures and indicators are counted over that family (the strategy, or an action plan's parent
strategy, and every action plan of it), whichever member a row is added to.

Limits come from the settings (``CONTINUUM_MAX_OBJECTIVES_PER_PLAN``, ``..._MEASURES_...``,
``..._INDICATORS_...``); a deployment that needs more raises them. Adding past a limit is a 422
naming the limit and the setting, and nothing is written. The count is read in the same unit
of work as the insert, so two additions racing may pass one over the limit: a bound on work,
not an exact quota.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlmodel import Session, col

from workflow.core import Settings, ValidationFailed
from workflow.lifecycle import Strategy
from workflow.monitoring.models import Indicator, Measure, Objective

SETTING = {
    "objectives": "CONTINUUM_MAX_OBJECTIVES_PER_PLAN",
    "measures": "CONTINUUM_MAX_MEASURES_PER_PLAN",
    "indicators": "CONTINUUM_MAX_INDICATORS_PER_PLAN",
}


def _default(name: str) -> int:
    value = Settings.model_fields[name].default
    assert isinstance(value, int), f"the setting {name} defaults to a number"
    return value


@dataclass(frozen=True)
class PlanLimits:
    objectives: int
    measures: int
    indicators: int

    @classmethod
    def of(cls, settings: Settings | None) -> PlanLimits:
        """The deployment's limits; without settings, the settings' defaults."""
        if settings is None:
            return cls(_default("max_objectives_per_plan"), _default("max_measures_per_plan"),
                       _default("max_indicators_per_plan"))
        return cls(settings.max_objectives_per_plan, settings.max_measures_per_plan, settings.max_indicators_per_plan)


def family_ids(session: Session, plan: Strategy) -> list[int]:
    """The strategy a plan belongs to (itself, for a strategy) and all that strategy's action plans."""
    root = plan.parent_id or plan.id
    assert root is not None, "a strategy read from the database has its id"
    children = session.scalars(select(col(Strategy.id)).where(col(Strategy.parent_id) == root))
    return [root, *children]


def _count(session: Session, what: str, ids: list[int]) -> int:
    if what == "objectives":
        query = select(func.count()).select_from(Objective).where(col(Objective.strategy_id).in_(ids))
    elif what == "measures":
        query = select(func.count()).select_from(Measure).where(col(Measure.plan_id).in_(ids))
    else:
        query = select(func.count()).select_from(Indicator).where(or_(
            col(Indicator.measure_id).in_(select(col(Measure.id)).where(col(Measure.plan_id).in_(ids))),
            col(Indicator.objective_id).in_(select(col(Objective.id)).where(col(Objective.strategy_id).in_(ids))),
        ))
    return session.scalar(query) or 0


def require_room(
    session: Session, plan: Strategy, what: str, limits: PlanLimits, *, adding: int = 1, pointer: str = "#"
) -> None:
    """Refuse (422 at ``pointer``) adding ``adding`` ``what`` (objectives, measures, indicators) to
    ``plan`` when its family would then hold more than the limit."""
    limit: int = getattr(limits, what)
    ids = family_ids(session, plan)
    held = _count(session, what, ids)
    if held + adding > limit:
        where = f"strategy {ids[0]} and its action plans" if len(ids) > 1 else f"strategy {ids[0]}"
        raise ValidationFailed.field(pointer, (
            f"{where} hold {held} {what}; adding {adding} would pass the limit of {limit} "
            f"per plan ({SETTING[what]})"
        ))
