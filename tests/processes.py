"""Stopping the real processes a test started (workers, beat, servers) and showing what they logged.

Every test that runs the product's own processes ends the same way: ask each to stop, give it a
moment to finish what it holds, kill it if it will not, then print the tail of its log so a failure
shows what the process saw."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path


def stop_all(processes: Iterable[subprocess.Popen[bytes]], *, timeout: float = 20) -> None:
    """Terminate every process still running, then wait for each; kill one that outlives ``timeout``."""
    started = list(processes)
    for process in started:
        if process.poll() is None:
            process.terminate()
    for process in started:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def show_logs(logs: Iterable[Path], *, tail: int = 3000) -> None:
    """The last ``tail`` characters of each log, in name order, on the test's captured output."""
    for log in sorted(logs):
        sys.stdout.write(f"--- {log.name}\n{log.read_text()[-tail:]}\n")
