"""Importing a portfolio file: what the services would have written, in bulk; all or nothing;
idempotent by key; the demo's own file is a valid input."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update

from tests.workflow.portfolio.builders import document, lapsed, many, strategy, text
from tests.workflow.portfolio.conftest import NOW, TODAY, counts, import_text
from workflow.core import OutboxEvent
from workflow.core.db import new_session, unit_of_work
from workflow.core.settings import Settings
from workflow.demo import load_portfolio, read_portfolio
from workflow.lifecycle import StageChange, Strategy
from workflow.portfolio import IMPORT_ACTOR, ImportRefused

DEMO_FILE = Path(__file__).parents[3] / "workflow" / "demo" / "portfolio.json"
STRATEGY_FIELDS = (
    "title", "policy_area", "kind", "period_start", "period_end", "stage", "stage_entered_on", "drafting_started_on",
    "version", "approval_reference", "approval_reference_unknown", "approved_on", "expired_on", "expiry_reason",
    "drafting_due", "consultation_due", "approval_due", "import_key",
)


def portfolio_rows(engine: Engine) -> dict[str, object]:
    """Every strategy (links by key) and its history, without ids, actors or timestamps."""
    with new_session(engine) as session:
        strategies = list(session.scalars(select(Strategy).order_by(Strategy.id)))
        keys = {s.id: s.import_key for s in strategies}
        changes = list(session.scalars(select(StageChange).order_by(StageChange.id)))
    return {
        s.import_key: (
            {name: getattr(s, name) for name in STRATEGY_FIELDS}
            | {"parent": keys.get(s.parent_id), "predecessor": keys.get(s.predecessor_id)},
            [(c.event, c.from_stage, c.to_stage, c.effective_on, c.effective_on_approximate, c.comment)
             for c in changes if c.strategy_id == s.id],
        )
        for s in strategies
    }


def test_the_demo_file_imports_as_continuum_demo_loads_it(engine, other_engine, settings):
    report = import_text(engine, DEMO_FILE.read_bytes(), settings)
    with unit_of_work(other_engine) as session:
        load_portfolio(session, read_portfolio(), now=NOW, today=TODAY, settings=settings)

    w = report.written
    assert (w.institutions, w.contacts, w.strategies, w.stage_changes, w.consultation_records) == (5, 10, 12, 48, 18)
    assert portfolio_rows(engine) == portfolio_rows(other_engine)
    with new_session(engine) as session:
        actors = set(session.scalars(select(StageChange.actor)))
    assert actors == {IMPORT_ACTOR}


def test_importing_the_same_file_again_changes_nothing_and_says_so(engine, settings):
    import_text(engine, DEMO_FILE.read_bytes(), settings)
    before = counts(engine)

    report = import_text(engine, DEMO_FILE.read_bytes(), settings)

    assert report.changed_nothing and report.differing == []
    assert report.summary() == ("nothing to import: every row is in the database already "
                                "(5 institutions, 10 contacts, 12 strategies)")
    assert counts(engine) == before


def test_a_database_loaded_by_continuum_demo_holds_every_row_of_its_file(engine, settings):
    with unit_of_work(engine) as session:
        load_portfolio(session, read_portfolio(), now=NOW, today=TODAY, settings=settings)

    report = import_text(engine, DEMO_FILE.read_bytes(), settings)

    assert report.changed_nothing and report.differing == []


def test_strategies_recorded_before_keys_existed_are_found_by_title_and_get_their_key(engine, settings):
    with unit_of_work(engine) as session:
        load_portfolio(session, read_portfolio(), now=NOW, today=TODAY, settings=settings)
        session.execute(update(Strategy).values(import_key=None))
    before = counts(engine)

    report = import_text(engine, DEMO_FILE.read_bytes(), settings)

    assert report.written.strategies == 0 and report.written.keys_recorded == 12
    assert report.summary().endswith("; keys recorded on 12 strategies found by title")
    assert counts(engine) == before | {"events": before["events"] + 1}  # the import's summary event
    with new_session(engine) as session:
        assert "migration-2019-2022" in set(session.scalars(select(Strategy.import_key)))
    assert import_text(engine, DEMO_FILE.read_bytes(), settings).changed_nothing


def test_a_strategy_present_under_its_key_is_left_as_it_is_and_reported_when_the_file_differs(engine, settings):
    doc = document([lapsed("a", 2000, 2004), lapsed("b", 2005, 2009, predecessor="a")])
    import_text(engine, text(doc), settings)
    doc["strategies"][1]["title"] = "Renamed"
    doc["strategies"][1]["history"].pop()  # no expiry in the file any more
    doc["strategies"].append(lapsed("c", 2010, 2014, predecessor="b"))

    report = import_text(engine, text(doc), settings)

    assert report.summary() == (
        "imported 0 institutions, 0 contacts, 1 strategies (4 stage changes, 0 revisions, 0 consultation records); "
        "in the database already, left as they were: 1 institutions, 0 contacts, 2 strategies, 1 of them differ "
        "from the file")
    assert [str(row) for row in report.differing] == [
        "strategies[1] (key b): present already and left as it is; the file differs in title, stage, "
        "stage_entered_on, expired_on, expiry_reason, history"]
    with new_session(engine) as session:
        b = session.scalar(select(Strategy).where(Strategy.import_key == "b"))
        assert (b.title, b.stage) == ("migration strategy 2005-2009 (b)", "expiry")


def test_a_contact_present_under_its_address_is_left_as_it_is_and_reported_when_the_file_differs(engine, settings):
    contact = {"name": "Arta Hoxha", "email": "arta@example.org", "institution": "Ministry of Interior",
               "language": "sq", "roles": ["coordinator"]}
    import_text(engine, text(document([], contacts=[contact])), settings)
    moved = contact | {"email": "ARTA@example.org", "roles": ["coordinator", "escalation"]}

    report = import_text(engine, text(document([], contacts=[moved])), settings)

    assert report.changed_nothing
    assert [str(row) for row in report.differing] == [
        "contacts[0] (email ARTA@example.org): present already and left as it is; the file differs in roles"]


def test_a_strategy_may_name_one_imported_before_by_its_key(engine, settings):
    import_text(engine, text(document([lapsed("a", 2000, 2004)])), settings)

    import_text(engine, text(document([lapsed("b", 2005, 2009, predecessor="a")])), settings)

    with new_session(engine) as session:
        a, b = (session.scalar(select(Strategy).where(Strategy.import_key == k)) for k in ("a", "b"))
        assert b.predecessor_id == a.id


def test_each_new_strategy_has_its_strategy_created_event_and_the_import_one_summary(engine, settings):
    import_text(engine, text(many(12)), settings)

    with new_session(engine) as session:
        events = list(session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)))
        ids = set(session.scalars(select(Strategy.id)))
    summary = [e for e in events if e.type == "portfolio_imported"]
    created = [e for e in events if e.type == "strategy_created"]
    assert len(summary) == 1 and summary[0].payload["strategies"] == 12 and summary[0].strategy_id is None
    assert {e.strategy_id for e in created} == ids and len(created) == 12
    assert created[0].payload["stage"] == "expiry" and created[0].payload["actor"] == IMPORT_ACTOR


def test_periods_dues_and_offsets_beyond_the_demos_fields_are_imported(engine, settings):
    row = strategy("exact", 2024, 2026, history=[{"event": "submit_for_consultation", "effective_on": "2026-01-05",
                                                  "actor": "Arta"}],
                   consultation_due="2026-04-30", min_consultation_days=30, reminder_offsets=[30, 7],
                   drafting_started_on="2025-06-01") | {"first_year": None, "period_start": "2024-07-01"}
    import_text(engine, text(document([row])), settings)

    with new_session(engine) as session:
        s = session.scalar(select(Strategy))
        change = session.scalar(select(StageChange))
    assert (s.period_start, s.period_end, s.consultation_due) == (date(2024, 7, 1), date(2026, 12, 31),
                                                                   date(2026, 4, 30))
    assert (s.min_consultation_days, s.reminder_offsets, s.drafting_started_on) == (30, [30, 7], date(2025, 6, 1))
    assert (s.stage, s.stage_entered_on, s.version, change.actor) == ("consultation", date(2026, 1, 5), 2, "Arta")


def test_one_bad_row_among_fifty_thousand_writes_nothing(engine, settings):
    doc = many(50_000)
    doc["strategies"][40_000]["history"][2]["effective_on"] = "2031-01-01"

    with pytest.raises(ImportRefused) as refused:
        import_text(engine, json.dumps(doc), settings)

    assert [str(row) for row in refused.value.rows] == [
        "strategies[40000] (key s-40000).history[2].effective_on: must not be in the future (today is 2026-03-02)"]
    assert refused.value.rows[0].pointer == "#/strategies/40000/history/2/effective_on"
    assert set(counts(engine).values()) == {0}


def test_the_cycle_collector_is_back_as_it_was_after_an_import_refused_or_not(engine, settings):
    import gc

    assert gc.isenabled()
    with pytest.raises(ImportRefused):
        import_text(engine, text(document([strategy("a", 2000, 1990)])), settings)
    assert gc.isenabled()
    gc.disable()
    try:
        import_text(engine, text(many(3)), settings)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_refusal_while_writing_leaves_nothing_written_even_if_the_caller_commits(engine, settings):
    """A consultation round is checked by its service only while it is recorded, after the rows before it."""
    rounds = [{"opened_on": "2019-12-01", "channels": ["written"], "closed_on": "2020-02-03"}]
    late = strategy("consulted", 2020, 2024, history=[
        {"event": "submit_for_consultation", "effective_on": "2020-01-06"},
        {"event": "submit_for_approval", "effective_on": "2020-03-02"}], consultation=rounds)
    doc = many(20)
    doc["strategies"].append(late)

    with new_session(engine) as session:
        with pytest.raises(ImportRefused) as refused:
            import_portfolio_in(session, text(doc), settings)
        session.commit()

    assert str(refused.value.rows[0]).startswith(
        "strategies[20] (key consulted): refused while recording its consultation rounds: opened_on: must not "
        "precede the start of the consultation stage on 2020-01-06")
    assert set(counts(engine).values()) == {0}


def import_portfolio_in(session, raw: str, settings: Settings):
    from workflow.portfolio import import_portfolio

    return import_portfolio(session, raw, now=NOW, today=TODAY, settings=settings)


@pytest.mark.postgres
def test_the_demo_file_imports_on_postgresql_and_again_changes_nothing(pg_engine, settings):
    report = import_text(pg_engine, DEMO_FILE.read_bytes(), settings)
    assert report.written.strategies == 12 and report.written.consultation_records == 18
    before = counts(pg_engine)

    assert import_text(pg_engine, DEMO_FILE.read_bytes(), settings).changed_nothing
    assert counts(pg_engine) == before


@pytest.mark.postgres
def test_strategy_ids_on_postgresql_come_from_the_sequence(pg_engine, settings):
    import_text(pg_engine, text(many(7)), settings)
    import_text(pg_engine, text(document([lapsed("extra", 1980, 1984)])), settings)

    with new_session(pg_engine) as session:
        ids = sorted(session.scalars(select(Strategy.id)))
        session.add(Strategy(**_fresh_row()))
        session.flush()  # the sequence is past every imported id: no collision
    assert ids == list(range(1, 9))


def _fresh_row() -> dict[str, object]:
    return {"title": "t", "policy_area": "x", "kind": "strategy", "lead_institution_id": 1,
            "period_start": date(2030, 1, 1), "period_end": date(2031, 1, 1), "stage": "drafting",
            "drafting_started_on": TODAY, "created_at": NOW, "updated_at": NOW}
