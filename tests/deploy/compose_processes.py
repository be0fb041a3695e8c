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

from tests.deploy.runtime_install import runtime_command

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
