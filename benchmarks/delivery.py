"""Delivery by a real Celery worker against a raw smtplib loop to the same SMTP server (issue 13, goal 4).

N reminders are due (``--emails``, default 2,000): ledger rows written straight into a fresh
PostgreSQL database (institutions, coordinators, strategies whose drafting is due in a week, and
the rows handed to the queue as a scheduler pass leaves them). ``continuum worker`` runs as
deployed (two pool processes), on Redis, and the rows are enqueued as ``tick`` enqueues them; the
time runs from the first message published to the last row marked sent (the rows' own
``closed_at``). The baseline, timed in the same run against the same server, is a raw smtplib
loop opening a connection per message, for N messages like the worker's. The server is aiosmtpd
in a process of its own that only counts, the same for both.

    .venv/bin/python benchmarks/delivery.py [--emails 2000] [--repeats 3] [--concurrency 2]
        [--no-single] [--before REF]

Modes, each timed ``--repeats`` times, every repeat next to a baseline run: the worker with
batches of ids per task (what ``tick`` enqueues now), the same worker with one id per task (what
passes enqueued before; ``--no-single`` leaves it out), and with ``--before REF`` the worker of
git revision REF (exported with ``git archive``; one id per task, its only task). The CPU each
part used per email is printed (the sender: this process for the baseline, the worker's
processes otherwise; PostgreSQL's backends; Redis; the SMTP server), which shows what bounds each
rate. Statements and commits per email are counted in this process (a ``before_cursor_execute``
listener and the engine's commits) while ``deliver`` sends a sample through the persistent
transport the worker uses.

PostgreSQL and Redis come from CONTINUUM_TEST_POSTGRES_URL and CONTINUUM_TEST_REDIS_URL (see
tests/services.py); the Redis database is flushed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import smtplib
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from io import BytesIO
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import redis  # noqa: E402
from sqlalchemy import Engine, event, func, insert, select, text  # noqa: E402

import migrations  # noqa: E402  (the repository root is on the path only from here)
from tests.services import REDIS_URL, fresh_postgres_database  # noqa: E402
from tests.smtp_sink import free_port  # noqa: E402
from workflow.core import clock  # noqa: E402
from workflow.core.db import make_engine, unit_of_work  # noqa: E402
from workflow.core.settings import Settings  # noqa: E402
from workflow.directory import Contact, Institution, address_key  # noqa: E402
from workflow.lifecycle import Strategy  # noqa: E402
from workflow.mail import NotificationContext, PersistentSmtpTransport, build_message, render  # noqa: E402
from workflow.reminders import Notification  # noqa: E402
from workflow.scheduler import send_notification  # noqa: E402

INSTITUTIONS, PER_STRATEGY = 20, 10  # each strategy's drafting reminder goes to its ministry's ten coordinators
QUEUED = "queued"  # ledger.QUEUED: a row handed to the queue by a pass
TARGET = 0.5
NOW = datetime.now(UTC)


# --- The SMTP server: aiosmtpd in its own process, counting what it accepts. ----------------------
def serve_sink(port: int) -> None:
    """``--sink PORT``: accept every message, count it and its Message-ID; answer ``stats`` on stdin."""
    from aiosmtpd.controller import Controller

    message_id = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)

    class Sink:
        def __init__(self) -> None:
            self.messages, self.connections, self.ids = 0, 0, Counter[bytes]()

        async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802 (aiosmtpd API)
            session.host_name = hostname
            self.connections += 1
            return responses

        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            self.messages += 1
            found = message_id.search(envelope.content)
            self.ids[found.group(1) if found else b""] += 1
            return "250 OK"

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() == "stats":
            duplicates = sum(n - 1 for n in sink.ids.values())
            print(json.dumps({"messages": sink.messages, "connections": sink.connections,
                              "duplicates": duplicates}), flush=True)
    controller.stop()


@dataclass
class SinkProcess:
    process: subprocess.Popen[str]
    port: int

    def stats(self) -> dict[str, int]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("stats\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())


@contextmanager
def sink() -> Iterator[SinkProcess]:
    port = free_port()
    process = subprocess.Popen([sys.executable, __file__, "--sink", str(port)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
        yield SinkProcess(process, port)
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=30)


# --- CPU per part, from /proc. --------------------------------------------------------------------
def cpu_of(pids: list[int]) -> dict[int, float]:
    """CPU seconds (user and system) each process has used so far; ended ones are left out."""
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used


def descendants(root: int) -> list[int]:
    """``root`` and every process below it."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    tree, frontier = [root], {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier}
        tree += frontier
    return tree


