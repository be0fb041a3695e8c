"""Migration 0009 on a database that already holds strategies: ``drafting_started_on`` is the earlier
of the local day each was created and its first transition, and a fresh draft entered drafting then."""

from __future__ import annotations

from datetime import date

import pytest
from alembic import command
from sqlalchemy import text

import migrations
from tests.services import fresh_postgres_database
from workflow.core.db import make_engine

# 2026-01-04 23:30 UTC is already 2026-01-05 in Tirana (the deployment's default timezone).
CREATED = "2026-01-04 23:30:00+00:00"
STRATEGIES = [(1, "Imported 2019-2022"), (2, "Fresh draft 2027-2030"), (3, "Registered, then consulted")]
STEPS = [  # (strategy, event, from, to, effective_on)
    (1, "submit_for_consultation", "drafting", "consultation", "2019-01-07"),
    (1, "submit_for_approval", "consultation", "approval", "2019-03-01"),
    (3, "submit_for_consultation", "drafting", "consultation", "2026-02-02"),
]


def _upgrade_with_strategies(url: str) -> list[tuple[int, date, date | None]]:
    migrations.upgrade(url, "0008")
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO institutions (id, name, created_at) VALUES (1, 'MoI', :t)"),
                               {"t": CREATED})
            for strategy_id, title in STRATEGIES:
                connection.execute(text(
                    "INSERT INTO strategies (id, title, policy_area, kind, lead_institution_id, period_start,"
                    " period_end, stage, version, created_at, updated_at)"
                    " VALUES (:id, :title, 'migration', 'strategy', 1, '2019-01-01', '2022-12-31', 'drafting', 1,"
                    " :t, :t)"
                ), {"id": strategy_id, "title": title, "t": CREATED})
            for strategy_id, event, source, target, effective_on in STEPS:
                connection.execute(text(
                    "INSERT INTO stage_changes (strategy_id, event, from_stage, to_stage, actor, effective_on,"
                    " recorded_at) VALUES (:s, :e, :f, :to, 'import', :on, :t)"
                ), {"s": strategy_id, "e": event, "f": source, "to": target, "on": effective_on, "t": CREATED})
            connection.execute(text("UPDATE strategies SET stage_entered_on = '2026-02-02' WHERE id = 3"))
        migrations.upgrade(url, "0009")
        with engine.begin() as connection:
            rows = connection.execute(
                text("SELECT id, drafting_started_on, stage_entered_on FROM strategies ORDER BY id")
            )
            return [(r[0], _day(r[1]), _day(r[2]) if r[2] is not None else None) for r in rows]
    finally:
        engine.dispose()


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


EXPECTED = [
    (1, date(2019, 1, 7), None),  # imported: seen from its first step, as before
    (2, date(2026, 1, 5), date(2026, 1, 5)),  # the local day it was created; a fresh draft entered drafting then
    (3, date(2026, 1, 5), date(2026, 2, 2)),
]


def test_on_sqlite(tmp_path):
    assert _upgrade_with_strategies(f"sqlite:///{tmp_path / 'c.db'}") == EXPECTED


@pytest.mark.postgres
def test_on_postgres():
    with fresh_postgres_database() as url:
        assert _upgrade_with_strategies(url) == EXPECTED


def test_down_again_on_sqlite_with_the_rows_kept(tmp_path):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    _upgrade_with_strategies(url)
    command.downgrade(migrations.alembic_config(url), "0008")
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            assert connection.execute(text("SELECT count(*) FROM stage_changes")).scalar() == len(STEPS)
            columns = [row[1] for row in connection.execute(text("PRAGMA table_info(strategies)"))]
            assert "drafting_started_on" not in columns
    finally:
        engine.dispose()
