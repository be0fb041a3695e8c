from datetime import date

import pytest
from sqlalchemy import select

from tests import factories as f
from workflow.core.errors import ConcurrentUpdate, NotFound, StaleVersion, ValidationFailed
from workflow.core.outbox import OutboxEvent
from workflow.lifecycle.models import Strategy
from workflow.lifecycle.requests import StrategyPatch
from workflow.lifecycle.strategies import (
    StrategyFilter,
    check_version,
    get_strategy,
    list_strategies,
    lost_race,
    update_strategy,
)

T0 = f.T0


def _pointers(error: ValidationFailed) -> list[str]:
    return [e.pointer for e in error.errors]


def _patch(session, strategy_id, if_match=None, **fields):
    return update_strategy(session, strategy_id, StrategyPatch(**fields), now=T0, today=T0.date(),
                           if_match=if_match)


def test_a_new_strategy_starts_in_drafting_at_version_one_and_is_announced(session):
    strategy = f.strategy(session, f.institution(session))
    # Drafting began (by default) the day it was registered, and the fresh draft entered its stage then.
    assert (strategy.stage, strategy.version, strategy.stage_entered_on) == ("drafting", 1, T0.date())
    assert strategy.drafting_started_on == T0.date()
    event = session.scalars(select(OutboxEvent)).one()
    assert (event.type, event.strategy_id) == ("strategy_created", strategy.id)
    assert event.payload["title"] == "National Strategy on Migration 2019-2022"
    assert event.payload["period_end"] == "2022-12-31"


def test_get_strategy_of_an_unknown_id_is_not_found(session):
    with pytest.raises(NotFound, match="no strategy with id 42"):
        get_strategy(session, 42)


def test_period_must_end_after_it_starts(session):
    with pytest.raises(ValidationFailed) as refused:
        f.strategy(session, f.institution(session), period_start=date(2022, 1, 1), period_end=date(2022, 1, 1))
    assert _pointers(refused.value) == ["#/period_end"]


def test_lead_institution_must_exist(session):
    with pytest.raises(ValidationFailed) as refused:
        f.strategy(session, 999)
    assert _pointers(refused.value) == ["#/lead_institution_id"]


def test_an_action_plan_names_a_strategy_and_fits_in_its_period(session):
    moi = f.institution(session)
    parent = f.strategy(session, moi)
    standalone = f.strategy(session, moi, kind="action_plan")  # no umbrella strategy: a standalone plan
    assert (standalone.kind, standalone.parent_id) == ("action_plan", None)
    with pytest.raises(ValidationFailed) as refused:
        f.strategy(session, moi, kind="action_plan", parent_id=parent.id,
                   period_start=date(2018, 12, 31), period_end=date(2023, 1, 1))
    assert _pointers(refused.value) == ["#/period_start", "#/period_end"]
    plan = f.strategy(session, moi, kind="action_plan", parent_id=parent.id, period_end=date(2020, 12, 31))
    assert plan.parent_id == parent.id
    with pytest.raises(ValidationFailed) as refused:
        f.strategy(session, moi, kind="action_plan", parent_id=plan.id, period_end=date(2020, 12, 31))
    assert _pointers(refused.value) == ["#/parent_id"]


def test_a_strategy_has_no_parent(session):
    moi = f.institution(session)
    parent = f.strategy(session, moi)
    with pytest.raises(ValidationFailed) as refused:
        f.strategy(session, moi, parent_id=parent.id)
    assert _pointers(refused.value) == ["#/parent_id"]


def test_a_predecessor_is_of_the_same_kind_and_area(session):
    moi = f.institution(session)
    old = f.strategy(session, moi)
    with pytest.raises(ValidationFailed) as refused:
        f.strategy(session, moi, policy_area="health", predecessor_id=old.id)
    assert _pointers(refused.value) == ["#/predecessor_id"]
    with pytest.raises(ValidationFailed):
        f.strategy(session, moi, predecessor_id=999)
    successor = f.strategy(session, moi, predecessor_id=old.id, period_start=date(2023, 1, 1),
                           period_end=date(2030, 12, 31))
    assert successor.predecessor_id == old.id


def test_the_succession_cannot_become_a_cycle(session):
    moi = f.institution(session)
    first = f.strategy(session, moi)
    second = f.strategy(session, moi, predecessor_id=first.id)
    third = f.strategy(session, moi, predecessor_id=second.id)
    with pytest.raises(ValidationFailed, match="cycle") as refused:
        _patch(session, first.id, predecessor_id=third.id)
    assert _pointers(refused.value) == ["#/predecessor_id"]
    with pytest.raises(ValidationFailed, match="itself"):
        _patch(session, first.id, predecessor_id=first.id)


