"""More than one of each, as processes: two api replicas, two workers and one beat (then a second
beat, by mistake) with the compose file's own commands and environment, against one fresh
PostgreSQL database, the test Redis and a real SMTP server.

What runs where: the replicas listen on free ports, as two containers behind the proxy would; each
process has a data directory of its own, as each container has its own ``/data``. One browser
(one cookie jar) talks to both replicas, as a load balancer without sticky sessions would send it.

Beat's timer is set to an hour, so the test decides when scheduler passes run: it publishes the
same task to the same queue as beat does (``continuum.tick`` on ``continuum.scheduler``), and a
beat process runs it. Every pass of the test is then one whose result it waits for, and two passes
at once are made to meet on purpose (a table lock holds both until both are in flight), instead of
depending on when two timers happen to fire.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
import redis
from celery.exceptions import TimeoutError as CeleryTimeout
from sqlalchemy import Engine, create_engine, text

from tasks.app import SEND_TASK, TICK_TASK, make_celery
from tests.deploy.compose_processes import Processes, admin_token, api_argv, load_services, local_env, service_argv
from tests.deploy.runtime_install import runtime_command
from tests.services import fresh_postgres_database, require_redis
from tests.smtp_sink import RecordingHandler, free_port, smtp_sink
from tests.waiting import wait_for_feed, wait_for_lock_wait, wait_until_healthy
from tests.web.console import csrf_of
from workflow.core import clock
from workflow.core.settings import Settings

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ZONE = Settings(_env_file=None).zone
# What an operator's .env may set: today's reminders are due at any hour; beat's own timer stays
# out of the way (see the module docstring).
OPERATOR_ENV = {"CONTINUUM_SEND_HOUR": "0", "CONTINUUM_TICK_SECONDS": "3600"}
LINK_TOKEN = re.compile(r"/console/sign-in/link\?token=(csl_[A-Za-z0-9_\-]+)")
RESULT_TIMEOUT = 30


@dataclass
class HeldSink(RecordingHandler):
    """An SMTP server that, while ``hold`` is set, keeps each message at DATA until ``release``:
    a send stays in flight (claimed, not yet accepted) for as long as the test needs."""

    held: int = 0
    _open: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._open.set()

    def hold(self) -> None:
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        if not self._open.is_set():
            with self._changed:
                self.held += 1
                self._changed.notify_all()
            await asyncio.get_running_loop().run_in_executor(None, self._open.wait, 60)
        return await super().handle_DATA(server, session, envelope)

    def wait_until_held(self, count: int, timeout: float = 30) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: self.held >= count, timeout=timeout):
                raise AssertionError(f"expected {count} message(s) held at DATA within {timeout}s, got {self.held}")

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"].addresses[0].addr_spec == address]

    def wait_for_to(self, address: str, count: int, timeout: float = 30) -> list[EmailMessage]:
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.to(address)) >= count, timeout=timeout):
                raise AssertionError(f"expected {count} message(s) to {address} within {timeout}s, "
                                     f"got {len(self.to(address))}")
            return self.to(address)


@dataclass
class Stack:
    a: str  # base URL of api replica A
    b: str  # ... and of replica B
    headers: dict[str, str]
    inbox: HeldSink
    engine: Engine
    celery: Any
    processes: Processes
    start_beat: Callable[[], subprocess.Popen[bytes]]  # one more beat, as its own process

    def tick(self) -> Any:
        """Publish one scheduler pass, as beat's timer does; the AsyncResult of its report."""
        return self.celery.send_task(TICK_TASK)

    def one_pass(self) -> dict[str, Any]:
        """Run one scheduler pass and return its report (``tasks.jobs.tick``'s)."""
        report: dict[str, Any] = self.tick().get(timeout=RESULT_TIMEOUT)
        return report


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    redis_url = require_redis()
    runtime_command()  # skips (or fails) before anything starts when the runtime install is missing
    redis.Redis.from_url(redis_url).flushdb()  # no message of an earlier test may reach these workers
    root = tmp_path_factory.mktemp("replicas")
    (root / "logs").mkdir()
    services = load_services()
    handler = HeldSink()
    with fresh_postgres_database() as postgres_url, smtp_sink(handler) as (smtp_port, _):

        def env(name: str, instance: str) -> dict[str, str]:
            return local_env(services[name], postgres_url=postgres_url, redis_url=redis_url, smtp_port=smtp_port,
                             data_dir=root / instance / "data", extra=OPERATOR_ENV)

        processes = Processes(root / "logs")
        migrate = processes.start("migrate", service_argv(services["migrate"]), env("migrate", "migrate"))
        assert migrate.wait(timeout=120) == 0, (root / "logs" / "migrate.log").read_text()

        ports = {"api-a": free_port(), "api-b": free_port()}
        for name, port in ports.items():
            processes.start(name, api_argv(services["api"], port), env("api", name))
        for name in ("worker-1", "worker-2"):
            processes.start(name, service_argv(services["worker"]), env("worker", name))
        beats = iter(f"beat-{n}" for n in range(1, 10))

        def start_beat() -> subprocess.Popen[bytes]:
            name = next(beats)
            return processes.start(name, service_argv(services["beat"]), env("beat", name))

        start_beat()
        engine = create_engine(postgres_url)
        try:
            a, b = (f"http://127.0.0.1:{ports[name]}" for name in ("api-a", "api-b"))
            for base, name in ((a, "api-a"), (b, "api-b")):
                wait_until_healthy(f"{base}/health", process=processes.running[name], timeout=60)
            token = admin_token(env("api", "api-a"))
            celery = make_celery(Settings(_env_file=None, broker_url=redis_url, result_backend=redis_url))
            yield Stack(a, b, {"Authorization": f"Bearer {token}"}, handler, engine, celery, processes, start_beat)
        finally:
            processes.stop()
            engine.dispose()


