"""Links between rows (issue 10, item 1): found from the foreign keys, authorized against the linked
row's owner, and an automatic supersession that never ends another institution's strategy."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel

from tests import factories as f
from tests.api.databases import both_databases
from workflow.core.db import unit_of_work
from workflow.core.errors import Forbidden
from workflow.core.outbox import OutboxEvent
from workflow.core.settings import Settings
from workflow.lifecycle.expiry import expire_due, expiries_due
from workflow.lifecycle.links import STRATEGY_OWNERS, authorize_links, links_of
from workflow.lifecycle.models import Strategy
from workflow.lifecycle.requests import StrategyCreate, StrategyPatch
from workflow.lifecycle.strategies import create_strategy, update_strategy
from workflow.monitoring.models import Indicator, Measure, Objective
from workflow.monitoring.plan.catalog import PLAN_OWNERS
from workflow.tables import metadata

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
TODAY = date(2026, 6, 1)

# The tables the plan-editing services write, with the owner rules they authorize links by.
WRITTEN_WITH = {Strategy: STRATEGY_OWNERS, Objective: PLAN_OWNERS, Measure: PLAN_OWNERS, Indicator: PLAN_OWNERS}


engine = both_databases  # every test here runs on SQLite and on PostgreSQL


def test_the_links_of_a_table_are_its_foreign_keys():
    assert links_of(Strategy) == {"parent_id": "strategies", "predecessor_id": "strategies",
                                  "lead_institution_id": "institutions"}
    assert links_of(Measure) == {"plan_id": "strategies", "objective_id": "objectives",
                                 "responsible_institution_id": "institutions"}


@pytest.mark.parametrize("model", list(WRITTEN_WITH), ids=lambda m: m.__name__)
def test_every_linked_table_has_an_owner_rule(model: type[SQLModel]):
    """A foreign key added to a table these services write, naming a table without an owner rule,
    fails here (and in the service, with LookupError) instead of going unchecked."""
    targets = set(links_of(model).values())
    assert targets <= set(WRITTEN_WITH[model]), f"{model.__name__} links to {targets - set(WRITTEN_WITH[model])}"
    assert {fk.column.table.name for fk in metadata.tables[model.__tablename__].foreign_keys} == targets


def test_a_link_to_a_table_with_no_owner_rule_is_a_programming_error(session):
    with pytest.raises(LookupError, match="Measure.objective_id links to objectives"):
        authorize_links(session, Measure, {"objective_id": 1}, lambda *_: None, {"strategies": None})


def _refuse_other_than(own: int, seen: list[tuple[int, str]]):
    def authorize_link(institution_id: int, what: str) -> None:
        seen.append((institution_id, what))
        if institution_id != own:
            raise Forbidden(f"{what} belongs to institution {institution_id}")

    return authorize_link


def test_the_service_authorizes_each_link_against_the_linked_rows_owner_and_writes_nothing(session):
    a, b = f.institution(session), f.institution(session, "Ministry of Finance")
    theirs, ours = f.strategy(session, a), f.strategy(session, b, title="Ours")
    seen: list[tuple[int, str]] = []
    command = StrategyCreate(title="Successor", policy_area="migration", lead_institution_id=b,
                             period_start=date(2023, 1, 1), period_end=date(2026, 12, 31), predecessor_id=theirs.id)
    with pytest.raises(Forbidden, match=rf"#/predecessor_id \(strategy {theirs.id}\) belongs to institution {a}"):
        create_strategy(session, command, now=f.T0, today=f.T0.date(), authorize_link=_refuse_other_than(b, seen))
    assert (b, f"#/lead_institution_id (institution {b})") in seen
    with pytest.raises(Forbidden, match="#/predecessor_id"):
        update_strategy(session, ours.id, StrategyPatch(predecessor_id=theirs.id), now=f.T0, today=f.T0.date(),
                        authorize_link=_refuse_other_than(b, seen))
    assert len(session.scalars(select(Strategy)).all()) == 2
    assert session.get(Strategy, ours.id).version == 1
    assert [e.type for e in session.scalars(select(OutboxEvent))] == ["strategy_created"] * 2


def _approved(session, institution_id: int, **fields) -> Strategy:
    start = fields["period_start"]
    strategy = f.strategy(session, institution_id, **fields)
    f.advance(session, strategy.id, "submit_for_consultation", today=TODAY, effective_on=date(start.year - 1, 1, 5))
    f.advance(session, strategy.id, "submit_for_approval", today=TODAY, effective_on=date(start.year - 1, 3, 2))
    return f.advance(session, strategy.id, "approve", today=TODAY, effective_on=date(start.year - 1, 6, 1),
                     approval_reference="DCM No. 1", approved_on=date(start.year - 1, 6, 1))


def test_a_successor_of_another_institution_supersedes_nothing(engine):
    """The link was made without authorization (by an admin, or before links were checked): B's approved
    successor does not end A's strategy; A's own successor does."""
    with unit_of_work(engine) as s:
        a, b = f.institution(s), f.institution(s, "Ministry of Finance")
        old = _approved(s, a, period_start=date(2018, 1, 1), period_end=date(2027, 12, 31))
        _approved(s, b, title="B's successor", period_start=date(2026, 5, 1), period_end=date(2030, 12, 31),
                  predecessor_id=old.id)
        assert expiries_due(list(s.scalars(select(Strategy))), TODAY) == []
    assert expire_due(engine, now=NOW, today=TODAY, settings=Settings(_env_file=None)) == []
    with unit_of_work(engine) as s:
        assert s.get(Strategy, old.id).stage == "implementation"
        own = _approved(s, a, title="A's successor", period_start=date(2026, 5, 1), period_end=date(2030, 12, 31),
                        predecessor_id=old.id)
    assert expire_due(engine, now=NOW, today=TODAY, settings=Settings(_env_file=None)) == [old.id]
    with unit_of_work(engine) as s:
        ended = s.get(Strategy, old.id)
        assert (ended.stage, ended.expiry_reason, ended.expired_on) == ("expiry", "superseded", date(2026, 5, 1))
        assert s.get(Strategy, own.id).stage == "implementation"
