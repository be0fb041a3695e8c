"""`GET /gaps` a page at a time and `GET /timeline` of one area on a big portfolio, against
`GET /strategies/{id}` in the same run, and the API's memory (issue 13, goal 2: a page within 5x of
the single strategy at 10,000 strategies, the timeline reading one area, the API's resident memory
after serving within 1.3x of its idle size).

For each size N a fresh PostgreSQL database (``tests.services.fresh_postgres_database``) gets
``synthetic.build`` (areas of five: lapsed predecessors, one in force, a successor in preparation)
and one scheduler pass (``workflow.scheduler.run_pass``, which keeps today's gap report stored
through the gap watch; should the stored report not be today's after it, the script runs the gap
watch itself and says so). The API is then served for real, by a uvicorn process started the way
`continuum serve` starts it, and read over one keep-alive connection with an admin token:

* BASELINE ``GET /strategies/{id}`` of a strategy in the middle;
* ``GET /gaps?limit=100``: the first page, and a page in the middle reached by its cursor;
* ``GET /timeline?policy_area=...`` of one area (five strategies);

each ``--requests`` times per repeat, ``--repeats`` repeats (default 3), alternating. It prints
min/median/max of each repeat's median latency, the ratio of medians against the baseline, and the
server's resident memory (``VmRSS``, and ``VmHWM``, its peak, from /proc) when idle (after one
request of each kind) and after serving every repeat; then, for information, one report computed
on demand (``known_on`` yesterday: an analysis, judged over the whole deployment).

    .venv/bin/python benchmarks/gaps_page.py [--sizes 1000] [--repeats 3] [--requests 30]
    .venv/bin/python benchmarks/gaps_page.py --sizes 100,1000,10000   # the issue's figures

PostgreSQL comes from CONTINUUM_TEST_POSTGRES_URL (see tests/services.py).
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import synthetic  # noqa: E402
from served import python_env, serving  # noqa: E402

import migrations  # noqa: E402
from tests.services import fresh_postgres_database  # noqa: E402
from tests.smtp_sink import free_port  # noqa: E402
from workflow.access.tokens import TokenCreate, issue_token  # noqa: E402
from workflow.calendar import working_calendar  # noqa: E402
from workflow.core import Settings, local_date  # noqa: E402
from workflow.core.db import make_engine, new_session, unit_of_work  # noqa: E402
from workflow.gaps import GapReportState, prepare_gap_watch, watch_gaps  # noqa: E402
from workflow.scheduler import run_pass  # noqa: E402

TARGET_PAGE = 5.0
TARGET_MEMORY = 1.3
PAGE = 100


def serving_api(url: str) -> Any:
    """The API served by ``continuum serve`` in a process of its own: (its base URL, its pid)."""
    port = free_port()
    env = python_env(REPO, CONTINUUM_DATABASE_URL=url, CONTINUUM_PUBLIC_URL=f"http://127.0.0.1:{port}")
    command = [sys.executable, "-m", "cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--log-level",
               "warning"]
    return serving(command, cwd=REPO, env=env, port=port)


def memory(pid: int) -> dict[str, float]:
    """The process's VmRSS and VmHWM, in MiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0]) / 1024
    return found


class Client:
    """One keep-alive connection with the admin token."""

    def __init__(self, base: str, token: str) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=120)
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str) -> tuple[float, Any]:
        began = time.perf_counter()
        self.connection.request("GET", path, headers=self.headers)
        response = self.connection.getresponse()
        body = response.read()
        took = time.perf_counter() - began
        if response.status != 200:
            raise SystemExit(f"GET {path}: {response.status} {body[:300]!r}")
        return took, json.loads(body)


def prepare(engine: Any, size: int, now: datetime, settings: Settings) -> tuple[str, int, str, str]:
    """The admin token, a strategy in the middle, an area, and how the stored report was made."""
    synthetic.build(engine, strategies=size, today=local_date(now, settings.zone), now=now)
    with unit_of_work(engine) as session:
        token = issue_token(session, TokenCreate(name="bench-admin", role="admin"), now=now,
                            default_lifetime_days=None).plain
    began = time.perf_counter()
    run_pass(engine, now=now, settings=settings)
    how = f"one scheduler pass ({time.perf_counter() - began:.1f} s)"
    today = local_date(now, settings.zone)
    with new_session(engine) as session:
        state = session.get(GapReportState, 1)
    if state is None or state.as_of != today:  # the pass did not keep the gap report: the gap watch, directly
        prepared = prepare_gap_watch(engine, today=today, settings=settings)
        with unit_of_work(engine) as session:
            watch_gaps(session, now=now, today=today, settings=settings,
                       calendar=working_calendar(session, settings), prepared=prepared)
        how += ", then the gap watch called directly (the pass did not store today's report)"
    middle = size // 2 + 1
    return token, middle, f"area-{(middle - 1) // synthetic.AREA_SIZE:05d}", how


