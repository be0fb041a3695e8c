"""The scheduler pass at several portfolio sizes: does its cost follow what is due, not the portfolio?

For each size N a fresh PostgreSQL database gets ``synthetic.build`` (areas of five strategies:
lapsed predecessors, one in force lapsing within three years, a successor in preparation with a
due date in the next 200 days), then, three times each:

* FIRST: the first pass, with everything new (the ledger, the reminder plan, the gap watch and the
  scheduler's state emptied before each repeat);
* MIDNIGHT: the first pass of a new local day (expiries and the gap report judged again);
* MORNING: the first pass from the send hour (every deadline planned again over what is recorded);
* STEADY: a pass a minute later with nothing changed: what beat runs almost every tick;

and, as the in-run baseline, the due-ledger query alone (``ledger.due_query``, the floor of any pass).
It prints min/median/max seconds and statements per pass, and the ratios the issue sets:
steady at the largest size within 3x of the smallest in time and 2x in statements, the first pass
at most linear (within 60x from 1k to 50k), and any pass at the largest size well under a tenth of
the default tick (60 s).

    .venv/bin/python benchmarks/scheduler_pass.py [--sizes 1000,10000] [--runs 3]
    .venv/bin/python benchmarks/scheduler_pass.py --sizes 1000,10000,50000   # the issue's figures

PostgreSQL comes from CONTINUUM_TEST_POSTGRES_URL (see tests/services.py).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import synthetic  # noqa: E402
from sqlalchemy import Engine, event, text  # noqa: E402

import migrations  # noqa: E402
from tests.services import fresh_postgres_database  # noqa: E402
from workflow.core import Settings  # noqa: E402
from workflow.core.db import make_engine, new_session  # noqa: E402
from workflow.reminders import ledger  # noqa: E402
from workflow.scheduler import run_pass  # noqa: E402

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # 10:00 in Tirane, after the send hour
MIDNIGHT = datetime(2026, 6, 1, 22, 30, tzinfo=UTC)  # 00:30 on 2 June in Tirane
MORNING = datetime(2026, 6, 2, 7, 30, tzinfo=UTC)  # 09:30 on 2 June: that day's reminders are due
DERIVED = ("notifications", "reminder_plan", "scheduler_state", "gap_watch", "gap_report_entries", "gap_report_state",
           "events")
TICK_SECONDS = Settings(_env_file=None).tick_seconds


@dataclass
class Figures:
    seconds: list[float]
    statements: list[int]

    def line(self, label: str) -> str:
        s = self.seconds
        return (f"  {label:<8} {min(s):8.4f} {statistics.median(s):8.4f} {max(s):8.4f} s   "
                f"statements {statistics.median(self.statements):>8.0f}")


class Counter:
    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: object) -> None:
        self.count += 1


def timed(counter: Counter, work: Callable[[], object]) -> tuple[float, int]:
    counter.count = 0
    start = time.perf_counter()
    work()
    return time.perf_counter() - start, counter.count


def reset(engine: Engine) -> None:
    """Empty what passes derive, so the next pass is a first pass again."""
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(DERIVED)} CASCADE"))  # webhook deliveries name events


def measure(size: int, runs: int, settings: Settings) -> dict[str, Figures]:
    with fresh_postgres_database() as url:
        migrations.upgrade(url)
        engine = make_engine(url)
        try:
            built = synthetic.build(engine, strategies=size, today=NOW.date(), now=NOW)
            counter = Counter(engine)
            figures = {name: Figures([], []) for name in ("first", "midnight", "morning", "steady", "due-query")}
            for run in range(runs):
                reset(engine)
                for name, at in (("first", NOW), ("midnight", MIDNIGHT), ("morning", MORNING),
                                 ("steady", MORNING + timedelta(minutes=1))):
                    seconds, statements = timed(counter, lambda at=at: run_pass(engine, now=at, settings=settings))
                    figures[name].seconds.append(seconds)
                    figures[name].statements.append(statements)
                with new_session(engine) as session:
                    seconds, statements = timed(counter, lambda: list(session.scalars(ledger.due_query(NOW))))
                figures["due-query"].seconds.append(seconds)
                figures["due-query"].statements.append(statements)
                print(f"    N={size} run {run + 1}: first {figures['first'].seconds[-1]:.3f} s, "
                      f"steady {figures['steady'].seconds[-1]:.4f} s", flush=True)
            print(f"N={size}: {built.strategies} strategies, {built.contacts} contacts, "
                  f"{built.stage_changes} stage changes")
            for name, f in figures.items():
                print(f.line(name))
            return figures
        finally:
            engine.dispose()


def ratio_line(what: str, big: float, small: float, target: float) -> str:
    ratio = big / small if small else float("inf")
    verdict = "meets" if ratio <= target else "MISSES"
    return f"  {what:<44} {ratio:8.2f}x  (target <= {target:g}x: {verdict})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    settings = Settings(_env_file=None)
    results = {size: measure(size, args.runs, settings) for size in sizes}
    small, big = results[sizes[0]], results[sizes[-1]]
    med = statistics.median
    print(f"\nratios, N={sizes[-1]} against N={sizes[0]} (medians):")
    print(ratio_line("steady pass, time", med(big["steady"].seconds), med(small["steady"].seconds), 3))
    print(ratio_line("steady pass, statements", med(big["steady"].statements), med(small["steady"].statements), 2))
    linear = sizes[-1] / sizes[0] * 1.2
    print(ratio_line("first pass, time", med(big["first"].seconds), med(small["first"].seconds), linear))
    floor = med(big["steady"].seconds) / med(big["due-query"].seconds)
    print(f"  {'steady pass against the due query alone':<44} {floor:8.2f}x  (the in-run floor; no target)")
    tenth = TICK_SECONDS / 10
    for name in ("steady", "midnight", "morning", "first"):
        worst = max(big[name].seconds)
        print(f"  slowest {name} pass at N={sizes[-1]}: {worst:.2f} s against a tenth of the default tick, "
              f"{tenth:.0f} s: {'meets' if worst < tenth else 'MISSES'}")


if __name__ == "__main__":
    main()
