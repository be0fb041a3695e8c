"""The console's pages against the JSON they show, in the same run on the same data: how long the
portfolio, a strategy's page and its monitoring page take to render, as a ratio to the API's JSON
endpoints serving the same data (the aim: 3x or less).

Two sizes: the demo portfolio alone, and the demo with 1,000 more strategies and action plans
(``benchmarks/gaps_read.py``'s ``areas`` shape: areas of ten with their history, gaps and risks).
Both sides run in-process through the same ASGI app (Starlette's TestClient), one signed in with a
session cookie, the other with an admin bearer token; each timing is the median of ``--runs``.

For each page, JSON is what a client needs to show the same thing:
  portfolio   GET /gaps?as_of=... (every area's documents, gaps and risks), and also
              /gaps plus /timeline?policy_area=... for each area (the timelines the page draws)
  strategy    GET /strategies/{id} + /strategies/{id}/transitions + /notifications?strategy_id={id}
              + /strategies?parent_id={id} (its action plans)
  monitoring  GET /strategies/{id}/monitoring + /strategies/{id}/reports for the plan

    .venv/bin/python benchmarks/console_pages.py [--runs 15] [--extra 1000]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from gaps_read import Writer, areas
from sqlalchemy import Engine, func, insert, select
from sqlmodel import col

import migrations
from api.app import create_app
from workflow.access import TokenCreate, issue_link_for, issue_token
from workflow.core import Settings, clock, make_engine, unit_of_work
from workflow.demo import load_portfolio, read_portfolio, seed_demo_monitoring
from workflow.demo.monitoring import DEMO_PLAN_TITLE
from workflow.directory import Contact
from workflow.lifecycle import StageChange, Strategy

AS_OF = "2023-06-30"
ARTA = "arta.hoxha@example.org"


def build(engine: Engine, settings: Settings, extra: int) -> None:
    with unit_of_work(engine) as session:
        load_portfolio(session, read_portfolio(), now=clock.now(), today=clock.today(settings.zone),
                       settings=settings)
        seed_demo_monitoring(session, now=clock.now(), today=clock.today(settings.zone))
    if not extra:
        return
    with unit_of_work(engine) as session:
        offset = session.scalar(select(func.max(Strategy.id))) or 0
        institution_id = session.scalar(select(Contact.institution_id).where(col(Contact.email_key) == ARTA))
    assert institution_id is not None
    writer = Writer(institution_id)
    areas(writer, extra)
    for row in writer.strategies:
        row["id"] += offset
        for link in ("parent_id", "predecessor_id"):
            if row[link] is not None:
                row[link] += offset
    for change in writer.changes:
        change["strategy_id"] += offset
    with unit_of_work(engine) as session:
        session.execute(insert(Strategy), writer.strategies)
        session.execute(insert(StageChange), writer.changes)


def clients(app: Any, engine: Engine) -> tuple[TestClient, TestClient]:
    with unit_of_work(engine) as session:
        contact = session.scalars(select(Contact).where(col(Contact.email_key) == ARTA)).one()
        secret = issue_link_for(session, contact, now=clock.now(), lifetime=timedelta(minutes=15)).secret
        token = issue_token(session, TokenCreate(name="bench", role="admin"), now=clock.now(),
                            default_lifetime_days=None).plain
    browser = TestClient(app)
    page = browser.get(f"/console/sign-in/link?token={secret}")
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    assert browser.post("/console/sign-in/link", data={"token": secret, "csrf": csrf},
                        follow_redirects=False).status_code == 303
    browser.cookies.set("continuum_lang", "en", path="/console")
    api = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    return browser, api


def median_ms(runs: int, work: Callable[[], None]) -> float:
    work()  # warm: templates compiled, caches filled
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def fetch(client: TestClient, *paths: str) -> Callable[[], None]:
    def work() -> None:
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code, response.text[:300])

    return work


def measure(extra: int, runs: int) -> list[tuple[str, float, float, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, data_dir=Path(tmp), database_url=f"sqlite:///{tmp}/continuum.db")
        migrations.upgrade(settings.resolved_database_url)
        engine = make_engine(settings.resolved_database_url)
        build(engine, settings, extra)
        with unit_of_work(engine) as session:
            plan = session.scalars(select(Strategy).where(col(Strategy.title) == DEMO_PLAN_TITLE)).one()
            strategy_id, plan_id = plan.parent_id, plan.id
            total = session.scalar(select(func.count()).select_from(Strategy))
            policy_areas = list(session.scalars(select(Strategy.policy_area).distinct()))
        browser, api = clients(create_app(settings, engine), engine)
        timelines = [f"/timeline?policy_area={area}&as_of={AS_OF}" for area in policy_areas]
        rows = []
        page = median_ms(runs, fetch(browser, f"/console/portfolio?as_of={AS_OF}"))
        rows.append((f"portfolio ({total} documents)", page,
                     median_ms(runs, fetch(api, f"/gaps?as_of={AS_OF}")), "/gaps"))
        rows.append(("", page, median_ms(runs, fetch(api, f"/gaps?as_of={AS_OF}", *timelines)),
                     f"/gaps + {len(timelines)} /timeline"))
        rows.append(("strategy", median_ms(runs, fetch(browser, f"/console/strategies/{strategy_id}")),
                     median_ms(runs, fetch(api, f"/strategies/{strategy_id}", f"/strategies/{strategy_id}/transitions",
                                           f"/notifications?strategy_id={strategy_id}",
                                           f"/strategies?parent_id={strategy_id}")), "4 JSON calls"))
        rows.append(("monitoring", median_ms(runs, fetch(browser, f"/console/strategies/{strategy_id}/monitoring")),
                     median_ms(runs, fetch(api, f"/strategies/{strategy_id}/monitoring",
                                           f"/strategies/{plan_id}/reports")), "2 JSON calls"))
        browser.close()
        api.close()
        engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--extra", type=int, default=1000, help="strategies added to the demo for the large run")
    args = parser.parse_args()
    print(f"{'page':32} {'HTML ms':>9} {'JSON ms':>9} {'ratio':>7}  JSON baseline")
    for extra in (0, args.extra):
        for name, html, json, baseline in measure(extra, args.runs):
            print(f"{name:32} {html:9.1f} {json:9.1f} {html / json:6.2f}x  {baseline}")


if __name__ == "__main__":
    main()
