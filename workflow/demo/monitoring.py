"""Monitoring data for the demo's 2024-2026 migration action plan: a quarterly reporting cycle,
three objectives tagged with GCM/SDG/MGI items, five measures and their indicators.

Illustrative, not sourced: the public record gives the action plan's existence and period, not
its measures. Called by the demo loader after the portfolio is loaded, in the same unit of
work; idempotent (does nothing when the plan has objectives already).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlmodel import Session, col

from workflow.core import NotFound
from workflow.directory import find_institution
from workflow.lifecycle import Strategy
from workflow.monitoring import (
    CycleSet,
    IndicatorCreate,
    MeasureCreate,
    Objective,
    ObjectiveCreate,
    create_indicator,
    create_measure,
    create_objective,
    set_cycle,
)

DEMO_PLAN_TITLE = "Action Plan of the National Strategy for Migration 2024-2026"
LEAD = "Ministry of Interior"
COMMITTEE = "Technical Committee on Migration"


@dataclass(frozen=True)
class SeedReport:
    plan_id: int
    created: bool
    objectives: int = 0
    measures: int = 0
    indicators: int = 0


def quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def previous_quarter_start(today: date) -> date:
    """Reports are chased from the quarter before today's: one report late or nearly due and one
    upcoming, not a burst of notices for every quarter since the plan began."""
    this_quarter = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    last_day_before = this_quarter - timedelta(days=1)
    return date(last_day_before.year, (last_day_before.month - 1) // 3 * 3 + 1, 1)


def seed_demo_monitoring(
    session: Session, *, now: datetime, today: date, plan_title: str = DEMO_PLAN_TITLE
) -> SeedReport:
    plan = session.scalar(
        select(Strategy).where(col(Strategy.title) == plan_title, col(Strategy.kind) == "action_plan")
    )
    if plan is None:
        raise NotFound(f"the demo action plan {plan_title!r} is not loaded; run `continuum demo` first")
    plan_id = plan.id
    assert plan_id is not None, "a strategy read from the database has its id"
    if session.scalar(select(col(Objective.id)).where(col(Objective.strategy_id) == plan_id).limit(1)) is not None:
        return SeedReport(plan_id, created=False)
    lead, committee = find_institution(session, LEAD), find_institution(session, COMMITTEE)
    if lead is None or committee is None:
        raise NotFound(f"the demo institutions {LEAD!r} and {COMMITTEE!r} are not loaded")
    lead_id, committee_id = lead.id, committee.id
    assert lead_id is not None and committee_id is not None, "institutions read from the database have their id"
    # Once the plan's period is over (from 2027 on), its last quarter is still there to report on.
    starts_on = min(previous_quarter_start(today), quarter_start(plan.period_end))
    set_cycle(session, plan_id, CycleSet(frequency="quarterly", due_days=30, starts_on=starts_on),
              today=today, now=now)

    def objective(code: str, title: str, tags: list[str]) -> int:
        command = ObjectiveCreate(code=code, title=title, alignment_tags=tags)
        created = create_objective(session, plan_id, command, now=now)
        assert created.id is not None, "create_objective flushes, so the row has its id"
        return created.id

    def measure(objective_id: int, code: str, title: str, institution: int, start: str, end: str, cost: str,
                tags: list[str], status: str = "not_started", completed_on: str | None = None) -> int:
        command = MeasureCreate(
            objective_id=objective_id, code=code, title=title, responsible_institution_id=institution,
            planned_start=date.fromisoformat(start), planned_end=date.fromisoformat(end), estimated_cost=Decimal(cost),
            currency="ALL", funding_source="State budget", status=status,
            completed_on=date.fromisoformat(completed_on) if completed_on else None, alignment_tags=tags,
            contributing_institution_ids=[committee_id] if institution == lead_id else [],
        )
        created = create_measure(session, plan_id, command, now=now)
        assert created.id is not None, "create_measure flushes, so the row has its id"
        return created.id

    def indicator(name: str, unit: str, baseline: str, target: str, direction: str = "increase", *,
                  objective_id: int | None = None, measure_id: int | None = None) -> None:
        command = IndicatorCreate(name=name, unit=unit, baseline_value=Decimal(baseline), baseline_year=2023,
                                  target_value=Decimal(target), target_year=2026, direction=direction)
        create_indicator(session, command, objective_id=objective_id, measure_id=measure_id, now=now)

    data = objective("1", "Evidence-based migration governance", ["gcm:1", "sdg:10.7.2", "mgi:whole-of-government"])
    returns = objective("2", "Dignified return and sustainable reintegration", ["gcm:21", "mgi:migrants-rights"])
    diaspora = objective("3", "Engage the diaspora in development", ["gcm:19", "gcm:20", "mgi:partnerships"])
    indicator(
        "Returned migrants registered with reintegration support", "persons", "1200", "3000", objective_id=returns
    )
    m1 = measure(data, "1.1", "Publish the annual Extended Migration Profile", lead_id, "2024-06-01", "2026-12-31",
                 "4500000.00", ["gcm:1"], status="on_track")
    indicator("Extended Migration Profiles published", "reports", "0", "3", measure_id=m1)
    m2 = measure(data, "1.2", "Set up the inter-institutional migration data working group", committee_id,
                 "2024-06-01", "2024-12-31", "800000.00", ["gcm:1", "gcm:23"],
                 status="completed", completed_on="2024-11-15")
    indicator("Working group meetings held", "meetings", "0", "4", measure_id=m2)
    m3 = measure(returns, "2.1", "Reintegration counters in all twelve regional employment offices", lead_id,
                 "2024-09-01", "2025-12-31", "12000000.00", ["gcm:21", "gcm:18"], status="delayed")
    indicator("Regional offices with a reintegration counter", "offices", "4", "12", measure_id=m3)
    measure(returns, "2.2", "Train consular staff on assisted voluntary return", lead_id, "2025-01-01", "2025-06-30",
            "1500000.00", ["gcm:14", "gcm:21"])
    m5 = measure(diaspora, "3.1", "Diaspora investment guarantee scheme", committee_id, "2025-03-01", "2026-12-31",
                 "30000000.00", ["gcm:19"], status="on_track")
    indicator(
        "Average cost of sending remittances to Albania", "% of amount sent", "7.5", "5", "decrease", measure_id=m5
    )
    return SeedReport(plan_id, created=True, objectives=3, measures=5, indicators=5)
