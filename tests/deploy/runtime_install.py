"""The install users get: a virtual environment built from ``requirements/runtime.txt`` and the
package alone (``pip install --no-deps .``), the same two steps as the Dockerfile.

``make test`` builds it (``make runtime-env``) and names it in ``CONTINUUM_RUNTIME_VENV``; the
deployment tests run ``continuum`` from there, so a dependency that only the test tools bring
along cannot hide. Without the variable those tests skip, or fail under
``CONTINUUM_REQUIRE_SERVICES=1``.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.services import unavailable

REPO = Path(__file__).resolve().parents[2]
RUNTIME_LOCK = REPO / "requirements" / "runtime.txt"
TEST_LOCK = REPO / "requirements" / "test.txt"


def runtime_venv() -> Path:
    value = os.environ.get("CONTINUUM_RUNTIME_VENV")
    if not value:
        unavailable("The runtime install", "CONTINUUM_RUNTIME_VENV is not set: run the suite with `make test`")
    venv = Path(value)
    if not (venv / "bin" / "continuum").is_file():
        unavailable("The runtime install", f"{venv} has no bin/continuum: run `make runtime-env`")
    return venv


def runtime_command(*argv: str) -> list[str]:
    """``continuum ARGS`` as the runtime install runs it."""
    return [str(runtime_venv() / "bin" / "continuum"), *argv]
