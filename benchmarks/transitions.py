"""`POST /strategies/{id}/transitions` under concurrent load, against a bare FastAPI endpoint that
does one UPDATE of one row and commits, on the same PostgreSQL, in the same run (issue 13, goal 3:
at least 0.5x the bare endpoint's requests per second, with p99 no worse than 2x).

Both are served for real, each by its own uvicorn process (one process, asyncio, h11, log level
warning: no access log), on one fresh PostgreSQL database (``tests.services.fresh_postgres_database``):
the API by ``continuum serve`` itself (``python -m cli serve``, with its thread and garbage-collector
settings), the bare app by ``uvicorn`` with the same options. The bare app builds its engine with
``api.app.api_engine``, so its pool and pre-ping are the API's. Both get the same load:
``--connections`` keep-alive connections (default 8), each request a small JSON body, for
``--seconds`` per run, ``--repeats`` runs each (default 3, alternating), after a warm-up run of each.

Every request of the app is a legal transition made with a valid coordinator token (so the
throttle of refused tokens never comes into it): strategies are created in drafting, and each
gets ``submit_for_consultation`` and ``return_to_drafting`` (with a comment) in turn, the one
cycle the lifecycle has. Each run uses strategies of its own, and each load thread cycles through
``--strategies`` of them, so two requests for one strategy are that many requests apart and never
overlap in practice; a refusal would show as a non-2xx count, and the verdict requires none.
The bare endpoint updates one row of a table of as many rows, chosen the same way.

The load comes from ``wrk`` (Debian package ``wrk``) with a Lua script when it is installed, else
from Python threads (``http.client``), which on 2 cores may be the bottleneck: the script says
which one it used.

    .venv/bin/python benchmarks/transitions.py [--connections 8] [--seconds 8] [--repeats 3]
        [--strategies 256] [--code REF]

``--code REF`` serves the API from git revision REF (e.g. ``HEAD`` before a change) instead of the
working tree, on a database migrated by that revision's migrations: the before/after figures of
one machine. The bare endpoint always comes from the working tree.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path
from string import Template
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from fastapi import FastAPI  # noqa: E402  (the repository root is on the path only from here)
from pydantic import BaseModel  # noqa: E402
from served import python_env, serving  # noqa: E402
from sqlalchemy import Engine, create_engine, insert, text  # noqa: E402

from tests.services import fresh_postgres_database  # noqa: E402
from tests.smtp_sink import free_port  # noqa: E402
from workflow.access.tokens import hash_token  # noqa: E402

TARGET_RATIO = 0.5
TARGET_P99 = 2.0
NOW = datetime.now(UTC)
TOKEN = "ctm_benchmark-transitions-coordinator-token-0123456789abcdef"
BODIES = (
    {"event": "submit_for_consultation"},
    {"event": "return_to_drafting", "comment": "Another round of drafting."},
)
BARE_TABLE = "bench_rows"

LUA = Template("""
local first = tonumber(os.getenv("BENCH_FIRST") or "1")
local per_thread = tonumber(os.getenv("BENCH_PER_THREAD") or "256")
local path = os.getenv("BENCH_PATH")
local bodies = { [[$submit]], [[$back]] }
local next_thread = 0

function setup(thread)
  thread:set("offset", first + next_thread * per_thread)
  next_thread = next_thread + 1
end

function init(args)
  count = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer $token"
end

function request()
  if not started then  -- wrk may build one request per thread to check it, and not send it
    started = true
    return wrk.format("GET", "/health", nil, "")
  end
  local id = offset + (count % per_thread)
  local body = bodies[(math.floor(count / per_thread) % 2) + 1]
  count = count + 1
  return wrk.format(nil, string.format(path, id), nil, body)
end

function response(status, headers, body)
  if status >= 300 and not reported then
    reported = true
    io.write("REFUSED " .. status .. " " .. string.sub(body or "", 1, 300) .. "\\n")
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "RESULT {\\"requests\\": %d, \\"seconds\\": %f, \\"non_2xx\\": %d, \\"socket_errors\\": %d, "
    .. "\\"p50_ms\\": %f, \\"p99_ms\\": %f}\\n",
    summary.requests, summary.duration / 1e6, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
""").substitute(submit=json.dumps(BODIES[0]), back=json.dumps(BODIES[1]), token=TOKEN)


# --- the baseline: one UPDATE of one row and a commit, nothing else. -------------------------------
class BareBody(BaseModel):
    event: str
    comment: str | None = None


def bare_app() -> FastAPI:
    """The baseline app (``uvicorn transitions:bare_app --factory``), on the API's engine settings."""
    from api.app import api_engine
    from workflow.core import Settings

    engine = api_engine(Settings(_env_file=None, database_url=os.environ["BENCH_DATABASE_URL"]))
    app = FastAPI()

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/bump/{row_id}")
    def bump(row_id: int, body: BareBody) -> dict[str, Any]:
        with engine.begin() as connection:
            connection.execute(text(f"UPDATE {BARE_TABLE} SET n = n + 1 WHERE id = :id"), {"id": row_id})
        return {"id": row_id, "event": body.event}

    return app