def test_patch_bumps_the_version_and_records_the_change(session):
    strategy = f.strategy(session, f.institution(session))
    updated = _patch(session, strategy.id, if_match={1}, title="Renamed", consultation_due=date(2019, 6, 1))
    assert (updated.title, updated.consultation_due, updated.version) == ("Renamed", date(2019, 6, 1), 2)
    event = session.scalars(select(OutboxEvent).order_by(OutboxEvent.id.desc())).first()
    assert event.type == "strategy_updated"
    assert event.payload == {
        "version": 2,
        "changes": {
            "title": ["National Strategy on Migration 2019-2022", "Renamed"],
            "consultation_due": [None, "2019-06-01"],
        },
        "effective_on": "2026-01-05",  # the day of the change, by default the day it was made
        "effective_on_approximate": False,
        "actor": None,  # the API passes the token's name; this call names no one
    }


def test_patch_without_a_change_keeps_the_version_and_records_nothing(session):
    strategy = f.strategy(session, f.institution(session))
    unchanged = _patch(session, strategy.id, title=strategy.title)
    assert unchanged.version == 1
    assert [e.type for e in session.scalars(select(OutboxEvent))] == ["strategy_created"]


def test_patch_refuses_null_for_required_fields_and_allows_it_for_optional_ones(session):
    strategy = f.strategy(session, f.institution(session), drafting_due=date(2018, 10, 1))
    with pytest.raises(ValidationFailed) as refused:
        _patch(session, strategy.id, title=None, period_end=None)
    assert _pointers(refused.value) == ["#/title", "#/period_end"]
    assert _patch(session, strategy.id, drafting_due=None).drafting_due is None


def test_patch_checks_the_period_against_its_action_plans(session):
    moi = f.institution(session)
    parent = f.strategy(session, moi)
    f.strategy(session, moi, kind="action_plan", parent_id=parent.id, period_end=date(2022, 6, 30))
    with pytest.raises(ValidationFailed) as refused:
        _patch(session, parent.id, period_end=date(2022, 3, 31))
    assert _pointers(refused.value) == ["#/period_end"]
    assert session.get(Strategy, parent.id, populate_existing=True).version == 1


def test_patch_with_a_stale_version_is_refused(session):
    strategy = f.strategy(session, f.institution(session))
    _patch(session, strategy.id, title="Second")
    with pytest.raises(StaleVersion) as refused:
        _patch(session, strategy.id, if_match={1}, title="Third")
    assert refused.value.status == 412
    assert refused.value.extensions == {"current_version": 2}
    assert session.get(Strategy, strategy.id, populate_existing=True).title == "Second"


def test_check_version_accepts_any_listed_version_and_no_header():
    strategy = Strategy(version=3)
    check_version(strategy, None)
    check_version(strategy, {2, 3})
    with pytest.raises(StaleVersion):
        check_version(strategy, {2})


def test_a_lost_race_is_412_with_if_match_and_409_without():
    assert isinstance(lost_race({1}), StaleVersion)
    assert isinstance(lost_race(None), ConcurrentUpdate)
    assert lost_race(None).status == 409


def test_list_filters_and_pages(session):
    moi = f.institution(session)
    old = f.strategy_in_stage(session, moi, "monitoring", today=date(2026, 1, 5))
    expired = f.strategy_in_stage(session, moi, "expiry", today=date(2026, 1, 5), period_end=date(2022, 6, 30))
    health = f.strategy(session, moi, policy_area="health", period_end=date(2030, 12, 31))
    plan = f.strategy(session, moi, kind="action_plan", parent_id=old.id, period_end=date(2020, 12, 31))

    def ids(limit=50, offset=0, **filters):
        rows, total = list_strategies(session, StrategyFilter(**filters), limit=limit, offset=offset)
        return [r.id for r in rows], total

    assert ids() == ([plan.id, expired.id, old.id, health.id], 4)  # ordered by period_end
    assert ids(policy_area="health") == ([health.id], 1)
    assert ids(stage="monitoring") == ([old.id], 1)
    assert ids(kind="action_plan") == ([plan.id], 1)
    assert ids(parent_id=old.id) == ([plan.id], 1)
    assert ids(lapsing_before=date(2023, 1, 1)) == ([plan.id, old.id], 2)  # the expired one has lapsed already
    assert ids(lapsing_before=date(2022, 12, 31)) == ([plan.id], 1)  # strictly before
    assert ids(limit=2, offset=1) == ([expired.id, old.id], 4)
    assert ids(policy_area="migration", stage="drafting") == ([plan.id], 1)
