"""The install users get (runtime lock, then the package with --no-deps) holds what the code needs
and nothing of the test tools, and its `continuum` runs a pass that delivers email.

The compose-equivalent test runs migrate, serve, worker and beat from the same install."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.deploy.runtime_install import REPO, RUNTIME_LOCK, TEST_LOCK, runtime_command, runtime_venv
from tests.smtp_sink import smtp_sink

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)(?:\s*;\s*([^\\]+?))?\s*\\?$", re.MULTILINE)


def pins(lock: Path) -> dict[str, str]:
    """name -> version for every pin of the lock whose marker holds on this interpreter."""
    return {
        canonicalize_name(name): version
        for name, version, marker in PIN.findall(lock.read_text(encoding="utf-8"))
        if not marker or Marker(marker).evaluate()
    }


def runtime_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    python = runtime_venv() / "bin" / "python"
    return subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, timeout=120, env={**os.environ, **env}, cwd="/"
    )


def test_the_runtime_install_holds_exactly_the_runtime_lock():
    listed = runtime_python(
        "import json, importlib.metadata as m; "
        "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))"
    )
    assert listed.returncode == 0, listed.stderr
    installed = {canonicalize_name(name): version for name, version in json.loads(listed.stdout).items()}
    installed.pop("continuum")
    for tool in ("pip", "setuptools", "wheel"):  # what venv itself brings, not the lock's business
        installed.pop(tool, None)
    assert installed == pins(RUNTIME_LOCK)


def test_no_test_tool_is_in_the_runtime_install():
    for module in ("pytest", "freezegun", "httpx2", "schemathesis", "yaml", "jsonschema", "playwright"):
        result = runtime_python(f"import {module}")
        assert result.returncode != 0, f"{module} is importable in the runtime install"


def test_every_module_imports_in_the_runtime_install():
    code = """
import importlib, pkgutil
failed = []
for package in ("workflow", "api", "web", "tasks", "cli"):
    for info in pkgutil.walk_packages(importlib.import_module(package).__path__, package + "."):
        if info.name.endswith("__main__"):
            continue
        try:
            importlib.import_module(info.name)
        except Exception as exc:
            failed.append(f"{info.name}: {exc!r}")
print("\\n".join(failed))
"""
    result = runtime_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_the_runtime_lock_satisfies_pyproject_and_the_test_lock_agrees_with_it():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime, test = pins(RUNTIME_LOCK), pins(TEST_LOCK)
    for line in project["dependencies"]:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in runtime, f"{requirement.name} is not in {RUNTIME_LOCK.name}: run `make lock`"
        assert requirement.specifier.contains(runtime[name], prereleases=True), f"{line}: locked {runtime[name]}"
    for line in project["optional-dependencies"]["test"]:
        assert canonicalize_name(Requirement(line).name) in test, f"{line} is not in {TEST_LOCK.name}: run `make lock`"
    assert {name: test[name] for name in runtime} == runtime, "the test lock pins a runtime package differently"
    assert "hash=sha256:" in RUNTIME_LOCK.read_text(encoding="utf-8")


def test_the_dockerfile_and_make_build_the_runtime_install_the_same_way():
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    for text in (dockerfile, makefile):
        locked = text.index("--require-hashes -r requirements/runtime.txt")
        package = text.index("--no-deps .")
        assert locked < package
    first_install = next(line for line in dockerfile.splitlines() if line.startswith("RUN pip install"))
    assert first_install == "RUN pip install --require-hashes -r requirements/runtime.txt"


@pytest.mark.postgres
def test_tick_from_the_runtime_install_delivers_reminders(tmp_path, postgres_url, pg_engine):
    env = {"CONTINUUM_DATABASE_URL": postgres_url, "CONTINUUM_DATA_DIR": str(tmp_path), "CONTINUUM_SEND_HOUR": "0"}
    with smtp_sink() as (port, inbox):
        env["CONTINUUM_SMTP_PORT"] = str(port)

        def run(*argv: str) -> str:
            result = subprocess.run(
                runtime_command(*argv), env={**os.environ, **env}, capture_output=True, text=True, timeout=120
            )
            assert result.returncode == 0, f"continuum {' '.join(argv)}: {result.stdout}{result.stderr}"
            return result.stdout

        run("migrate")
        run("demo")
        output = run("tick")
        assert " sent" in output, output
        assert inbox.wait_for(1)
        again = run("tick")
        assert "nothing to send" in again, again


def test_the_runtime_install_carries_the_consoles_templates_catalogs_and_assets():
    code = """
from pathlib import Path
import web
root = Path(web.__file__).parent
print(len(list((root / "templates").rglob("*.html"))), len(list((root / "locale").rglob("*.po"))),
      (root / "static" / "console.css").is_file())
"""
    result = runtime_python(code)
    assert result.returncode == 0, result.stderr
    templates, catalogs, css = result.stdout.split()
    repo_templates = len(list((REPO / "web" / "templates").rglob("*.html")))
    assert int(templates) == repo_templates and int(catalogs) >= 1 and css == "True"
