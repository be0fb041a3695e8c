"""`GET /strategies/{id}/monitoring` on a big plan: how long one read takes, how long it holds a
pooled database connection, and what many reads at once do to a small pool.

The plan is written straight into the tables, past the services' size limits, as a database
from before those limits could hold it: by default 2,000 measures under 40 objectives, one
output indicator per measure, 20 responsible institutions, a quarterly reporting cycle over a
300-year period (1900-2199) and an accepted report per institution for each quarter of the year
read, with a value for each of its indicators.

    .venv/bin/python benchmarks/monitoring_read.py [--measures 2000] [--years 300] [--runs 5]
        [--concurrent 40] [--database-url postgresql+psycopg://...]  # default: a fresh SQLite file

Without ``--database-url`` the tables come from a fresh SQLite file migrated to head. A given
URL must point at an empty database migrated to head: the script writes into it.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from fastapi.testclient import TestClient
from pool_holds import Holds
from sqlalchemy import Engine

import migrations
from api.app import create_app
from workflow.access.tokens import TokenCreate, issue_token
from workflow.core import Settings
from workflow.core.db import make_engine, unit_of_work
from workflow.directory.institutions import create_institution
from workflow.directory.requests import InstitutionCreate
from workflow.lifecycle.requests import StrategyCreate
from workflow.lifecycle.strategies import create_strategy
from workflow.monitoring import Indicator, IndicatorValue, Measure, Objective, ProgressReport, ReportingCycle

NOW = datetime(2026, 2, 10, 9, 0, tzinfo=UTC)
YEAR = 2025
STATUSES = ("not_started", "on_track", "delayed", "completed", "cancelled")


def build(
    engine: Engine, *, measures: int, years: int, institutions: int = 20, objectives: int = 40
) -> tuple[int, str]:
    """The plan's id and an admin token."""
    start = date(1900, 1, 1)
    end = date(1900 + years - 1, 12, 31)
    with unit_of_work(engine) as s:
        ids = [create_institution(s, InstitutionCreate(name=f"Institution {i:02d}"), now=NOW).id
               for i in range(institutions)]
        plan = create_strategy(s, StrategyCreate(title="A very long plan", policy_area="migration",
                                                 lead_institution_id=ids[0], period_start=start, period_end=end),
                               now=NOW, today=NOW.date())
        assert plan.id is not None
        s.add(ReportingCycle(plan_id=plan.id, frequency="quarterly", due_days=30, starts_on=start,
                             created_at=NOW, updated_at=NOW))
        objective_rows = [Objective(strategy_id=plan.id, level="strategic", code=str(i), title=f"Objective {i}",
                                    alignment_tags=[f"gcm:{i % 23 + 1}"], created_at=NOW, updated_at=NOW)
                          for i in range(objectives)]
        s.add_all(objective_rows)
        s.flush()
        measure_rows = []
        for i in range(measures):
            first = start.year + (i * years) // measures
            status = STATUSES[i % len(STATUSES)]
            planned_end = date(min(first + 1, end.year), 12, 31)
            measure_rows.append(Measure(
                plan_id=plan.id, objective_id=objective_rows[i % objectives].id, code=f"M{i}", title=f"Measure {i}",
                responsible_institution_id=ids[i % institutions], contributing_institution_ids=[],
                planned_start=date(first, 1, 1), planned_end=planned_end, status=status,
                completed_on=planned_end if status == "completed" else None, alignment_tags=[],
                estimated_cost=Decimal("1500000.00"), currency="ALL", created_at=NOW, updated_at=NOW,
            ))
        s.add_all(measure_rows)
        s.flush()
        indicator_rows = [Indicator(measure_id=m.id, name=f"Output of {m.code}", unit="reports",
                                    baseline_value=Decimal(0), baseline_year=1900, target_value=Decimal(10),
                                    target_year=end.year, direction="increase", created_at=NOW, updated_at=NOW)
                          for m in measure_rows]
        s.add_all(indicator_rows)
        s.flush()
        by_institution: dict[int, list[Indicator]] = {}
        for m, indicator in zip(measure_rows, indicator_rows, strict=True):
            by_institution.setdefault(m.responsible_institution_id, []).append(indicator)
        for quarter in range(1, 5):
            period_start = date(YEAR, 3 * quarter - 2, 1)
            period_end = date(YEAR, 3 * quarter, 31 if quarter in (1, 4) else 30)
            for institution_id, owned in by_institution.items():
                report = ProgressReport(
                    plan_id=plan.id, institution_id=institution_id, period_label=f"{YEAR}-Q{quarter}",
                    period_start=period_start, period_end=period_end, due_on=period_end, status="accepted",
                    narrative="", version=1, first_submitted_on=period_end, reviewed_at=NOW, created_at=NOW,
                    updated_at=NOW,
                )
                s.add(report)
                s.flush()
                s.add_all([IndicatorValue(report_id=report.id, indicator_id=indicator.id, value=Decimal(quarter))
                           for indicator in owned])
        admin = issue_token(s, TokenCreate(name="bench-admin", role="admin"), now=NOW, default_lifetime_days=None)
        return plan.id, admin.plain


