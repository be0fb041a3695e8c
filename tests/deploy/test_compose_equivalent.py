"""The Compose stack, end to end, as processes: migrate, api, worker and beat with the compose
file's own commands and environment, against PostgreSQL, Redis and a real SMTP server, driving
one strategy from creation to a delivered reminder through the HTTP API."""

from __future__ import annotations

import os
import subprocess
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import redis
from sqlalchemy.engine import make_url

from tests.deploy.compose_processes import APP_SERVICES, load_services, service_argv, service_env, start
from tests.deploy.runtime_install import runtime_command
from tests.processes import show_logs, stop_all
from tests.services import REDIS_URL, require_redis
from tests.smtp_sink import free_port, smtp_sink
from tests.waiting import wait_until, wait_until_healthy
from workflow.core import clock
from workflow.core.settings import Settings


@pytest.fixture
def stack(postgres_url: str, pg_engine, tmp_path: Path):
    require_redis()
    runtime_command()  # skips (or fails) before anything starts when the runtime install is missing
    redis.Redis.from_url(REDIS_URL).flushdb()
    pg = make_url(postgres_url)
    api_port = free_port()
    with smtp_sink() as (smtp_port, inbox):
        variables = {
            "POSTGRES_USER": pg.username or "postgres",
            "POSTGRES_PASSWORD": "unused-with-trust-auth",
            "POSTGRES_DB": pg.database,
            "CONTINUUM_SMTP_HOST": "127.0.0.1",
            "CONTINUUM_SMTP_PORT": str(smtp_port),
        }
        rewrites = {
            "@postgres:5432/": f"@{pg.host}:{pg.port or 5432}/",
            # Broker and results share the test database: their keys do not collide.
            "redis://redis:6379/0": REDIS_URL,
            "redis://redis:6379/1": REDIS_URL,
            "/data": str(tmp_path / "data"),
        }
        services = load_services()
        extra = {"CONTINUUM_SEND_HOUR": "0", "CONTINUUM_TICK_SECONDS": "5"}  # what an operator's .env may set
        envs = {name: {**service_env(services[name], variables, rewrites), **extra} for name in APP_SERVICES}
        logs = tmp_path / "logs"
        logs.mkdir()

        migrate = start(service_argv(services["migrate"]), envs["migrate"], logs / "migrate.log")
        assert migrate.wait(timeout=120) == 0, (logs / "migrate.log").read_text()  # service_completed_successfully

        api_argv = [
            a.replace("0.0.0.0", "127.0.0.1").replace("8000", str(api_port)) for a in service_argv(services["api"])
        ]
        processes = {
            "api": start(api_argv, envs["api"], logs / "api.log"),
            "worker": start(service_argv(services["worker"]), envs["worker"], logs / "worker.log"),
            "beat": start(service_argv(services["beat"]), envs["beat"], logs / "beat.log"),
        }
        try:
            base = f"http://127.0.0.1:{api_port}"
            wait_until_healthy(f"{base}/health", process=processes["api"], timeout=60)
            yield base, envs["api"], inbox
        finally:
            stop_all(processes.values())
            show_logs(logs.iterdir(), tail=2000)


def test_one_strategy_from_creation_to_a_delivered_reminder(stack):
    base, env, inbox = stack
    tomorrow = clock.today(Settings(_env_file=None).zone) + timedelta(days=1)
    with httpx.Client(base_url=base, timeout=10, headers=auth_headers(env)) as api:
        institution = api.post("/institutions", json={"name": "Ministry of Interior"}).json()
        contact = api.post("/contacts", json={
            "name": "Arta Hoxha", "email": "arta.hoxha@example.org", "institution_id": institution["id"],
            "language": "en", "roles": ["coordinator"],
        })
        assert contact.status_code == 201, contact.text
        created = api.post("/strategies", json={
            "title": "National Strategy for Migration 2031-2035", "policy_area": "migration",
            "lead_institution_id": institution["id"], "period_start": "2031-01-01", "period_end": "2035-12-31",
            "drafting_due": tomorrow.isoformat(),
        })
        assert created.status_code == 201, created.text

        (message,) = inbox.wait_for(1, timeout=90)
        assert message["To"].addresses[0].addr_spec == "arta.hoxha@example.org"
        assert message["Subject"] == (
            f"National Strategy for Migration 2031-2035: drafting due tomorrow ({tomorrow.isoformat()})"
        )

        # The worker records "sent" after the SMTP server took the message: wait for its commit.
        def ledger() -> list[tuple[str, int]]:
            items = api.get("/notifications", params={"strategy_id": created.json()["id"]}).json()["items"]
            return [(n["status"], n["offset_days"]) for n in items]

        assert wait_until(ledger, lambda rows: rows != [("sending", 1)], waiting_for="the send recorded") \
            == [("sent", 1)]


def auth_headers(env: dict[str, str]) -> dict[str, str]:
    """An admin token made the way an operator would: `continuum tokens create` in the api container."""
    result = subprocess.run(
        runtime_command("tokens", "create", "--role", "admin", "--name", "e2e-operator"),
        env={**os.environ, **env}, capture_output=True, text=True, timeout=60, check=True,
    )
    return {"Authorization": f"Bearer {result.stdout.strip().splitlines()[-1]}"}
