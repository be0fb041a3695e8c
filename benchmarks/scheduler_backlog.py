"""The scheduler behind a send backlog: do passes keep their beat, and is each row enqueued once?

Issue #10 (item 10) found that with 300 emails due and a slow SMTP server, beat's passes waited
behind the sends and were discarded as expired, while each pass that did run enqueued every
pending row again. This runs that scenario with real processes (``continuum worker`` and
``continuum beat``), PostgreSQL, Redis and an aiosmtpd server that takes ``--delay`` seconds
over each message, and prints what the passes did (tests/tasks/backlog.py has the harness;
tests/tasks/test_scheduler_backlog.py asserts the same at a smaller size).

``--before REF`` also runs it, first, with the code of git revision REF (exported with
``git archive``, the working tree untouched) or of a directory holding another copy of the
code, for a before/after table from one run (give it more than once to compare several):

    .venv/bin/python benchmarks/scheduler_backlog.py --before HEAD [--rows 300 --delay 0.5 --tick 5]

PostgreSQL and Redis come from CONTINUUM_TEST_POSTGRES_URL and CONTINUUM_TEST_REDIS_URL (see
tests/services.py); the Redis database is flushed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import migrations  # noqa: E402  (the repository root is on the path only from here)
from tests.services import REDIS_URL, fresh_postgres_database  # noqa: E402
from tests.tasks.backlog import Figures, run_backlog  # noqa: E402
from workflow.core import clock  # noqa: E402
from workflow.core.db import make_engine  # noqa: E402
from workflow.core.settings import Settings  # noqa: E402


def export(ref: str, into: Path) -> Path:
    """The tree of git revision ``ref``, unpacked into ``into`` (nothing in the repository changes)."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", ref], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def phase(code_root: Path, work_dir: Path, args: argparse.Namespace) -> Figures:
    with fresh_postgres_database() as url:
        migrations.upgrade(url)
        engine = make_engine(url)
        try:
            return run_backlog(
                engine=engine, database_url=url, redis_url=REDIS_URL, rows=args.rows, delay=args.delay,
                tick_seconds=args.tick, concurrency=args.concurrency, code_root=code_root, work_dir=work_dir,
                today=clock.today(Settings(_env_file=None).zone), timeout=args.timeout,
            )
        finally:
            engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300, help="reminders due at once (default 300)")
    parser.add_argument("--delay", type=float, default=0.5, help="seconds the SMTP server takes per message")
    parser.add_argument("--tick", type=int, default=5, help="CONTINUUM_TICK_SECONDS (default 5)")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--timeout", type=float, default=900, help="give up after this many seconds per run")
    parser.add_argument("--before", metavar="REF", action="append", default=[],
                        help="first run the code of this git revision (or directory), for comparison")
    parser.add_argument("--keep", type=Path, help="keep each run's logs under this directory")
    args = parser.parse_args()

    results: dict[str, Figures] = {}
    with tempfile.TemporaryDirectory(prefix="scheduler-backlog-") as tmp:
        work = args.keep or Path(tmp)
        for n, ref in enumerate(args.before):
            root = Path(ref) if Path(ref).is_dir() else export(ref, Path(tmp) / f"code-{n}")
            results[f"before ({ref})"] = phase(root, work / f"before-{n}", args)
        results["after (working tree)"] = phase(REPO, work / "after", args)

    print(f"{args.rows} reminders due at once, SMTP {args.delay:g} s per message, tick {args.tick} s, "
          f"worker concurrency {args.concurrency}")
    tables = {name: figures.table() for name, figures in results.items()}
    rows = list(next(iter(tables.values())))
    width = max(map(len, rows))
    widths = {name: max(len(name), *map(len, table.values())) for name, table in tables.items()}
    print(f"| {'':{width}} | " + " | ".join(f"{name:{widths[name]}}" for name in tables) + " |")
    print(f"|{'-' * (width + 2)}|" + "|".join("-" * (widths[name] + 2) for name in tables) + "|")
    for row in rows:
        print(f"| {row:{width}} | " + " | ".join(f"{tables[n][row]:{widths[n]}}" for n in tables) + " |")


if __name__ == "__main__":
    main()
