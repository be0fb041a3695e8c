"""What one `POST /strategies/{id}/transitions` costs the API process, in CPU instructions, against the
bare one-UPDATE endpoint of ``benchmarks/transitions.py``, in the same run (issue 13, goal 3).

``transitions.py`` measures requests per second, which is what the goal asks; on a shared 2-core
machine its figures move by a tenth from one run to the next, more than most single changes save.
This script counts instructions instead, with valgrind's callgrind, which does not depend on what
else the machine is doing: runs minutes apart agreed within about 1%. It is not exact (the database
answers in real time, so how often the event loop wakes varies, and counts taken half an hour apart
once differed by 5%), so compare two versions of the code in one run, alternating (``--code REF``),
never against a figure noted earlier; ``--profile`` keeps the callgrind files.

Each app is called in-process, as uvicorn calls it (the ASGI interface, so no HTTP parsing: the
same for both), from ``--connections`` concurrent callers, each cycling through strategies of its
own with ``submit_for_consultation`` and ``return_to_drafting`` in turn, as ``transitions.py`` does.
The API is ``cli.server.served_app`` with its lifespan (worker threads, connection holds, garbage
collector settings), on a fresh PostgreSQL database; the bare app is ``transitions.bare_app``. A
child process per run warms up (``--warmup`` requests, uncounted), then counts ``--requests``
requests under callgrind (instrumentation switched on and off around them with callgrind_control).

    .venv/bin/python benchmarks/transition_instructions.py [--requests 200] [--repeats 3] [--code REF]

It needs valgrind (Debian package ``valgrind``); a run takes about a minute per app and repeat.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
BODIES = (
    {"event": "submit_for_consultation"},
    {"event": "return_to_drafting", "comment": "Another round of drafting."},
)
PER_CALLER = 16  # strategies each caller cycles through


def _toggle(on: bool) -> None:
    subprocess.run(["callgrind_control", "-i", "on" if on else "off", str(os.getpid())], check=True,
                   capture_output=True)


async def _call(app: Any, path: str, body: bytes, token: str) -> int:
    delivered = False

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if delivered:
            await asyncio.Event().wait()  # the client never disconnects
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    status: list[int] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
                    (b"authorization", f"Bearer {token}".encode()), (b"content-length", str(len(body)).encode())],
        "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 8000),
    }
    await app(scope, receive, send)
    return status[0]


def child(which: str, url: str, first: int, connections: int, warmup: int, requests: int) -> None:
    """One run, inside valgrind: ``which`` app, callers starting at strategy (or row) ``first``."""
    import gc

    from transitions import TOKEN, bare_app

    os.environ["CONTINUUM_DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"] = url
    if which == "api":
        from cli.server import served_app

        app, template = served_app(), "/strategies/%d/transitions"
    else:
        app, template = bare_app(), "/bump/%d"
        gc.collect()
        gc.freeze()
    bodies = [json.dumps(body).encode() for body in BODIES]
    counts = [0] * connections

    async def caller(index: int, how_many: int) -> None:
        for _ in range(how_many):
            count = counts[index]
            counts[index] += 1
            target = first + index * PER_CALLER + count % PER_CALLER
            status = await _call(app, template % target, bodies[(count // PER_CALLER) % 2], TOKEN)
            if status >= 300:
                raise SystemExit(f"{which}: request {count} of caller {index} answered {status}")

    async def run() -> None:
        async with app.router.lifespan_context(app):
            await asyncio.gather(*(caller(i, warmup // connections) for i in range(connections)))
            _toggle(True)
            await asyncio.gather(*(caller(i, requests // connections) for i in range(connections)))
            _toggle(False)

    asyncio.run(run())


def measure(code_root: Path, which: str, url: str, first: int, args: argparse.Namespace, out: Path) -> float:
    """Instructions per request of one run (a child under callgrind)."""
    from served import python_env

    command = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
               sys.executable, str(Path(__file__).resolve()), "--child", which, url, str(first),
               str(args.connections), str(args.warmup), str(args.requests)]
    env = python_env(code_root, PYTHONPATH=os.pathsep.join([str(code_root), str(HERE)]))
    done = subprocess.run(command, cwd=code_root, env=env, capture_output=True, text=True)
    collected = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode or collected is None:
        raise SystemExit(f"the {which} run failed ({done.returncode}): {done.stdout[-800:]} {done.stderr[-1500:]}")
    return int(collected.group(1)) / (args.requests // args.connections * args.connections)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        which, url, first, connections, warmup, requests = sys.argv[2:8]
        child(which, url, int(first), int(connections), int(warmup), int(requests))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=8, help="concurrent callers")
    parser.add_argument("--requests", type=int, default=200, help="requests counted per run")
    parser.add_argument("--warmup", type=int, default=96, help="requests before counting, per run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--code", default=None, help="also count the API of this git revision (before/after)")
    parser.add_argument("--profile", type=Path, default=None,
                        help="keep the callgrind files here (callgrind_annotate reads them)")
    args = parser.parse_args()
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(HERE))
    from sqlalchemy import create_engine
    from transitions import export, migrate, seed, spread

    from tests.services import fresh_postgres_database

    slots = args.connections * PER_CALLER
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        keep = args.profile or tmp
        keep.mkdir(parents=True, exist_ok=True)
        apps: list[tuple[str, Path]] = [("api", REPO), ("bare", REPO)]
        if args.code:
            apps.insert(1, (f"api@{args.code}", export(args.code, tmp / "code")))
        urls = {}
        for name, root in apps:
            if name == "bare":
                urls[name] = urls["api"]
                continue
            urls[name] = stack.enter_context(fresh_postgres_database())
            migrate(root, urls[name])
            engine = create_engine(urls[name])
            seed(engine, slots * args.repeats)
            engine.dispose()
        print(f"instructions per POST transition (in-process ASGI calls, {args.connections} callers, "
              f"{args.requests} requests counted per run, {args.repeats} runs each), against the bare "
              "one-UPDATE endpoint")
        counts: dict[str, list[float]] = {name: [] for name, _ in apps}
        for run in range(args.repeats):
            for name, root in apps:
                which = "bare" if name == "bare" else "api"
                out = keep / f"callgrind.{name.replace('@', '-')}.{run + 1}"
                counts[name].append(measure(root, which, urls[name], 1 + run * slots, args, out))
                figure = counts[name][-1] / 1e6
                print(f"  run {run + 1} {name:>12}: {figure:6.3f} M instructions per request", flush=True)
    bare = statistics.median(counts["bare"])
    for name, _ in apps:
        cost = bare / statistics.median(counts[name])
        ratio = "" if name == "bare" else f"; the bare endpoint's cost over it: {cost:.2f}x"
        print(f"{name:>12}: {spread([value / 1e6 for value in counts[name]], 'M per request', 3)}{ratio}")
    if args.code:
        before, after = statistics.median(counts[f"api@{args.code}"]), statistics.median(counts["api"])
        print(f"working tree / {args.code}: {after / before:.3f}x the instructions per request")
    if args.profile:
        print(f"callgrind files in {args.profile}: callgrind_annotate --inclusive=yes FILE")


if __name__ == "__main__":
    main()
