"""The Compose stack, proven without a Docker engine: the official schema, then what it cannot check.

Needs PyYAML and jsonschema (test extras); the schema lives outside the repository in
``../shared/compose-spec/compose-spec.json`` and that one test skips when it is absent.
"""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest

from cli.main import build_parser
from workflow.core.settings import Settings

yaml = pytest.importorskip("yaml", reason="PyYAML is needed to read docker-compose.yml: add it to the test extras")

REPO = Path(__file__).parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"
DOCKERFILE = REPO / "Dockerfile"
SCHEMA = Path(__file__).parents[2].parent / "shared" / "compose-spec" / "compose-spec.json"
APP_SERVICES = ("migrate", "api", "worker", "beat")

COMPOSE_TEXT = COMPOSE_FILE.read_text(encoding="utf-8")
COMPOSE: dict[str, Any] = yaml.safe_load(COMPOSE_TEXT)
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
# `${VAR}`, `${VAR:-default}`, `${VAR:?error}`; `$${VAR}` is an escape for the container's shell.
INTERPOLATED = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)")
ENV_LINE = re.compile(r"^(?:#\s*)?([A-Z][A-Z0-9_]*)=(.*)$")
COMPOSE_OWN = {"COMPOSE_PROJECT_NAME"}  # Compose sets it for interpolation itself (`-p`, `name:`)


def argv(service: dict[str, Any]) -> list[str]:
    command = service.get("command", [])
    return shlex.split(command) if isinstance(command, str) else list(command)


def documented() -> dict[str, str]:
    """NAME -> value for every variable .env.example sets or shows commented out."""
    found = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = ENV_LINE.match(line.strip())
        if match:
            value = match.group(2).strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            found[match.group(1)] = value
    return found


def test_the_compose_file_is_valid_against_the_official_schema():
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is needed: add it to the test extras")
    if not SCHEMA.is_file():
        pytest.skip(f"the Compose schema is not at {SCHEMA}")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(COMPOSE), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)


