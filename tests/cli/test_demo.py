"""The demo portfolio: loaded through the real services, idempotent, and its CLI command."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from cli.main import main
from workflow.calendar import WorkingCalendar
from workflow.consultation import strategy_views
from workflow.core import clock
from workflow.core.db import new_session, unit_of_work
from workflow.core.outbox import OutboxEvent
from workflow.core.settings import Settings
from workflow.demo import DEMO_ACTOR, LoadReport, load_portfolio, read_portfolio
from workflow.demo.schema import PORTFOLIO_RESOURCE
from workflow.directory.models import Contact, Institution
from workflow.lifecycle.models import StageChange, Strategy

MIGRATION_2019 = "National Strategy on Migration Governance and Action Plan 2019-2022"
MIGRATION_2024 = "National Strategy for Migration 2024-2030"
ACTION_PLAN_2024 = "Action Plan of the National Strategy for Migration 2024-2026"
DIASPORA_2018 = "National Diaspora Strategy 2018-2024"
DIASPORA_2021 = "National Diaspora Strategy and Action Plan 2021-2025"
ANTI_TRAFFICKING_2024 = "National Action Plan on the Fight against Trafficking 2024-2025"

EXPECTED_STAGES = {
    "National Strategy on Migration and National Action Plan on Migration 2005-2010": "expiry",
    "Strategy for the Reintegration of Returned Albanian Citizens 2010-2015": "expiry",  # area: reintegration
    MIGRATION_2019: "expiry",
    MIGRATION_2024: "monitoring",
    ACTION_PLAN_2024: "monitoring",
    DIASPORA_2018: "expiry",
    DIASPORA_2021: "expiry",
    "National Strategy and Action Plan on the Fight against Trafficking 2014-2017": "expiry",
    "National Action Plan on the Fight against Trafficking 2018-2020": "expiry",
    "National Action Plan on the Fight against Trafficking 2021-2023": "expiry",
    "National Action Plan on the Fight against Trafficking 2024-2025": "expiry",
    "Integrated Border Management Strategy and Action Plan 2014-2020": "expiry",
}


def load(engine: Engine, settings: Settings, today: date | None = None) -> LoadReport:
    with unit_of_work(engine) as session:
        return load_portfolio(
            session,
            read_portfolio(),
            now=clock.now(),
            today=today or clock.today(settings.zone),
            settings=settings,
        )


def by_title(session: Session) -> dict[str, Strategy]:
    return {s.title: s for s in session.scalars(select(Strategy))}


def events_of(session: Session, strategy: Strategy) -> list[tuple[str, date]]:
    rows = session.scalars(select(StageChange).where(StageChange.strategy_id == strategy.id).order_by(StageChange.id))
    return [(row.event, row.effective_on) for row in rows]


def test_loading_creates_every_strategy_in_the_stage_its_history_leads_to(engine, settings):
    report = load(engine, settings)

    assert report.created == {"institutions": 5, "contacts": 10, "strategies": 12}
    assert report.deferred == []
    with new_session(engine) as session:
        strategies = by_title(session)
        assert {title: s.stage for title, s in strategies.items()} == EXPECTED_STAGES
        changes = session.scalar(select(func.count()).select_from(StageChange))
        assert changes == report.stage_changes == 48
        actors = set(session.scalars(select(StageChange.actor)))
        assert actors == {DEMO_ACTOR}
        for strategy in strategies.values():
            assert (strategy.period_start.month, strategy.period_start.day) == (1, 1)
            assert (strategy.period_end.month, strategy.period_end.day) == (12, 31)
            days = [day for _, day in events_of(session, strategy)]
            assert days == sorted(days) and days[-1] <= clock.today(settings.zone)


def test_the_2019_2022_strategy_was_approved_by_dcm_400_and_expired_on_2023_01_01(engine, settings):
    load(engine, settings)

    with new_session(engine) as session:
        strategies = by_title(session)
        strategy = strategies[MIGRATION_2019]
        assert events_of(session, strategy) == [
            ("submit_for_consultation", date(2019, 1, 14)),
            ("submit_for_approval", date(2019, 4, 1)),
            ("approve", date(2019, 6, 19)),
            ("expire", date(2023, 1, 1)),
        ]
        assert (strategy.approval_reference, strategy.approved_on) == ("DCM No. 400", date(2019, 6, 19))
        assert (strategy.expired_on, strategy.expiry_reason) == (date(2023, 1, 1), "period_ended")
        predecessor = session.get(Strategy, strategy.predecessor_id)
        assert predecessor.period_end == date(2010, 12, 31)


def test_the_2024_2030_strategy_is_in_force_with_its_action_plan_and_predecessor(engine, settings):
    load(engine, settings)

    with new_session(engine) as session:
        strategies = by_title(session)
        strategy, plan = strategies[MIGRATION_2024], strategies[ACTION_PLAN_2024]
        assert strategy.stage in {"implementation", "monitoring"}
        assert strategy.approved_on == date(2024, 5, 2)
        assert strategy.predecessor_id == strategies[MIGRATION_2019].id
        assert (plan.kind, plan.parent_id) == ("action_plan", strategy.id)
        assert plan.period_end == date(2026, 12, 31) < strategy.period_end
        assert events_of(session, strategy)[-1] == ("start_monitoring", date(2024, 9, 30))


def test_the_2024_2030_strategy_was_drafted_from_october_2022_and_consulted_the_groups_the_sources_name(
    engine, settings
):
    load(engine, settings)
    with new_session(engine) as session:
        strategy = by_title(session)["National Strategy for Migration 2024-2030"]
        assert strategy.drafting_started_on == date(2022, 10, 3)
        (view,) = strategy_views(session, strategy.id, today=date(2026, 12, 1), calendar=WorkingCalendar("AL"))
        assert (view.round.state, view.round.opened_on, view.round.closed_on) == (
            "closed", date(2023, 11, 6), date(2023, 12, 8)
        )
        assert view.round.illustrative and all(a.submission.illustrative for a in view.submissions)
        assert set(view.counts.submissions_by_category) == {
            "diaspora", "migrants", "local_communities", "development_partners", "civil_society", "private_sector",
            "academia",
        }
        assert (view.counts.unanswered, view.counts.not_accepted, view.counts.late) == (0, 2, 1)
        assert all(a.response.reason for a in view.submissions if a.response.decision != "accepted")


def test_the_first_diaspora_strategy_was_superseded_from_2021_by_its_successor(engine, settings):
    load(engine, settings)

    with new_session(engine) as session:
        strategies = by_title(session)
        first, second = strategies[DIASPORA_2018], strategies[DIASPORA_2021]
        assert (first.expired_on, first.expiry_reason, first.approval_reference) == (
            date(2021, 1, 1), "superseded", "DCM No. 259",
        )
        assert first.period_end == date(2024, 12, 31)
        assert second.predecessor_id == first.id
        assert (second.approval_reference, second.approved_on) == ("DCM No. 585", date(2020, 7, 22))


def test_the_history_names_sources_and_marks_approximations(engine, settings):
    load(engine, settings)

    with new_session(engine) as session:
        approvals = {
            session.get(Strategy, c.strategy_id).title: c.comment
            for c in session.scalars(select(StageChange).where(StageChange.event == "approve"))
        }
        assert len(approvals) == 12
        assert all("Source: " in comment for comment in approvals.values())
        assert "assumed" in approvals["Strategy for the Reintegration of Returned Albanian Citizens 2010-2015"]
        assert "assumed" not in approvals[MIGRATION_2019]


def test_uncertain_facts_are_flags_not_placeholder_texts(engine, settings):
    load(engine, settings)

    with new_session(engine) as session:
        strategies = by_title(session)
        assert all(
            s.approval_reference is None or s.approval_reference.startswith("DCM No. ") for s in strategies.values()
        )
        unknown = {title for title, s in strategies.items() if s.approval_reference_unknown}
        assert MIGRATION_2024 in unknown and ACTION_PLAN_2024 in unknown and MIGRATION_2019 not in unknown
        assert all(strategies[title].approval_reference is None for title in unknown)
        assert strategies[MIGRATION_2024].approved_on == date(2024, 5, 2)
        flagged = {
            (session.get(Strategy, c.strategy_id).title, c.event)
            for c in session.scalars(select(StageChange).where(StageChange.effective_on_approximate))
        }
        assert (MIGRATION_2019, "submit_for_consultation") in flagged  # not in the sources
        assert (MIGRATION_2019, "approve") not in flagged  # DCM No. 400 of 2019-06-19
        assert (ANTI_TRAFFICKING_2024, "approve") in flagged  # adoption date unknown


def test_the_anti_trafficking_action_plans_stand_alone_and_succeed_one_another(engine, settings):
    load(engine, settings)

    with new_session(engine) as session:
        strategies = by_title(session)
        plans = [strategies[f"National Action Plan on the Fight against Trafficking {y}"]
                 for y in ("2018-2020", "2021-2023", "2024-2025")]
        assert [(p.kind, p.parent_id) for p in plans] == [("action_plan", None)] * 3
        assert [p.predecessor_id for p in plans] == [None, plans[0].id, plans[1].id]
    # The 2014-2017 strategy is followed by the 2018-2020 plan, which the next plans succeed: no gap.
    for day in (date(2018, 6, 1), date(2021, 6, 1), date(2024, 6, 1)):
        found = gaps_on(engine, settings, day)
        assert not [title for title, (status, _) in found.items() if "Trafficking" in title and status == "gap"], day
    assert gaps_on(engine, settings, date(2021, 6, 1))[plans[1].title] == ("ok", None)


def gaps_on(engine: Engine, settings: Settings, day: date) -> dict[str, tuple[str, int | None]]:
    from workflow.gaps.queries import gap_report

    with new_session(engine) as session:
        entries = gap_report(session, as_of=day, horizon_days=365, settings=settings)
    return {entry.title: (entry.status, entry.gap_days) for entry in entries}


def test_the_demo_shows_the_policy_vacuums_the_sources_describe(engine, settings):
    load(engine, settings)

    # "Several years of policy vacuum" after 2010: nothing else of the migration area covers it.
    old = "National Strategy on Migration and National Action Plan on Migration 2005-2010"
    assert gaps_on(engine, settings, date(2015, 6, 1))[old] == ("gap", (date(2015, 6, 1) - date(2010, 12, 31)).days)
    # Roughly 16 months between the 2019-2022 strategy and its successor's approval on 2024-05-02.
    assert gaps_on(engine, settings, date(2024, 4, 30))[MIGRATION_2019] == ("gap", 486)
    assert MIGRATION_2019 not in gaps_on(engine, settings, date(2024, 5, 2))
    # The early replacement of the diaspora strategy is a supersession, not a gap.
    assert gaps_on(engine, settings, date(2020, 12, 1))[DIASPORA_2018][0] == "covered"


def table_counts(session: Session) -> dict[str, int]:
    return {
        model.__tablename__: session.scalar(select(func.count()).select_from(model))
        for model in (Institution, Contact, Strategy, StageChange, OutboxEvent)
    }


def test_loading_twice_changes_nothing(engine, settings):
    load(engine, settings)
    with new_session(engine) as session:
        before = table_counts(session)
        versions = {s.id: (s.stage, s.version) for s in session.scalars(select(Strategy))}

    report = load(engine, settings)

    assert sum(report.created.values()) == 0 and report.stage_changes == 0
    assert report.skipped == {"institutions": 5, "contacts": 10, "strategies": 12}
    with new_session(engine) as session:
        assert table_counts(session) == before
        assert {s.id: (s.stage, s.version) for s in session.scalars(select(Strategy))} == versions


def test_steps_after_today_are_deferred_not_recorded(engine, settings):
    report = load(engine, settings, today=date(2024, 6, 1))

    assert any("migration-2024-2030: start_monitoring on 2024-09-30" in line for line in report.deferred)
    with new_session(engine) as session:
        strategies = by_title(session)
        assert strategies[MIGRATION_2024].stage == "implementation"
        assert strategies[DIASPORA_2021].stage == "implementation"
        assert strategies[MIGRATION_2019].stage == "expiry"


def test_the_packaged_file_refuses_a_strategy_with_a_parent():
    raw = json.loads((Path(__file__).parents[2] / "workflow" / "demo" / PORTFOLIO_RESOURCE).read_text())
    assert read_portfolio(json.dumps(raw)).strategies[4].parent == "migration-2024-2030"
    raw["strategies"][4]["kind"] = "strategy"

    with pytest.raises(ValidationError, match="only an action plan has a parent"):
        read_portfolio(json.dumps(raw))


def test_demo_refuses_an_unmigrated_database_in_one_line(cli_env, capsys):
    assert main(["demo"]) == 1

    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert err.startswith("continuum demo: the database") and "run `continuum migrate` first" in err


def test_demo_loads_then_skips_on_the_second_run(cli_env, engine, capsys):
    assert main(["demo"]) == 0
    first = capsys.readouterr().out
    assert "created 5 institutions, 10 contacts, 12 strategies (48 stage changes, 18 consultation records)" in first

    assert main(["demo"]) == 0
    second = capsys.readouterr().out
    assert "created 0 institutions, 0 contacts, 0 strategies" in second
    assert "skipped (already present) 5 institutions, 10 contacts, 12 strategies" in second
    with new_session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Strategy)) == 12


def test_the_portfolio_file_ships_in_the_package():
    """A non-editable install (the Docker image) only carries data files pyproject declares."""
    import fnmatch
    import tomllib

    package_data = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())["tool"]["setuptools"].get(
        "package-data", {}
    )
    patterns = package_data.get("workflow.demo", [])
    assert any(fnmatch.fnmatch(PORTFOLIO_RESOURCE, p) for p in patterns), (
        'add  "workflow.demo" = ["*.json"]  under [tool.setuptools.package-data] in pyproject.toml'
    )