# --- end of the baseline. ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    requests: int
    seconds: float
    non_2xx: int
    socket_errors: int
    p50_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def export(ref: str, into: Path) -> Path:
    """The tree of git revision ``ref``, unpacked into ``into`` (nothing in the repository changes)."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", ref], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def migrate(code_root: Path, url: str) -> None:
    subprocess.run([sys.executable, "-c", "import sys, migrations; migrations.upgrade(sys.argv[1])", url],
                   cwd=code_root, env=python_env(code_root), check=True)


def seed(engine: Engine, strategies: int) -> None:
    """An institution, ``strategies`` drafts it leads, a coordinator token, and the bare table.

    Plain INSERTs of the columns every revision has, so the seed fits an older schema too."""
    today = NOW.date()
    with engine.begin() as connection:
        institution = connection.execute(
            text("INSERT INTO institutions (name, created_at) VALUES ('Ministry of Interior', :now) RETURNING id"),
            {"now": NOW},
        ).scalar_one()
        connection.execute(text(
            "INSERT INTO api_tokens (name, role, institution_id, token_hash, prefix, created_at) "
            "VALUES ('bench-coordinator', 'coordinator', :institution, :hash, :prefix, :now)"
        ), {"institution": institution, "hash": hash_token(TOKEN), "prefix": TOKEN[:12], "now": NOW})
        from workflow.lifecycle import Strategy

        connection.execute(insert(Strategy.__table__), [{  # type: ignore[attr-defined]
            "title": f"Strategy {i}", "policy_area": f"area-{i % 50}", "kind": "strategy",
            "lead_institution_id": institution, "period_start": date(2027, 1, 1), "period_end": date(2031, 12, 31),
            "stage": "drafting", "stage_entered_on": today, "drafting_started_on": today, "version": 1,
            "approval_reference_unknown": False, "created_at": NOW, "updated_at": NOW,
        } for i in range(strategies)])
        connection.execute(text(f"CREATE TABLE {BARE_TABLE} (id integer PRIMARY KEY, n integer NOT NULL)"))
        connection.execute(text(f"INSERT INTO {BARE_TABLE} SELECT g, 0 FROM generate_series(1, :n) g"),
                           {"n": strategies})
        connection.execute(text("ANALYZE"))


def serve_api(code_root: Path, url: str) -> Any:
    port = free_port()
    env = python_env(code_root, CONTINUUM_DATABASE_URL=url, CONTINUUM_PUBLIC_URL=f"http://127.0.0.1:{port}")
    command = [sys.executable, "-m", "cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--log-level",
               "warning"]
    return serving(command, cwd=code_root, env=env, port=port)


def serve_bare(url: str) -> Any:
    port = free_port()
    env = python_env(REPO, BENCH_DATABASE_URL=url, PYTHONPATH=f"{REPO}{os.pathsep}{REPO / 'benchmarks'}")
    command = [sys.executable, "-m", "uvicorn", "transitions:bare_app", "--factory", "--host", "127.0.0.1",
               "--port", str(port), "--log-level", "warning", "--http", "h11", "--loop", "asyncio"]
    return serving(command, cwd=REPO, env=env, port=port)


def load_wrk(base: str, path: str, first: int, per_thread: int, threads: int, connections: int,
             seconds: int, script: Path) -> Run:
    env = {**os.environ, "BENCH_FIRST": str(first), "BENCH_PER_THREAD": str(per_thread), "BENCH_PATH": path}
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), base],
        env=env, capture_output=True, text=True,
    )
    line = next((line for line in out.stdout.splitlines() if line.startswith("RESULT ")), None)
    for refused in (line for line in out.stdout.splitlines() if line.startswith("REFUSED ")):
        print(f"  {refused}")
    if out.returncode or line is None:
        raise SystemExit(f"wrk failed ({out.returncode}): {out.stdout[-500:]} {out.stderr[-500:]}")
    return Run(**json.loads(line.removeprefix("RESULT ")))


def load_python(base: str, path: str, first: int, per_thread: int, threads: int, connections: int,
                seconds: int) -> Run:
    """``connections`` threads, each with one keep-alive connection and its own strategies."""
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    non_2xx = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}
    bodies = [json.dumps(b).encode() for b in BODIES]

    def drive(offset: int) -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        mine, bad, count = [], 0, 0
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            connection.request("POST", path % (offset + count % per_thread),
                               body=bodies[(count // per_thread) % 2], headers=headers)
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - began)
            bad += not 200 <= response.status < 300
            count += 1
        connection.close()
        with lock:
            latencies.extend(mine)
            non_2xx[0] += bad

    began = time.perf_counter()
    workers = [threading.Thread(target=drive, args=(first + i * per_thread,)) for i in range(connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    took = time.perf_counter() - began
    cuts = statistics.quantiles(latencies, n=100)
    return Run(len(latencies), took, non_2xx[0], 0, cuts[49] * 1000, cuts[98] * 1000)


def spread(values: list[float], unit: str, digits: int = 0) -> str:
    return (f"min {min(values):8.{digits}f}  median {statistics.median(values):8.{digits}f}  "
            f"max {max(values):8.{digits}f} {unit}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--strategies", type=int, default=256, help="strategies each load thread cycles through")
    parser.add_argument("--code", default=None, help="serve the API from this git revision instead of the tree")
    parser.add_argument("--python-load", action="store_true", help="drive with Python threads even if wrk exists")
    args = parser.parse_args()

    use_wrk = shutil.which("wrk") is not None and not args.python_load
    threads = min(2, args.connections) if use_wrk else args.connections
    slots = threads * args.strategies  # strategies (and bare rows) one run uses
    runs = args.repeats + 1  # and a warm-up
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        code_root = export(args.code, tmp / "code") if args.code else REPO
        url = stack.enter_context(fresh_postgres_database())
        migrate(code_root, url)
        engine = create_engine(url)
        seed(engine, slots * runs)
        engine.dispose()
        script = tmp / "transitions.lua"
        script.write_text(LUA)
        api, _ = stack.enter_context(serve_api(code_root, url))
        bare, _ = stack.enter_context(serve_bare(url))
        generator = f"wrk, {threads} threads" if use_wrk else "Python threads (http.client; may be the limit)"
        print(f"POST transitions vs a bare one-UPDATE endpoint: {args.connections} connections, {args.seconds:g} s "
              f"per run, {args.repeats} runs each; load from {generator}; API code: {args.code or 'working tree'}")

        def drive(base: str, path: str, run: int) -> Run:
            first = 1 + run * slots
            if use_wrk:
                return load_wrk(base, path, first, args.strategies, threads, args.connections, args.seconds, script)
            return load_python(base, path, first, args.strategies, threads, args.connections, args.seconds)

        results: dict[str, list[Run]] = {"api": [], "bare": []}
        for run in range(runs):
            for name, base, path in (("api", api, "/strategies/%d/transitions"), ("bare", bare, "/bump/%d")):
                figures = drive(base, path, run)
                if run:  # run 0 warms both up
                    results[name].append(figures)
                    print(f"  run {run} {name:4}: {figures.rate:7.0f} req/s  p50 {figures.p50_ms:6.1f} ms  "
                          f"p99 {figures.p99_ms:6.1f} ms  non-2xx {figures.non_2xx}  socket errors "
                          f"{figures.socket_errors}")

    api_runs, bare_runs = results["api"], results["bare"]
    print(f"transitions  req/s: {spread([r.rate for r in api_runs], 'req/s')}")
    print(f"bare UPDATE  req/s: {spread([r.rate for r in bare_runs], 'req/s')}")
    print(f"transitions  p50  : {spread([r.p50_ms for r in api_runs], 'ms', 1)}")
    print(f"bare UPDATE  p50  : {spread([r.p50_ms for r in bare_runs], 'ms', 1)}")
    print(f"transitions  p99  : {spread([r.p99_ms for r in api_runs], 'ms', 1)}")
    print(f"bare UPDATE  p99  : {spread([r.p99_ms for r in bare_runs], 'ms', 1)}")
    ratios = [a.rate / b.rate for a, b in zip(api_runs, bare_runs, strict=True)]
    p99s = [a.p99_ms / b.p99_ms for a, b in zip(api_runs, bare_runs, strict=True)]
    print(f"ratio req/s (transitions / bare, per run): {spread(ratios, 'x', 2)}")
    print(f"ratio p99   (transitions / bare, per run): {spread(p99s, 'x', 2)}")
    failures = sum(r.non_2xx + r.socket_errors for r in api_runs + bare_runs)
    ratio, p99 = statistics.median(ratios), statistics.median(p99s)
    met = ratio >= TARGET_RATIO and p99 <= TARGET_P99 and failures == 0
    print(f"verdict: {'MET' if met else 'NOT MET'}: median {ratio:.2f}x the bare endpoint's req/s (target "
          f">= {TARGET_RATIO}x), p99 {p99:.2f}x (target <= {TARGET_P99:g}x), {failures} failed requests")


if __name__ == "__main__":
    main()
