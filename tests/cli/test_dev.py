"""`continuum dev` (what `make run` starts), for real: embedded database and broker, the API, a
worker with beat, the local mailbox; a reminder arrives as .eml; SIGINT stops every process."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import httpx

from tests.smtp_sink import free_port
from tests.waiting import wait_for_files, wait_until_healthy
from workflow.core import clock
from workflow.core.settings import Settings


class Output:
    """Collects a process's output lines and lets a test await one matching a pattern."""

    def __init__(self, stream) -> None:
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._stream = stream
        self._reader = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._reader.start()

    def close(self) -> None:
        """After the process exited: read to the end, then close the pipe."""
        self._reader.join(timeout=30)
        self._stream.close()

    def _pump(self, stream) -> None:
        for line in stream:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()

    def wait_for(self, pattern: str, timeout: float = 90) -> re.Match:
        regex = re.compile(pattern)
        with self._changed:
            found = None

            def seen() -> bool:
                nonlocal found
                found = next((m for m in map(regex.search, self.lines) if m), None)
                return found is not None

            assert self._changed.wait_for(seen, timeout=timeout), self.tail()
            return found

    def tail(self, chars: int = 3000) -> str:
        with self._changed:
            return "".join(self.lines)[-chars:]


def test_dev_serves_sends_a_reminder_into_the_mailbox_and_stops_on_sigint(tmp_path):
    port, smtp_port = free_port(), free_port()
    env = {**os.environ, "CONTINUUM_DATA_DIR": str(tmp_path / "data"), "CONTINUUM_SEND_HOUR": "0"}
    for name in ("CONTINUUM_DATABASE_URL", "CONTINUUM_BROKER_URL", "CONTINUUM_RESULT_BACKEND"):
        env.pop(name, None)
    launcher = subprocess.Popen(
        [sys.executable, "-m", "cli", "dev", "--port", str(port), "--smtp-port", str(smtp_port), "--tick-seconds", "5"],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    output = Output(launcher.stdout)
    try:
        token = output.wait_for(r"export TOKEN=(\S+)").group(1)
        mailbox = Path(output.wait_for(r"mailbox\s+(\S+)").group(1))
        # Not on uvicorn's "Application startup complete": it is logged before the socket is bound.
        try:
            wait_until_healthy(f"http://127.0.0.1:{port}/health", process=launcher, timeout=90)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{output.tail()}") from None
        tomorrow = clock.today(Settings(_env_file=None).zone) + timedelta(days=1)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}) as api:
            moi = api.post("/institutions", json={"name": "Ministry of Interior"}).json()["id"]
            api.post("/contacts", json={"name": "Arta Hoxha", "email": "arta@example.org", "institution_id": moi,
                                        "roles": ["coordinator"]}).raise_for_status()
            api.post("/strategies", json={
                "title": "National Strategy for Migration 2031-2035", "policy_area": "migration",
                "lead_institution_id": moi, "period_start": "2031-01-01", "period_end": "2035-12-31",
                "drafting_due": tomorrow.isoformat(),
            }).raise_for_status()

        (eml,) = wait_for_files(mailbox, "*.eml", process=launcher, timeout=90)
        assert b"Subject: National Strategy for Migration 2031-2035: drafting due tomorrow" in eml.read_bytes()
        assert (tmp_path / "data" / "continuum.db").exists() and (tmp_path / "data" / "broker.db").exists()
    finally:
        launcher.send_signal(signal.SIGINT)
        code = launcher.wait(timeout=60)
        output.close()
    assert code == 0
    survivors = subprocess.run(["pgrep", "-f", f"--port {port}"], capture_output=True, text=True).stdout.split()
    assert survivors == []