def api(stack: Stack) -> httpx.Client:
    return httpx.Client(timeout=15, headers=stack.headers, trust_env=False)


def made(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201), f"{response.request.method} {response.request.url}: {response.text}"
    body: dict[str, Any] = response.json()
    return body


def institution_with_coordinator(client: httpx.Client, base: str, name: str, email: str) -> int:
    institution: int = made(client.post(f"{base}/institutions", json={"name": name}))["id"]
    made(client.post(f"{base}/contacts", json={
        "name": "Arta Hoxha", "email": email, "institution_id": institution, "language": "en", "roles": ["coordinator"],
    }))
    return institution


def drafting_strategy(client: httpx.Client, base: str, institution: int, area: str, **fields: str) -> dict[str, Any]:
    return made(client.post(f"{base}/strategies", json={
        "title": f"National Strategy for {area.title()} 2031-2035", "policy_area": area,
        "lead_institution_id": institution, "period_start": "2031-01-01", "period_end": "2035-12-31", **fields,
    }))


def caught_up(stack: Stack, strategy_id: int) -> None:
    """Wait until every event of ``strategy_id`` written so far is in the outbox feed (``GET /events``,
    which passes plan from): the feed holds back events while an older transaction still writes."""
    with stack.engine.connect() as connection:
        events = list(connection.scalars(text("SELECT id FROM events WHERE strategy_id = :s"), {"s": strategy_id}))
    wait_for_feed(stack.a, events, headers=stack.headers, timeout=60)


def claims(stack: Stack, strategy_id: int) -> list[tuple[int, int]]:
    """(ledger row, attempts) of every email a worker took for ``strategy_id``."""
    with stack.engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT id, attempts FROM notifications WHERE strategy_id = :s AND attempts > 0 ORDER BY id"
        ), {"s": strategy_id})
        return [(row.id, row.attempts) for row in rows]


def ledger_rows(stack: Stack, strategy_id: int) -> list[int]:
    with stack.engine.connect() as connection:
        return list(connection.scalars(
            text("SELECT id FROM notifications WHERE strategy_id = :s ORDER BY id"), {"s": strategy_id}
        ))


def gap_moves(stack: Stack, client: httpx.Client, base: str, strategy_id: int) -> list[tuple[str | None, str]]:
    """Every ``gap_status_changed`` of ``strategy_id`` in the outbox, as (from, to)."""
    caught_up(stack, strategy_id)
    moves, after = [], 0
    while page := made(client.get(f"{base}/events", params={"after": after, "limit": 200})):
        moves += [(e["payload"]["from"], e["payload"]["to"]) for e in page["items"]
                  if e["type"] == "gap_status_changed" and e["strategy_id"] == strategy_id]
        if not page["items"]:
            return moves
        after = page["next_after"]
    return moves