def test_the_stack_has_the_services_it_promises():
    assert set(SERVICES) == {*APP_SERVICES, "proxy", "postgres", "redis", "mailpit"}
    assert SERVICES["postgres"]["image"] == "postgres:16-alpine"
    assert SERVICES["redis"]["image"] == "redis:7-alpine"
    assert re.fullmatch(r"axllent/mailpit:v\d+\.\d+\.\d+", SERVICES["mailpit"]["image"]), "pin Mailpit to a release"
    assert re.fullmatch(r"caddy:\d+\.\d+\.\d+-alpine", SERVICES["proxy"]["image"]), "pin Caddy to a release"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_build_one_image_from_an_existing_context_and_dockerfile(name):
    build = SERVICES[name]["build"]
    context = (COMPOSE_FILE.parent / build["context"]).resolve()
    assert context.is_dir(), f"{name}: build context {context} does not exist"
    assert (context / build.get("dockerfile", "Dockerfile")).is_file(), f"{name}: no Dockerfile in {context}"
    assert (SERVICES[name]["build"], SERVICES[name]["image"]) == (SERVICES["api"]["build"], SERVICES["api"]["image"])


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_are_wired_to_postgres_redis_and_mailpit(name):
    env = SERVICES[name]["environment"]
    assert env["CONTINUUM_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert env["CONTINUUM_DATABASE_URL"].endswith("@postgres:5432/${POSTGRES_DB:-continuum}")
    assert env["CONTINUUM_BROKER_URL"] == "redis://redis:6379/0"
    assert env["CONTINUUM_RESULT_BACKEND"] == "redis://redis:6379/1"
    assert env["CONTINUUM_SMTP_HOST"] == "${CONTINUUM_SMTP_HOST:-mailpit}"
    assert env["CONTINUUM_SMTP_PORT"] == "${CONTINUUM_SMTP_PORT:-1025}"
    assert {"CONTINUUM_MAIL_FROM", "CONTINUUM_TIMEZONE"} <= set(env)
    settings = {f"CONTINUUM_{field.upper()}" for field in Settings.model_fields}
    unknown = {key for key in env if key.startswith("CONTINUUM_")} - settings
    assert not unknown, f"{name} sets variables the app does not read: {sorted(unknown)}"


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_dependency_exists_and_its_condition_can_be_met(name):
    for target, rule in SERVICES[name].get("depends_on", {}).items():
        assert target in SERVICES, f"{name} depends on undefined service {target!r}"
        if rule["condition"] == "service_healthy":
            assert "healthcheck" in SERVICES[target], (
                f"{name} waits for {target} to be healthy, but it has no healthcheck"
            )
        if rule["condition"] == "service_completed_successfully":
            assert SERVICES[target].get("restart") == "no", f"{target} is one-shot and must not restart"


@pytest.mark.parametrize("name", ["api", "worker", "beat"])
def test_long_running_services_start_after_migrate_and_healthy_stores(name):
    depends = SERVICES[name]["depends_on"]
    assert depends["migrate"] == {"condition": "service_completed_successfully"}
    assert depends["postgres"] == {"condition": "service_healthy"}
    assert depends["redis"] == {"condition": "service_healthy"}


def api_port() -> str:
    return argv(SERVICES["api"])[argv(SERVICES["api"]).index("--port") + 1]


def test_healthchecks_probe_postgres_redis_and_the_api_health_endpoint():
    assert "pg_isready" in " ".join(SERVICES["postgres"]["healthcheck"]["test"])
    assert SERVICES["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    api_check = " ".join(SERVICES["api"]["healthcheck"]["test"])
    assert "python" in api_check and f"127.0.0.1:{api_port()}/health" in api_check


def test_the_proxy_publishes_the_api_and_spreads_requests_over_every_replica():
    proxy = SERVICES["proxy"]
    assert proxy["ports"] == ["${API_PORT:-8000}:8000"]
    assert proxy["depends_on"] == {"api": {"condition": "service_healthy"}}
    (mounted,) = proxy["configs"]
    assert mounted == {"source": "caddyfile", "target": "/etc/caddy/Caddyfile"}  # where the image reads it
    caddyfile = COMPOSE["configs"]["caddyfile"]["content"]
    assert caddyfile.startswith(":8000 {")  # the port published above, plain HTTP (TLS is the operator's)
    # Every api replica by its service name (DNS A records), looked up again so scaling needs no reload.
    dynamic = re.search(r"dynamic a \{([^}]*)\}", caddyfile)
    assert dynamic, "the proxy must find the api replicas by name, not a fixed list"
    options = dict(line.split(None, 1) for line in dynamic.group(1).strip().splitlines())
    assert options == {"name": "api", "port": api_port(), "refresh": "5s"}
    # Behind the proxy, the API must take client addresses from it, or every client is the proxy.
    assert SERVICES["api"]["environment"]["FORWARDED_ALLOW_IPS"] == "*"


def test_only_the_proxy_and_mailpit_publish_host_ports_so_replicas_cannot_collide():
    published = sorted(name for name, service in SERVICES.items() if service.get("ports"))
    assert published == ["mailpit", "proxy"]
    assert SERVICES["api"]["expose"] == [api_port()]


@pytest.mark.parametrize("name", ["api", "worker"])
def test_api_and_worker_can_be_scaled(name):
    service = SERVICES[name]
    assert "container_name" not in service, f"a fixed container_name makes `--scale {name}=2` fail"
    assert service.get("deploy", {}).get("replicas", 1) == 1 and "scale" not in service  # the default; --scale adds
    assert not any(path.startswith("/") for path in service.get("volumes", [])), "replicas would share host files"


def test_exactly_one_scheduler_runs():
    beats = [n for n, s in SERVICES.items() if argv(s)[:2] == ["continuum", "beat"]]
    assert beats == ["beat"]
    beat = SERVICES["beat"]
    assert beat.get("deploy", {}).get("replicas", 1) == 1 and beat.get("scale", 1) == 1
    # Compose refuses `--scale beat=2` for a service with a fixed container name.
    assert beat["container_name"] == "${COMPOSE_PROJECT_NAME:-continuum}-beat"
    named = sorted(n for n, s in SERVICES.items() if "container_name" in s)
    assert named == ["beat"], "only the singleton has a fixed name"
    embedded = [
        n for n, s in SERVICES.items() if argv(s)[:2] == ["continuum", "worker"] and {"--beat", "-B"} & set(argv(s))
    ]
    assert not embedded, f"{embedded} would run a second scheduler inside a worker"


CONTINUUM_COMMANDS = {n: argv(s) for n, s in SERVICES.items() if argv(s)[:1] == ["continuum"]}


@pytest.mark.parametrize("name", sorted(CONTINUUM_COMMANDS))
def test_every_continuum_command_is_a_real_entry_point(name, capsys):
    command = CONTINUUM_COMMANDS[name]
    try:
        args = build_parser().parse_args(command[1:])
    except SystemExit:
        pytest.fail(f"{name}: `{shlex.join(command)}` is not accepted by the CLI: {capsys.readouterr().err.strip()}")
    assert callable(args.run)


def test_the_app_services_run_continuum_commands():
    assert set(CONTINUUM_COMMANDS) == set(APP_SERVICES)
    assert CONTINUUM_COMMANDS["api"] == ["continuum", "serve", "--host", "0.0.0.0", "--port", "8000"]


def test_every_setting_the_app_reads_is_documented_in_env_example():
    missing = [
        f"CONTINUUM_{name.upper()}" for name in Settings.model_fields if f"CONTINUUM_{name.upper()}" not in documented()
    ]
    assert not missing, f".env.example does not document {missing}"


def test_env_example_names_no_setting_the_app_does_not_read():
    settings = {f"CONTINUUM_{name.upper()}" for name in Settings.model_fields}
    stray = sorted(name for name in documented() if name.startswith("CONTINUUM_") and name not in settings)
    assert not stray, f".env.example documents variables no setting reads (typo or removed?): {stray}"


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_the_documented_default_is_the_apps_default(field):
    raw = documented()[f"CONTINUUM_{field.upper()}"]
    default = Settings.model_fields[field].default
    if raw == "":
        assert default is None
        return
    value = json.loads(raw) if raw.startswith("[") else raw
    # Both through the validators: they normalise (offsets are sorted), defaults are not validated.
    assert getattr(Settings(_env_file=None, **{field: value}), field) == getattr(
        Settings(_env_file=None, **{field: default}), field
    )


def test_every_variable_compose_interpolates_is_in_env_example():
    used = set(INTERPOLATED.findall(COMPOSE_TEXT)) - COMPOSE_OWN
    assert used >= {"POSTGRES_PASSWORD", "API_PORT"}
    assert not used - set(documented()), f"not in .env.example: {sorted(used - set(documented()))}"


def test_every_env_example_variable_has_a_comment_line_above_it():
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        if ENV_LINE.match(line.strip()):
            above = lines[index - 1].strip()
            assert above.startswith("#") and not ENV_LINE.match(above), f"no comment above {line!r}"


def test_the_database_password_is_required_and_not_shipped():
    uses = re.findall(r"\$\{POSTGRES_PASSWORD([^}]*)\}", COMPOSE_TEXT)
    assert uses and all(use.startswith(":?") for use in uses)
    assert documented()["POSTGRES_PASSWORD"] == ""


def test_the_dockerfile_installs_dependencies_first_and_runs_unprivileged():
    text = DOCKERFILE.read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines()]
    assert lines[[line.startswith("FROM") for line in lines].index(True)] == "FROM python:3.11-slim"
    copies = [line for line in lines if line.startswith("COPY")]
    assert copies[0] == "COPY requirements/runtime.txt ./requirements/runtime.txt"
    assert text.index("pip install --require-hashes -r requirements/runtime.txt") < text.index("COPY workflow")
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    include = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
    for package in {pattern.rstrip("*") for pattern in include}:
        assert f"COPY {package} ./{package}" in lines, f"the image lacks the {package} package"


def test_the_build_context_leaves_out_secrets_and_local_state():
    ignored = (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert {".env", ".git", ".venv", "data"} <= set(ignored)
