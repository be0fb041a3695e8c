"""Embedded broker throughput: kombu's SQLAlchemy transport on SQLite, rollback journal vs WAL.

Continuum switches the embedded broker file to WAL (tasks/housekeeping.py). This measures why,
in one run on this machine: the same number of messages published and consumed through kombu on
a fresh file in each journal mode, and the ratio.

    .venv/bin/python benchmarks/embedded_broker.py [--messages 2000]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

from kombu.connection import Connection


def run(path: Path, journal: str, messages: int) -> float:
    url = f"sqla+sqlite:///{path}"
    # kombu's Connection.__init__ has no annotations (kombu is typed only in parts).
    with Connection(url) as connection:  # type: ignore[no-untyped-call]
        queue = connection.SimpleQueue("bench")
        queue.put({"warm": True})
        queue.get(timeout=5).ack()
        with sqlite3.connect(path) as db:
            db.execute(f"PRAGMA journal_mode={journal}")
        started = time.perf_counter()
        for i in range(messages):
            queue.put({"n": i})
        for _ in range(messages):
            queue.get(timeout=10).ack()
        elapsed = time.perf_counter() - started
        queue.close()
    return messages / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        baseline = run(Path(tmp) / "delete.db", "DELETE", args.messages)
        wal = run(Path(tmp) / "wal.db", "WAL", args.messages)
    print(f"messages: {args.messages} published and consumed")
    print(f"rollback journal (baseline): {baseline:8.1f} msg/s")
    print(f"WAL                        : {wal:8.1f} msg/s")
    print(f"ratio WAL / baseline       : {wal / baseline:8.2f}x")


if __name__ == "__main__":
    main()
