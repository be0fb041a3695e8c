"""A server in a process of its own for the benchmarks that measure over HTTP: started, waited for
until ``/health`` answers, stopped, and its log's error lines reported (a benchmark whose server
failed requests says so beside its figures)."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.waiting import wait_until_healthy

STARTUP_SECONDS = 60.0


def python_env(code_root: Path, **extra: str) -> dict[str, str]:
    """This environment without any ``CONTINUUM_`` setting, importing from ``code_root``, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONTINUUM_")}
    env["PYTHONPATH"] = str(code_root)
    env.update(extra)
    return env


@contextmanager
def serving(command: list[str], *, cwd: Path, env: dict[str, str], port: int) -> Iterator[tuple[str, int]]:
    """``command`` serving on ``port`` of 127.0.0.1: (its base URL, its pid) while the block runs."""
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(f"{url}/health", process=process, timeout=STARTUP_SECONDS)
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.seek(0)
        errors = [line for line in log.read().decode(errors="replace").splitlines() if "Error" in line]
        if errors:
            print(f"  server log of {command[-1]}: {len(errors)} error lines, first: {errors[0][:200]}")