def named(name: str) -> list[int]:
    found = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() == name:
                found.append(int(comm.parent.name))
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found


PARTS = ("sender", "postgres", "redis", "smtp")  # sender: this process (baseline) or the worker's processes
Snapshot = dict[str, dict[int, float]]


@dataclass
class Meter:
    engine: Engine
    server: SinkProcess
    sender: int = field(default_factory=os.getpid)  # the process whose tree sends

    def snapshot(self) -> Snapshot:
        with self.engine.connect() as connection:
            backends = list(connection.scalars(
                text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")))
        return {"sender": cpu_of(descendants(self.sender)), "postgres": cpu_of(backends),
                "redis": cpu_of(named("redis-server")), "smtp": cpu_of([self.server.process.pid])}

    def since(self, before: Snapshot) -> dict[str, float]:
        """CPU seconds each part used since ``before`` (a process that started since counts in full)."""
        now = self.snapshot()
        return {part: sum(cpu - before[part].get(pid, 0.0) for pid, cpu in now[part].items()) for part in PARTS}


@dataclass
class Run:
    emails: int
    seconds: float
    cpu: dict[str, float]

    @property
    def rate(self) -> float:
        return self.emails / self.seconds


# --- The deployment: institutions, coordinators, and rows due. -------------------------------------
@dataclass
class World:
    engine: Engine
    coordinators: dict[int, list[int]]  # institution id -> its coordinators' contact ids
    today: date
    rounds: int = 0


def build_world(engine: Engine, today: date) -> World:
    with unit_of_work(engine) as s:
        institutions = [{"name": f"Ministry {n}", "created_at": NOW, "updated_at": NOW} for n in range(INSTITUTIONS)]
        ids = list(s.scalars(insert(Institution).returning(Institution.id), institutions))
        contacts = [
            {"name": f"Coordinator {i}-{n}", "email": f"coordinator{n}@ministry{i}.example.org",
             "email_key": address_key(f"coordinator{n}@ministry{i}.example.org"), "institution_id": i,
             "language": "sq" if n % 2 else "en", "roles": ["coordinator"], "created_at": NOW, "updated_at": NOW}
            for i in ids for n in range(PER_STRATEGY)
        ]
        coordinators: dict[int, list[int]] = {}
        for contact_id, institution_id in s.execute(insert(Contact).returning(Contact.id, Contact.institution_id),
                                                    contacts):
            coordinators.setdefault(institution_id, []).append(contact_id)
    return World(engine, coordinators, today)


def due_rows(world: World, count: int) -> list[int]:
    """``count`` reminders due now and handed to the queue: new strategies (drafting due in a week)
    of the ministries in turn, each reminding its ministry's coordinators."""
    world.rounds += 1
    due_on = world.today + timedelta(days=7)
    institutions = sorted(world.coordinators)
    strategies = [
        {"title": f"Sector strategy {world.rounds}-{n}", "policy_area": f"area-{world.rounds}-{n}",
         "kind": "strategy", "lead_institution_id": institutions[n % len(institutions)],
         "period_start": date(2030, 1, 1), "period_end": date(2034, 12, 31), "stage": "drafting",
         "stage_entered_on": world.today, "drafting_started_on": world.today, "drafting_due": due_on, "version": 1,
         "created_at": NOW, "updated_at": NOW}
        for n in range(-(-count // PER_STRATEGY))
    ]
    lease = clock.now() + timedelta(minutes=10)
    with unit_of_work(world.engine) as s:
        made = list(s.execute(insert(Strategy).returning(Strategy.id, Strategy.lead_institution_id), strategies))
        rows = [
            {"deadline_key": f"strategy:{strategy_id}:drafting_due", "deadline_kind": "drafting_due",
             "strategy_id": strategy_id, "due_on": due_on, "offset_days": 7, "kind": "deadline_reminder",
             "escalated": False, "contact_id": contact_id, "status": "pending", "due_at": lease,
             "claim_token": QUEUED, "attempts": 0, "details": {}, "created_at": NOW}
            for strategy_id, institution_id in made for contact_id in world.coordinators[institution_id]
        ][:count]
        return list(s.scalars(insert(Notification).returning(Notification.id), rows))


def baseline_messages(count: int, run: str) -> list[EmailMessage]:
    """Messages like the worker's: a drafting reminder, in English and Albanian in turn (each run's
    with Message-IDs of its own, so the server's count of duplicates stays meaningful)."""
    messages = []
    for n in range(count):
        context = NotificationContext(strategy_title=f"Sector strategy 0-{n}", strategy_id=n + 1,
                                      deadline_kind="drafting_due", due_on=date(2031, 1, 8), days=7,
                                      recipient_name=f"Coordinator {n}")
        messages.append(build_message(
            render("deadline_reminder", "sq" if n % 2 else "en", context), sender="Continuum <continuum@localhost>",
            to_name=f"Coordinator {n}", to_email=f"coordinator{n}@ministry.example.org",
            message_id_key=f"baseline:{run}:{n}", sent_at=NOW,
        ))
    return messages


# --- The runs. ------------------------------------------------------------------------------------
def raw_smtplib(port: int, count: int, run: str, meter: Meter) -> Run:
    """BASELINE: a connection per message (connect, EHLO, MAIL, RCPT, DATA, QUIT), for messages
    built beforehand."""
    messages = baseline_messages(count, run)
    before = meter.snapshot()
    began = time.perf_counter()
    for message in messages:
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.send_message(message)
    seconds = time.perf_counter() - began
    return Run(len(messages), seconds, meter.since(before))


def wait_until_sent(engine: Engine, ids: list[int], began: datetime, timeout: float, log: Path) -> float:
    """Seconds from ``began`` to the last of ``ids`` marked sent; stops the run if one ends otherwise."""
    deadline = time.monotonic() + timeout
    final = ("sent", "failed", "cancelled")
    while True:
        with unit_of_work(engine) as s:
            done = s.scalar(select(func.count()).where(Notification.id.in_(ids), Notification.status.in_(final)))
        if done == len(ids):
            break
        if time.monotonic() > deadline:
            raise SystemExit(f"only {done} of {len(ids)} emails done after {timeout}s; worker log:\n"
                             f"{log.read_text()[-3000:]}")
        time.sleep(0.05)  # a benchmark, not a test: polling the database is how it sees the end
    with unit_of_work(engine) as s:
        statuses = dict(s.execute(select(Notification.status, func.count()).where(Notification.id.in_(ids))
                                  .group_by(Notification.status)).all())
        last = s.scalar(select(func.max(Notification.closed_at)).where(Notification.id.in_(ids)))
    if statuses != {"sent": len(ids)}:
        raise SystemExit(f"not every email was sent: {statuses}")
    assert last is not None
    return (last - began).total_seconds()


Publish = Callable[[list[int]], None]


def publishers(redis_url: str) -> dict[str, Publish]:
    from tasks.app import SEND_BATCH_TASK, SEND_TASK, make_celery
    from tasks.jobs import batches

    app = make_celery(Settings(_env_file=None, broker_url=redis_url, result_backend=redis_url))

    def in_batches(ids: list[int]) -> None:  # as ``tick`` enqueues now
        for batch in batches(ids):
            app.send_task(SEND_BATCH_TASK, args=[batch])

    def one_by_one(ids: list[int]) -> None:  # as passes enqueued before batches
        for notification_id in ids:
            app.send_task(SEND_TASK, args=[notification_id])

    return {"batch": in_batches, "single": one_by_one}


def worker_run(world: World, count: int, publish: Publish, meter: Meter, log: Path, timeout: float) -> Run:
    ids = due_rows(world, count)
    before = meter.snapshot()
    began = clock.now()
    publish(ids)
    seconds = wait_until_sent(world.engine, ids, began, timeout, log)
    return Run(len(ids), seconds, meter.since(before))


@contextmanager
def worker(code_root: Path, env: dict[str, str], concurrency: int, log: Path, level: str) -> Iterator[int]:
    """``continuum worker`` from ``code_root``, as deployed; yields its process id."""
    environment = {**os.environ, **env, "PYTHONPATH": str(code_root)}
    command = [sys.executable, "-m", "cli", "worker", "--concurrency", str(concurrency), "--log-level", level]
    with log.open("w") as output:
        process = subprocess.Popen(command,
                                   cwd=code_root, env=environment, stdout=output, stderr=subprocess.STDOUT)
    try:
        yield process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- Statements and commits per email, counted in this process. -----------------------------------
@dataclass
class Cost:
    emails: int = 0
    statements: Counter[str] = field(default_factory=Counter)
    commits: int = 0
    seconds: float = 0.0


def statement_cost(world: World, settings: Settings, count: int) -> Cost:
    transport = PersistentSmtpTransport(settings)
    cost = Cost()

    def statement(_conn: Any, _cursor: Any, text: str, *_args: Any) -> None:
        cost.statements[text.split(None, 1)[0].upper()] += 1

    def commit(_conn: Any) -> None:
        cost.commits += 1

    def send(ids: list[int]) -> Counter[str]:
        return Counter(send_notification(world.engine, i, clock=clock.now, transport=transport,
                                         settings=settings).outcome for i in ids)

    try:
        send(due_rows(world, 10))  # warm: the statements compiled, the connections open
        ids = due_rows(world, count)
        event.listen(world.engine, "before_cursor_execute", statement)
        event.listen(world.engine, "commit", commit)
        began = time.perf_counter()
        try:
            outcomes = send(ids)
        finally:
            cost.seconds = time.perf_counter() - began
            event.remove(world.engine, "before_cursor_execute", statement)
            event.remove(world.engine, "commit", commit)
    finally:
        transport.close()
    assert outcomes == {"sent": count}, outcomes
    cost.emails = count
    return cost


# --- Putting it together. -------------------------------------------------------------------------
def export(ref: str, into: Path) -> Path:
    """The tree of git revision ``ref``, unpacked into ``into`` (nothing in the repository changes)."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", ref], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def phase(
    name: str, code_root: Path, modes: list[str], world: World, server: SinkProcess, args: argparse.Namespace,
    env: dict[str, str], work: Path,
) -> dict[str, list[Run]]:
    """A worker from ``code_root``; each repeat times the baseline, then each mode."""
    redis_url = env["CONTINUUM_BROKER_URL"]
    redis.Redis.from_url(redis_url).flushdb()
    publish = publishers(redis_url)
    log = work / f"worker-{name}.log"
    runs: dict[str, list[Run]] = {"baseline": [], **{mode: [] for mode in modes}}
    with worker(code_root, env, args.concurrency, log, args.log_level) as pid:
        own, theirs = Meter(world.engine, server), Meter(world.engine, server, sender=pid)
        worker_run(world, 4 * args.concurrency, publish[modes[0]], theirs, log, timeout=120)  # up, connected
        for repeat in range(args.repeats):
            runs["baseline"].append(raw_smtplib(server.port, args.emails, f"{name}-{repeat}", own))
            for mode in modes:
                runs[mode].append(worker_run(world, args.emails, publish[mode], theirs, log, args.timeout))
    return runs


def spread(runs: list[Run]) -> tuple[float, float, float]:
    rates = [run.rate for run in runs]
    return min(rates), statistics.median(rates), max(rates)


def cpu_per_email(runs: list[Run]) -> str:
    """Median CPU milliseconds per email of each part."""
    return "  ".join(
        f"{statistics.median(run.cpu[part] / run.emails * 1000 for run in runs):8.2f}" for part in PARTS
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=2000, help="emails per run (default 2000)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=2, help="worker pool processes (default 2, as deployed)")
    parser.add_argument("--no-single", action="store_true", help="leave out the one-id-per-task mode")
    parser.add_argument("--before", metavar="REF", help="also time the worker of this git revision (or directory)")
    parser.add_argument("--log-level", default="info", help="the worker's (default info, as deployed)")
    parser.add_argument("--sample", type=int, default=200, help="emails sent in this process to count statements")
    parser.add_argument("--timeout", type=float, default=600, help="give up on a run after this many seconds")
    parser.add_argument("--sink", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sink is not None:
        serve_sink(args.sink)
        return

    results: dict[str, tuple[list[Run], list[Run]]] = {}  # label -> (its runs, the baselines of its phase)
    with tempfile.TemporaryDirectory(prefix="delivery-") as tmp, fresh_postgres_database() as url, sink() as server:
        migrations.upgrade(url)
        engine = make_engine(url)
        settings = Settings(_env_file=None, database_url=url, smtp_host="127.0.0.1", smtp_port=server.port)
        world = build_world(engine, clock.today(settings.zone))
        env = {
            "CONTINUUM_DATABASE_URL": url, "CONTINUUM_BROKER_URL": REDIS_URL, "CONTINUUM_RESULT_BACKEND": REDIS_URL,
            "CONTINUUM_SMTP_HOST": "127.0.0.1", "CONTINUUM_SMTP_PORT": str(server.port),
            "CONTINUUM_DATA_DIR": str(Path(tmp) / "data"),
        }
        cost = statement_cost(world, settings, args.sample)
        smtp_before = server.stats()
        modes = ["batch"] if args.no_single else ["batch", "single"]
        after = phase("after", REPO, modes, world, server, args, env, Path(tmp))
        labels = {"batch": "worker, batches of ids per task", "single": "worker, one id per task"}
        for mode in modes:
            results[labels[mode]] = (after[mode], after["baseline"])
        phases = [after["baseline"]]
        if args.before:
            root = Path(args.before) if Path(args.before).is_dir() else export(args.before, Path(tmp) / "before")
            before = phase("before", root, ["single"], world, server, args, env, Path(tmp))
            results[f"worker of {args.before}, one id per task"] = (before["single"], before["baseline"])
            phases.append(before["baseline"])
        smtp = server.stats()
        engine.dispose()

    width = 50
    print(f"delivery of {args.emails} emails a run, {args.repeats} repeats, worker concurrency {args.concurrency}; "
          f"PostgreSQL, Redis, aiosmtpd in a process of its own")
    print(f"  {'emails/s':<{width}} {'min':>6} {'median':>6} {'max':>6}   CPU ms per email: "
          f"{'  '.join(f'{part:>8}' for part in PARTS)}")
    rows = [("baseline: raw smtplib, a connection each" + ("" if n == 0 else " (before)"), base)
            for n, base in enumerate(phases)] + [(label, runs) for label, (runs, _) in results.items()]
    for label, runs in rows:
        low, mid, high = spread(runs)
        print(f"  {label:<{width}} {low:6.0f} {mid:6.0f} {high:6.0f}   {'':17}{cpu_per_email(runs)}")
    print(f"  {'deliver() in this process, no Celery':<{width}} {'':13} {cost.emails / cost.seconds:6.0f}")
    per_email = ", ".join(f"{verb} {n / cost.emails:.2f}" for verb, n in sorted(cost.statements.items()))
    print(f"  per email: {sum(cost.statements.values()) / cost.emails:.2f} statements ({per_email}), "
          f"{cost.commits / cost.emails:.2f} commits")
    baseline_emails = args.emails * args.repeats * len(phases)
    worker_emails = smtp["messages"] - smtp_before["messages"] - baseline_emails
    worker_connections = smtp["connections"] - smtp_before["connections"] - baseline_emails
    print(f"  SMTP connections the workers opened: {worker_connections} for {worker_emails} emails; "
          f"duplicate Message-IDs at the server: {smtp['duplicates']}")
    for n, (label, (runs, base)) in enumerate(results.items()):
        ratio = spread(runs)[1] / spread(base)[1]
        if n == 0:
            verdict = "meets" if ratio >= TARGET else "misses"
            print(f"ratio {label} / baseline (medians): {ratio:.2f}x -> {verdict} goal 4 (at least {TARGET}x)")
        else:
            print(f"  {label}: {ratio:.2f}x of its phase's baseline")


if __name__ == "__main__":
    main()