def test_what_one_replica_writes_the_other_reads_and_guards(stack: Stack):
    with api(stack) as client:
        institution = institution_with_coordinator(client, stack.a, "Ministry of Justice", "arta.hoxha@example.org")
        assert made(client.get(f"{stack.b}/institutions/{institution}"))["name"] == "Ministry of Justice"

        created = client.post(f"{stack.a}/strategies", json={
            "title": "National Strategy for Justice 2031-2035", "policy_area": "justice",
            "lead_institution_id": institution, "period_start": "2031-01-01", "period_end": "2035-12-31",
        })
        path = f"/strategies/{made(created)['id']}"
        seen = created.headers["ETag"]
        assert client.get(f"{stack.b}{path}").headers["ETag"] == seen

        edited = client.patch(f"{stack.a}{path}", headers={"If-Match": seen}, json={"title": "Justice 2031-2035"})
        assert edited.status_code == 200, edited.text
        stale = client.patch(f"{stack.b}{path}", headers={"If-Match": seen}, json={"title": "Lost update"})
        assert stale.status_code == 412, stale.text
        current = client.get(f"{stack.b}{path}")
        assert (current.json()["title"], current.headers["ETag"]) == ("Justice 2031-2035", edited.headers["ETag"])

        issued = made(client.post(f"{stack.b}/tokens", json={
            "name": "viewer-on-b", "role": "viewer", "institution_id": institution, "expires_in_days": 1,
        }))
        read = client.get(f"{stack.a}{path}", headers={"Authorization": f"Bearer {issued['token']}"})
        assert read.status_code == 200, read.text


def test_a_console_session_opened_on_one_replica_holds_on_the_other(stack: Stack):
    """Sign-in links, sessions and CSRF tokens live in the database (or, before sign-in, in a cookie):
    a browser passed back and forth between replicas needs no sticky sessions."""
    email = "blerta.meta@example.org"
    with api(stack) as client:
        institution_with_coordinator(client, stack.a, "National Agency for Employment", email)
    with httpx.Client(timeout=15, trust_env=False) as browser:  # one cookie jar for both replicas
        form = browser.get(f"{stack.a}/console/sign-in")
        asked = browser.post(f"{stack.b}/console/sign-in", data={"email": email, "csrf": csrf_of(form.text)})
        assert asked.status_code == 200, asked.text
        (mail,) = stack.inbox.wait_for_to(email, 1)
        found = LINK_TOKEN.search(mail.get_body(("plain",)).get_content())  # type: ignore[union-attr]
        assert found, "the sign-in email carries no link"
        confirm = browser.get(f"{stack.a}/console/sign-in/link", params={"token": found.group(1)})
        signed = browser.post(f"{stack.b}/console/sign-in/link",
                              data={"token": found.group(1), "csrf": csrf_of(confirm.text)})
        assert signed.status_code == 303, signed.text

        on_a = browser.get(f"{stack.a}/console/portfolio")
        assert on_a.status_code == 200 and "Arta Hoxha" in on_a.text, on_a.text[:500]
        on_b = browser.get(f"{stack.b}/console/portfolio")
        assert on_b.status_code == 200, on_b.text[:500]
        out = browser.post(f"{stack.a}/console/sign-out", data={"csrf": csrf_of(on_b.text)})  # B's page, A's form
        assert out.status_code == 303 and out.headers["location"] == "/console/sign-in", out.text
        assert browser.get(f"{stack.b}/console/portfolio").status_code == 303  # ended for every replica


def test_two_workers_send_a_due_reminder_once(stack: Stack):
    email = "dritan.kola@example.org"
    tomorrow = clock.today(ZONE) + timedelta(days=1)
    with api(stack) as client:
        institution = institution_with_coordinator(client, stack.a, "Ministry of Health", email)
        strategy = drafting_strategy(client, stack.b, institution, "health", drafting_due=tomorrow.isoformat())
    caught_up(stack, strategy["id"])

    stack.inbox.hold()
    try:
        report = stack.one_pass()
        (row,) = ledger_rows(stack, strategy["id"])
        assert report["due"] == [row]
        stack.inbox.wait_until_held(1)  # one worker has claimed the row and is sending it
        # The same row handed to the workers four more times (a redelivery, a lease run out): each
        # copy reaches a free pool process of one worker or the other, and none may send it again.
        copies = [stack.celery.send_task(SEND_TASK, args=[row]) for _ in range(4)]
        try:
            outcomes = [copy.get(timeout=RESULT_TIMEOUT) for copy in copies]
        except CeleryTimeout:
            raise AssertionError(f"a copy did not finish: {stack.inbox.held} sends of the row wait at DATA") from None
        assert outcomes == ["skipped"] * 4
        assert stack.inbox.held == 1
    finally:
        stack.inbox.release()

    (message,) = stack.inbox.wait_for_to(email, 1)
    assert message["Subject"] == f"National Strategy for Health 2031-2035: drafting due tomorrow ({tomorrow})"
    assert claims(stack, strategy["id"]) == [(row, 1)]


