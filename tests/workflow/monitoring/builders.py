"""A small monitored plan for the monitoring tests, built through the real services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Engine

from tests import factories as f
from workflow.core.db import unit_of_work
from workflow.monitoring.plan.catalog import create_measure, create_objective
from workflow.monitoring.plan.cycles import set_cycle
from workflow.monitoring.plan.indicators import create_indicator
from workflow.monitoring.requests import CycleSet, IndicatorCreate, MeasureCreate, ObjectiveCreate


@dataclass(frozen=True)
class World:
    plan_id: int
    lead: int
    partner: int
    objective_id: int
    measure_id: int
    indicator_id: int
    coordinator: int
    lead_escalation: int
    partner_contact_point: int
    partner_escalation: int


def monitored_plan(engine: Engine, *, frequency: str = "quarterly", starts_on: date = date(2020, 1, 1)) -> World:
    """A 2019-2022 strategy in implementation (lead: a ministry with a coordinator and an escalation
    contact) with a measure for 2020 run by a partner institution that has a contact point."""
    with unit_of_work(engine) as s:
        lead = f.institution(s)
        partner = f.institution(s, "State Police")
        coordinator = f.contact(s, lead, ["coordinator"], "coord@example.org")
        lead_escalation = f.contact(s, lead, ["escalation"], "chief@example.org")
        partner_cp = f.contact(s, partner, ["contact_point"], "cp@police.example.org", name="Dritan Hysa")
        partner_escalation = f.contact(s, partner, ["escalation"], "director@police.example.org")
        plan = f.strategy_in_stage(s, lead, "implementation", today=date(2020, 1, 1))
        set_cycle(s, plan.id, CycleSet(frequency=frequency, due_days=30, starts_on=starts_on), today=starts_on,
                  now=f.T0)
        objective = create_objective(s, plan.id,
                                     ObjectiveCreate(code="1", title="Manage borders", alignment_tags=["gcm:11"]),
                                     now=f.T0)
        measure = create_measure(s, plan.id, MeasureCreate(
            objective_id=objective.id, code="1.1", title="Equip border crossing points",
            responsible_institution_id=partner,
            planned_start=date(2020, 1, 1), planned_end=date(2020, 12, 31), estimated_cost=Decimal("250000.00"),
            currency="EUR", funding_source="EU IPA",
        ), now=f.T0)
        indicator = create_indicator(s, IndicatorCreate(
            name="Crossing points equipped", unit="points", baseline_value=Decimal(2), baseline_year=2019,
            target_value=Decimal(10), target_year=2020,
        ), measure_id=measure.id, now=f.T0)
        return World(plan.id, lead, partner, objective.id, measure.id, indicator.id, coordinator, lead_escalation,
                     partner_cp, partner_escalation)
