"""Run docker-compose.yml's Continuum services as local processes.

No Docker engine runs here, so this is how the stack is exercised end to end: each app
service's own command and environment from the compose file, with the container host names
rewritten to this machine's PostgreSQL, Redis and a test SMTP server.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from collections.abc import Mapping
from pathlib import Path

import yaml
from sqlalchemy.engine import make_url

from tests.deploy.runtime_install import runtime_command
from tests.processes import show_logs, stop_all

COMPOSE_FILE = Path(__file__).resolve().parents[2] / "docker-compose.yml"
APP_SERVICES = ("migrate", "api", "worker", "beat")
_VARIABLE = re.compile(r"\$\{(?P<name>[A-Z0-9_]+)(?:(?P<op>:-|:\?|-|\?)(?P<arg>[^}]*))?\}")


def interpolate(value: str, variables: Mapping[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?error} interpolation."""

    def substitute(match: re.Match) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        if variables.get(name):
            return variables[name]
        if op in (":?", "?"):
            raise KeyError(f"compose requires {name}: {arg}")
        return arg or ""

    return _VARIABLE.sub(substitute, value)


def load_services() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())["services"]


def service_argv(service: dict) -> list[str]:
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else list(command)


def service_env(service: dict, variables: Mapping[str, str], rewrites: Mapping[str, str]) -> dict[str, str]:
    environment = service.get("environment", {})
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    resolved = {}
    for key, value in environment.items():
        text = interpolate(str(value), variables)
        for old, new in rewrites.items():
            text = text.replace(old, new)
        resolved[key] = text
    return resolved


def start(argv: list[str], env: Mapping[str, str], log: Path) -> subprocess.Popen:
    """Start a `continuum ...` command from the runtime install, as the image would run it."""
    assert argv[0] == "continuum", argv
    with log.open("w") as out:
        return subprocess.Popen(
            runtime_command(*argv[1:]), env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
        )


def local_env(
    service: dict, *, postgres_url: str, redis_url: str, smtp_port: int, data_dir: Path,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """``service``'s environment with the container names pointed at this machine's services.

    ``data_dir`` stands for the container's own ``/data``: give each process its own, as each
    container has. ``extra`` is what an operator's ``.env`` may add."""
    pg = make_url(postgres_url)
    variables = {
        "POSTGRES_USER": pg.username or "postgres",
        "POSTGRES_PASSWORD": "unused-with-trust-auth",
        "POSTGRES_DB": pg.database or "postgres",
        "CONTINUUM_SMTP_HOST": "127.0.0.1",
        "CONTINUUM_SMTP_PORT": str(smtp_port),
    }
    rewrites = {
        "@postgres:5432/": f"@{pg.host}:{pg.port or 5432}/",
        # Broker and results share the test database: their keys do not collide.
        "redis://redis:6379/0": redis_url,
        "redis://redis:6379/1": redis_url,
        "/data": str(data_dir),
    }
    return {**service_env(service, variables, rewrites), **(extra or {})}


def api_argv(service: dict, port: int) -> list[str]:
    """The api service's command, bound to ``port`` on the loopback interface (as a container's port)."""
    return [a.replace("0.0.0.0", "127.0.0.1").replace("8000", str(port)) for a in service_argv(service)]


def admin_token(env: Mapping[str, str]) -> str:
    """An admin token made the way an operator would: `continuum tokens create` in the api container."""
    name = f"operator-{os.urandom(4).hex()}"
    result = subprocess.run(
        runtime_command("tokens", "create", "--role", "admin", "--name", name),
        env={**os.environ, **env}, capture_output=True, text=True, timeout=60, check=True,
    )
    return result.stdout.strip().splitlines()[-1]


class Processes:
    """Long-running services started with ``start``; ``stop`` ends them all and prints each log's tail."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str], env: Mapping[str, str]) -> subprocess.Popen:
        process = start(argv, env, self.logs / f"{name}.log")
        self.running[name] = process
        return process

    def stop(self) -> None:
        stop_all(self.running.values())
        show_logs(self.logs.iterdir(), tail=2000)