def test_a_second_beat_records_sends_and_announces_nothing_twice(stack: Stack):
    today = clock.today(ZONE)
    coordinator = "elira.dosti@example.org"
    with api(stack) as client:
        institution = institution_with_coordinator(client, stack.a, "Ministry of Tourism", coordinator)
        # In force for three years, lapsing in 200 days with no successor: at risk, and warned about.
        lapsing = made(client.post(f"{stack.a}/strategies", json={
            "title": "National Strategy for Tourism", "policy_area": "tourism",
            "lead_institution_id": institution, "period_start": date(today.year - 3, 1, 1).isoformat(),
            "period_end": (today + timedelta(days=200)).isoformat(),
        }))
        path = f"/strategies/{lapsing['id']}/transitions"
        for step in (
            {"event": "submit_for_consultation", "effective_on": date(today.year - 4, 3, 1).isoformat()},
            {"event": "submit_for_approval", "effective_on": date(today.year - 4, 6, 1).isoformat()},
            {"event": "approve", "approved_on": date(today.year - 4, 7, 1).isoformat(),
             "effective_on": date(today.year - 4, 7, 1).isoformat(), "approval_reference": "DCM No. 12"},
        ):
            made(client.post(f"{stack.b}{path}", json=step))
        caught_up(stack, lapsing["id"])
        report = stack.one_pass()  # one beat: the watch records the strategy at risk, the warning goes out
        assert report["due"] == ledger_rows(stack, lapsing["id"]) and len(report["due"]) == 1, report
        (warning,) = stack.inbox.wait_for_to(coordinator, 1)
        assert "National Strategy for Tourism" in warning["Subject"], warning["Subject"]
        assert gap_moves(stack, client, stack.b, lapsing["id"]) == [(None, "at_risk")]

        second = stack.start_beat()
        # Two passes at once, each in its own beat process: both reach their first write to the
        # ledger, which the test holds locked until both are in flight, so both plan the new
        # strategy's reminder from the same state and then race to record and hand it out.
        with stack.engine.connect() as lock:
            lock.execute(text("LOCK TABLE notifications IN EXCLUSIVE MODE"))
            strategy = drafting_strategy(client, stack.a, institution, "culture",
                                         drafting_due=(today + timedelta(days=1)).isoformat())
            caught_up(stack, strategy["id"])
            published = [stack.tick() for _ in range(2)]
            wait_for_lock_wait(stack.engine, at_least=2, process=second, timeout=60)
            lock.commit()
        raced = [result.get(timeout=RESULT_TIMEOUT) for result in published]

        # And again where the gap watch writes: the lapse moves past the warning horizon (365 days),
        # so the strategy is no longer at risk, and both passes, having judged it from the same
        # state, race to record and announce the change.
        with stack.engine.connect() as lock:
            lock.execute(text("LOCK TABLE gap_watch IN EXCLUSIVE MODE"))
            current = client.get(f"{stack.b}/strategies/{lapsing['id']}")
            made(client.patch(f"{stack.b}/strategies/{lapsing['id']}", headers={"If-Match": current.headers["ETag"]},
                              json={"period_end": (today + timedelta(days=500)).isoformat()}))
            caught_up(stack, lapsing["id"])
            published = [stack.tick() for _ in range(2)]
            wait_for_lock_wait(stack.engine, at_least=2, process=second, timeout=60)
            lock.commit()
        raced += [result.get(timeout=RESULT_TIMEOUT) for result in published]

        handed = [row for r in raced for row in r["due"]]
        assert len(handed) == len(set(handed)) == 1, f"each due row is handed out once: {raced}"
        assert sum(r["recorded"] for r in raced) == 1, raced
        (reminder,) = stack.inbox.wait_for_to(coordinator, 2)[1:]
        assert reminder["Subject"].startswith("National Strategy for Culture 2031-2035: drafting due tomorrow")
        assert gap_moves(stack, client, stack.b, lapsing["id"]) == [(None, "at_risk"), ("at_risk", "ok")]

    assert claims(stack, strategy["id"]) == [(handed[0], 1)]
    sent = [m["Message-ID"] for m in stack.inbox.messages]
    assert len(sent) == len(set(sent)), "an email went out twice"