def sequential(client: TestClient, url: str, holds: Holds, runs: int) -> None:
    client.get(url).raise_for_status()  # warm up
    timings, longest_holds = [], []
    for _ in range(runs):
        holds.reset()
        began = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - began)
        response.raise_for_status()
        longest_holds.append(max(holds.durations, default=0.0))
    print(f"one read, median of {runs}    : {statistics.median(timings) * 1000:8.1f} ms "
          f"(min {min(timings) * 1000:.1f}, max {max(timings) * 1000:.1f}); {len(response.content)} bytes")
    print(f"longest connection hold       : {statistics.median(longest_holds) * 1000:8.1f} ms (median per read)")


def concurrent(settings: Settings, url: str, token: str, threads: int) -> None:
    engine = make_engine(settings.resolved_database_url, pool_size=5, max_overflow=5, pool_timeout=5)
    app = create_app(settings, engine)
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    health: list[float] = []
    lock, go = threading.Lock(), threading.Barrier(threads + 1)

    def read() -> None:
        with TestClient(app, raise_server_exceptions=False) as client:
            go.wait()
            began = time.perf_counter()
            status = client.get(url, headers={"Authorization": f"Bearer {token}"}).status_code
            with lock:
                statuses[status] += 1
                latencies.append(time.perf_counter() - began)

    workers = [threading.Thread(target=read) for _ in range(threads)]
    for worker in workers:
        worker.start()
    with TestClient(app, raise_server_exceptions=False) as probe:
        go.wait()
        while any(worker.is_alive() for worker in workers):
            began = time.perf_counter()
            probe.get("/health")
            health.append(time.perf_counter() - began)
    for worker in workers:
        worker.join()
    engine.dispose()
    print(f"{threads} reads at once, pool 5+5 : statuses {dict(sorted(statuses.items()))}, "
          f"slowest {max(latencies):.2f} s")
    print(f"/health meanwhile             : {len(health)} probes, slowest {max(health, default=0) * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measures", type=int, default=2000)
    parser.add_argument("--years", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--concurrent", type=int, default=40, help="0: skip the concurrent reads")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'continuum.db'}"
        if args.database_url is None:
            migrations.upgrade(url)
        settings = Settings(_env_file=None, data_dir=Path(tmp), database_url=url)
        engine = make_engine(url)
        plan_id, token = build(engine, measures=args.measures, years=args.years)
        holds = Holds(engine)
        read = f"/strategies/{plan_id}/monitoring?year={YEAR}"
        print(f"plan: {args.measures} measures and indicators, {args.years} years, quarterly; backend "
              f"{engine.dialect.name}")
        with TestClient(create_app(settings, engine), headers={"Authorization": f"Bearer {token}"}) as client:
            sequential(client, read, holds, args.runs)
        engine.dispose()
        if args.concurrent:
            concurrent(settings, read, token, args.concurrent)


if __name__ == "__main__":
    main()