def median_of(client: Client, path: str, requests: int) -> float:
    return statistics.median(client.get(path)[0] for _ in range(requests))


def spread(values: list[float]) -> str:
    return (f"min {min(values) * 1000:8.2f}  median {statistics.median(values) * 1000:8.2f}  "
            f"max {max(values) * 1000:8.2f} ms")


def measure(size: int, repeats: int, requests: int) -> dict[str, float]:
    settings = Settings(_env_file=None)
    now = datetime.now(UTC)
    with fresh_postgres_database() as url:
        migrations.upgrade(url)
        engine = make_engine(url)
        try:
            token, middle, area, how = prepare(engine, size, now, settings)
        finally:
            engine.dispose()
        print(f"N={size}: the stored gap report from {how}")
        with serving_api(url) as (base, pid):
            client = Client(base, token)
            paths = {"strategy": f"/strategies/{middle}", "first page": f"/gaps?limit={PAGE}",
                     "timeline": f"/timeline?policy_area={area}"}
            _, first = client.get(paths["first page"])
            pages, cursor, total = 1, first["next_cursor"], first["total"]
            cursors = []
            while cursor is not None:
                cursors.append(cursor)
                cursor = client.get(f"/gaps?limit={PAGE}&cursor={cursor}")[1]["next_cursor"]
                pages += 1
            paths["middle page"] = (f"/gaps?limit={PAGE}&cursor={cursors[len(cursors) // 2]}" if cursors
                                    else paths["first page"])
            for path in paths.values():
                client.get(path)
            idle = memory(pid)
            figures: dict[str, list[float]] = {name: [] for name in paths}
            for _ in range(repeats):
                for name, path in paths.items():
                    figures[name].append(median_of(client, path, requests))
            served = memory(pid)
            yesterday = (local_date(now, settings.zone) - timedelta(days=1)).isoformat()
            computed, body = client.get(f"/gaps?limit={PAGE}&known_on={yesterday}")
            after_computed = memory(pid)
        print(f"  gap report: {total} entries in {pages} pages of {PAGE}")
        base_median = statistics.median(figures["strategy"])
        for name, values in figures.items():
            label = "BASELINE GET /strategies/{id}" if name == "strategy" else f"GET {paths[name].split('?')[0]} {name}"
            ratio = statistics.median(values) / base_median
            print(f"  {label:<34} {spread(values)}   {ratio:6.2f}x")
        print(f"  API memory: idle {idle['VmRSS']:.0f} MiB, after serving {served['VmRSS']:.0f} MiB "
              f"(peak {served['VmHWM']:.0f} MiB): {served['VmRSS'] / idle['VmRSS']:.2f}x")
        print(f"  for information: GET /gaps computed on demand (known_on {yesterday}): {computed * 1000:.0f} ms, "
              f"{body['total']} entries; memory then {after_computed['VmRSS']:.0f} MiB")
        return {"page": max(statistics.median(figures["first page"]), statistics.median(figures["middle page"]))
                / base_median, "memory": served["VmRSS"] / idle["VmRSS"],
                "timeline": statistics.median(figures["timeline"]) / base_median}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--requests", type=int, default=30, help="requests per endpoint and repeat")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {size: measure(size, args.repeats, args.requests) for size in sizes}
    big = sizes[-1]
    page, mem = results[big]["page"], results[big]["memory"]
    print(f"\nverdict at N={big}: the slower page {page:.2f}x GET /strategies/{{id}} "
          f"(target <= {TARGET_PAGE:g}x: {'meets' if page <= TARGET_PAGE else 'MISSES'}); "
          f"the timeline of one area {results[big]['timeline']:.2f}x; "
          f"API memory {mem:.2f}x idle (target <= {TARGET_MEMORY:g}x: {'meets' if mem <= TARGET_MEMORY else 'MISSES'})")


if __name__ == "__main__":
    main()
