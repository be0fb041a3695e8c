"""What one plan may hold (issue 10, item 5): objectives, measures and indicators per strategy and
its action plans, and the years a reporting cycle spans. Past a bound: a 422 that names the field
or the limit, and nothing written. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine, func, select

from tests import factories as f
from workflow.core import Settings, ValidationFailed
from workflow.core.db import new_session, unit_of_work
from workflow.lifecycle.requests import StrategyCreate
from workflow.lifecycle.strategies import create_strategy
from workflow.monitoring import Indicator, Measure, Objective, ReportingCycle
from workflow.monitoring.plan.catalog import create_measure, create_objective
from workflow.monitoring.plan.cycles import set_cycle
from workflow.monitoring.plan.indicators import create_indicator
from workflow.monitoring.plan.periods import MAX_CYCLE_YEARS
from workflow.monitoring.requests import CycleSet, IndicatorCreate, MeasureCreate, ObjectiveCreate


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest) -> Iterator[Engine]:
    yield request.getfixturevalue("engine" if request.param == "sqlite" else "pg_engine")


def small(**limits: int) -> Settings:
    return Settings(_env_file=None, **limits)


def family(engine: Engine) -> tuple[int, int, int, int]:
    """A 2024-2030 strategy with a 2024-2026 action plan: (lead, strategy, plan, strategy's objective)."""
    with unit_of_work(engine) as s:
        lead = f.institution(s)
        strategy = f.strategy(s, lead, period_start=date(2024, 1, 1), period_end=date(2030, 12, 31))
        plan = create_strategy(s, StrategyCreate(
            title="Action plan 2024-2026", policy_area="migration", lead_institution_id=lead, kind="action_plan",
            parent_id=strategy.id, period_start=date(2024, 1, 1), period_end=date(2026, 12, 31),
        ), now=f.T0, today=f.T0.date())
        objective = create_objective(s, strategy.id, ObjectiveCreate(code="1", title="Govern migration"), now=f.T0)
        return lead, strategy.id, plan.id, objective.id


def measure(objective_id: int, lead: int, code: str) -> MeasureCreate:
    return MeasureCreate(objective_id=objective_id, code=code, title=f"Measure {code}", responsible_institution_id=lead,
                         planned_start=date(2025, 1, 1), planned_end=date(2025, 12, 31))


def count(engine: Engine, table: type) -> int:
    with new_session(engine) as s:
        return s.scalar(select(func.count()).select_from(table)) or 0


def refused(error: pytest.ExceptionInfo[ValidationFailed], pointer: str) -> str:
    [problem] = error.value.errors
    assert problem.pointer == pointer
    return problem.detail


def test_objectives_measures_and_indicators_are_bounded_over_a_strategy_and_its_action_plans(db):
    lead, strategy, plan, objective = family(db)
    limits = small(max_objectives_per_plan=2, max_measures_per_plan=2, max_indicators_per_plan=1)
    with unit_of_work(db) as s:
        create_objective(s, plan, ObjectiveCreate(code="2", title="Return"), now=f.T0, settings=limits)
        first = create_measure(s, strategy, measure(objective, lead, "1.1"), now=f.T0, settings=limits)
        create_measure(s, plan, measure(objective, lead, "1.2"), now=f.T0, settings=limits)
        create_indicator(s, IndicatorCreate(name="Profiles", unit="reports", baseline_value=0, baseline_year=2023,
                                            target_value=3, target_year=2026), measure_id=first.id, now=f.T0,
                         settings=limits)
    before = {table: count(db, table) for table in (Objective, Measure, Indicator)}
    with new_session(db) as s, pytest.raises(ValidationFailed) as error:
        create_objective(s, strategy, ObjectiveCreate(code="3", title="Diaspora"), now=f.T0, settings=limits)
    assert "hold 2 objectives" in refused(error, "#") and "CONTINUUM_MAX_OBJECTIVES_PER_PLAN" in error.value.detail
    with new_session(db) as s, pytest.raises(ValidationFailed) as error:  # the strategy's plan counts too
        create_measure(s, plan, measure(objective, lead, "1.3"), now=f.T0, settings=limits)
    assert "strategy" in refused(error, "#") and "CONTINUUM_MAX_MEASURES_PER_PLAN" in error.value.detail
    with new_session(db) as s, pytest.raises(ValidationFailed) as error:
        create_indicator(s, IndicatorCreate(name="Deaths", unit="persons", baseline_value=9, baseline_year=2023,
                                            target_value=3, target_year=2026, direction="decrease"),
                         objective_id=objective, now=f.T0, settings=limits)
    assert "CONTINUUM_MAX_INDICATORS_PER_PLAN" in refused(error, "#")
    assert {table: count(db, table) for table in (Objective, Measure, Indicator)} == before


def test_without_settings_the_default_limits_apply(db):
    lead, strategy, _, objective = family(db)
    limit = Settings.model_fields["max_measures_per_plan"].default
    assert limit == small().max_measures_per_plan == 1000
    with unit_of_work(db) as s:  # a plan full to the limit, written past the services
        s.add_all([Measure(plan_id=strategy, objective_id=objective, title=f"M{i}", responsible_institution_id=lead,
                           contributing_institution_ids=[], planned_start=date(2025, 1, 1),
                           planned_end=date(2025, 12, 31), status="not_started", alignment_tags=[], created_at=f.T0,
                           updated_at=f.T0) for i in range(limit)])
    with new_session(db) as s, pytest.raises(ValidationFailed) as error:
        create_measure(s, strategy, measure(objective, lead, "X"), now=f.T0)
    assert f"limit of {limit}" in refused(error, "#")


def test_a_reporting_cycle_spans_at_most_the_bound_and_a_later_start_is_the_way_in(db):
    with unit_of_work(db) as s:
        lead = f.institution(s)
        long_plan = f.strategy(s, lead, period_start=date(1900, 1, 1), period_end=date(2199, 12, 31)).id
    with new_session(db) as s, pytest.raises(ValidationFailed) as error:
        set_cycle(s, long_plan, CycleSet(frequency="quarterly", starts_on=date(1900, 1, 1)), today=date(2026, 2, 10),
                  now=f.T0)
    assert "span 300 years" in refused(error, "#/starts_on") and f"at most {MAX_CYCLE_YEARS}" in error.value.detail
    assert count(db, ReportingCycle) == 0
    last_start = date(2199 - MAX_CYCLE_YEARS + 1, 1, 1)
    with unit_of_work(db) as s:
        cycle = set_cycle(s, long_plan, CycleSet(frequency="annual", starts_on=last_start), today=date(2026, 2, 10),
                          now=f.T0)
        assert cycle.starts_on == last_start
    with new_session(db) as s, pytest.raises(ValidationFailed):  # resetting it earlier is refused the same way
        set_cycle(s, long_plan, CycleSet(frequency="annual", starts_on=date(2100, 1, 1)), today=date(2026, 2, 10),
                  now=f.T0)
