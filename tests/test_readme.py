"""The README runs as written: every ``sh`` block, verbatim and in order, in one shell, against
`continuum dev` started the way `make run` starts it, in a fresh directory, after the quick start.

Blocks fenced ``sh setup`` (the quick start itself, which this test performs) and ``sh compose``
(it needs a Docker engine; tests/deploy proves the Compose file) are shown, not run. Every other
shell block must run: a command that fails (``curl --fail-with-body`` on an unexpected status,
a CLI error) fails this test with the block and its output.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.smtp_sink import free_port
from tests.waiting import wait_until_healthy

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```\s*$", re.MULTILINE | re.DOTALL)
SHOWN_ONLY = {"sh setup", "sh compose"}


def shell_blocks() -> list[tuple[str, str]]:
    """(info string, body) of every shell block, in README order."""
    text = README.read_text(encoding="utf-8")
    return [(m["info"].strip(), m["body"]) for m in FENCE.finditer(text) if m["info"].strip().startswith("sh")]


def test_every_shell_block_is_run_or_marked_as_shown_only():
    infos = {info for info, _ in shell_blocks()}
    assert infos <= {"sh", *SHOWN_ONLY}, f"unknown fences: {infos - {'sh', *SHOWN_ONLY}}"
    assert any(info == "sh" for info, _ in shell_blocks())


@pytest.fixture
def quick_start(tmp_path: Path):
    """`make run` in a fresh directory: the project's .venv, `continuum dev` on free ports."""
    work = tmp_path / "clone"
    work.mkdir()
    (work / ".venv").symlink_to(Path(sys.prefix))
    shutil.copytree(REPO / "examples", work / "examples")
    port, smtp_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONTINUUM_")}
    env |= {"PORT": str(port), "SMTP_PORT": str(smtp_port), "PATH": f"{work / '.venv' / 'bin'}:{env['PATH']}"}
    dev = subprocess.Popen(
        [str(work / ".venv" / "bin" / "continuum"), "dev", "--port", str(port), "--smtp-port", str(smtp_port),
         "--tick-seconds", "5"],
        cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    lines: list[str] = []
    banner = threading.Event()

    def read() -> None:
        for line in dev.stdout or []:
            lines.append(line)
            if line.startswith("export TOKEN="):
                banner.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}/health", process=dev, timeout=90)
        assert banner.wait(timeout=90), "".join(lines)
        yield work, env, lines
    finally:
        dev.terminate()
        dev.wait(timeout=30)
        reader.join(timeout=10)
        if dev.stdout is not None:
            dev.stdout.close()


def test_the_readme_runs_verbatim_after_the_quick_start(quick_start):
    work, env, lines = quick_start
    token = next(m.group(1) for line in list(lines) if (m := re.match(r"export TOKEN=(\S+)", line)))
    script = ["set -euo pipefail", f"export TOKEN={token}"]
    for index, (info, body) in enumerate(shell_blocks()):
        if info == "sh":
            script += [f"echo '>>> README shell block {index}' >&2", body]
    result = subprocess.run(
        ["bash", "-c", "\n".join(script)], cwd=work, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"{result.stderr[-4000:]}\n--- stdout\n{result.stdout[-4000:]}"
