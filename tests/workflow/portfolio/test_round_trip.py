"""Export, import into an empty database, export again: the same file, byte for byte; and the
imported portfolio answers gap reports (as of a day, and as known on a day) as the original does."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from tests.workflow.portfolio.conftest import NOW, TODAY, counts, export_text, import_text
from workflow.calendar import WorkingCalendar
from workflow.consultation import RECORDS
from workflow.core.db import new_session, unit_of_work
from workflow.core.settings import Settings
from workflow.demo import load_portfolio, read_portfolio
from workflow.directory import InstitutionCreate, create_institution, find_institution
from workflow.gaps.queries import gap_report
from workflow.lifecycle import (
    StrategyCreate,
    StrategyPatch,
    TransitionRequest,
    apply_transition,
    create_strategy,
    update_strategy,
)

CALENDAR = WorkingCalendar("AL")


def move(session: Session, strategy_id: int, event: str, on: str, **fields: object) -> None:
    apply_transition(session, strategy_id, TransitionRequest(event=event, effective_on=date.fromisoformat(on),
                                                             **fields),
                     actor="blerta", now=NOW, today=TODAY, default_min_consultation_days=20, calendar=CALENDAR,
                     consultation=RECORDS)


def build(engine: Engine, settings: Settings) -> None:
    """The demo, then what the API and the console record: strategies with no key, periods that are not
    whole years, links made later to strategies registered later, and edits dated when they were made."""
    with unit_of_work(engine) as session:
        load_portfolio(session, read_portfolio(), now=NOW, today=TODAY, settings=settings)
        agency = create_institution(session, InstitutionCreate(name="National Employment Agency"), now=NOW).id
        interior = find_institution(session, "Ministry of Interior").id
        current = create_strategy(session, StrategyCreate(
            title="Employment strategy 2023-2027", policy_area="employment", lead_institution_id=agency,
            period_start=date(2023, 7, 1), period_end=date(2027, 6, 30), drafting_started_on=date(2022, 9, 5),
            reminder_offsets=[60, 14], min_consultation_days=25), now=NOW, today=TODAY).id
        move(session, current, "submit_for_consultation", "2022-11-07", effective_on_approximate=True)
        move(session, current, "return_to_drafting", "2022-12-05", comment="Rework the targets")
        move(session, current, "submit_for_consultation", "2023-01-09")
        move(session, current, "submit_for_approval", "2023-03-06")
        move(session, current, "approve", "2023-06-14", approved_on=date(2023, 6, 14), approval_reference_unknown=True)
        earlier = create_strategy(session, StrategyCreate(
            title="Employment strategy 2019-2023", policy_area="employment", lead_institution_id=interior,
            period_start=date(2019, 1, 1), period_end=date(2023, 6, 30)), now=NOW, today=TODAY).id
        move(session, earlier, "submit_for_consultation", "2018-09-03")
        move(session, earlier, "submit_for_approval", "2018-11-05")
        move(session, earlier, "approve", "2018-12-20", approved_on=date(2018, 12, 20), approval_reference="DCM 9")
        move(session, earlier, "expire", "2023-06-20", reason="superseded", comment="Replaced early")
        for patch in (
            StrategyPatch(approval_due=date(2023, 3, 31), effective_on=date(2022, 10, 3),
                          effective_on_approximate=True),
            StrategyPatch(approval_due=date(2023, 6, 30), predecessor_id=earlier, effective_on=date(2023, 2, 1)),
            StrategyPatch(lead_institution_id=interior, title="Employment and Skills Strategy 2023-2027",
                          effective_on=date(2024, 1, 15)),
        ):
            update_strategy(session, current, patch, now=NOW, today=TODAY, actor="blerta")
        create_strategy(session, StrategyCreate(
            title="Employment strategy 2027-2031", policy_area="employment", lead_institution_id=interior,
            predecessor_id=current, period_start=date(2027, 7, 1), period_end=date(2031, 6, 30),
            drafting_due=date(2026, 9, 30), overdue_offsets=[1, 7]), now=NOW, today=TODAY)


def gaps(engine: Engine, settings: Settings, **when: date) -> list[object]:
    with new_session(engine) as session:
        entries = gap_report(session, horizon_days=365, settings=settings, **when)
    return [dataclasses.replace(e, strategy_id=0, parent_id=None, successor_id=None) for e in entries]


def round_trip(first: Engine, second: Engine, settings: Settings) -> tuple[str, str]:
    exported = export_text(first)
    import_text(second, exported, settings)
    return exported, export_text(second)


def test_export_then_import_into_an_empty_database_then_export_writes_the_same_file(engine, other_engine, settings):
    build(engine, settings)

    exported, again = round_trip(engine, other_engine, settings)

    assert again == exported
    data = json.loads(exported)
    assert (len(data["institutions"]), len(data["contacts"]), len(data["strategies"])) == (6, 10, 15)
    keys = [s["key"] for s in data["strategies"]]
    assert keys.index("strategy-14") < keys.index("strategy-13")  # the predecessor named later comes first
    current = next(s for s in data["strategies"] if s["key"] == "strategy-13")
    assert (current["period_start"], current["period_end"], current["predecessor"]) == (
        "2023-07-01", "2027-06-30", "strategy-14")
    assert [r["changes"] for r in current["revisions"]][2] == {
        "lead_institution": ["National Employment Agency", "Ministry of Interior"],
        "title": ["Employment strategy 2023-2027", "Employment and Skills Strategy 2023-2027"]}
    assert current["history"][4] == {"event": "approve", "effective_on": "2023-06-14", "approved_on": "2023-06-14",
                                     "approval_reference_unknown": True, "actor": "blerta"}
    after = counts(other_engine)
    assert {k: after[k] for k in ("institutions", "contacts", "strategies", "stage_changes", "strategy_revisions")} \
        == {k: counts(engine)[k] for k in ("institutions", "contacts", "strategies", "stage_changes",
                                          "strategy_revisions")}


def test_the_imported_portfolio_answers_gap_reports_as_the_original(engine, other_engine, settings):
    build(engine, settings)
    round_trip(engine, other_engine, settings)

    for when in ({"as_of": date(2023, 6, 25)}, {"as_of": TODAY}, {"as_of": date(2023, 1, 15)},
                 {"as_of": date(2023, 1, 15), "known_on": date(2022, 12, 1)}):
        assert gaps(other_engine, settings, **when) == gaps(engine, settings, **when), when


def test_an_empty_database_exports_an_empty_portfolio_that_imports(engine, other_engine, settings):
    exported, again = round_trip(engine, other_engine, settings)
    assert again == exported
    assert json.loads(exported) | {"about": "", "modelling_notes": []} == {
        "about": "", "modelling_notes": [], "institutions": [], "contacts": [], "strategies": []}
    assert set(counts(other_engine).values()) == {0}


@pytest.mark.postgres
def test_the_round_trip_on_postgresql(pg_engine, pg_other_engine, settings):
    build(pg_engine, settings)

    exported, again = round_trip(pg_engine, pg_other_engine, settings)

    assert again == exported
    assert exported == export_text(pg_engine)  # reading twice reads the same


def test_importing_an_export_into_the_database_it_came_from_adds_nothing(engine, settings):
    build(engine, settings)
    with unit_of_work(engine) as session:  # a second keyless strategy of the same title, area and kind
        lead = find_institution(session, "Ministry of Interior").id
        create_strategy(session, StrategyCreate(
            title="Employment strategy 2027-2031", policy_area="employment", lead_institution_id=lead,
            period_start=date(2027, 7, 1), period_end=date(2031, 6, 30)), now=NOW, today=TODAY)
    before = counts(engine)
    exported = export_text(engine)

    first = import_text(engine, exported, settings)

    assert (first.written.strategies, first.written.keys_recorded, first.differing) == (0, 4, [])
    assert counts(engine) == before | {"events": before["events"] + 1}
    assert export_text(engine) == exported
    assert import_text(engine, exported, settings).changed_nothing
