"""A local SMTP sink for `continuum dev`: every accepted email becomes an .eml file."""

from __future__ import annotations

import itertools
import threading
from datetime import datetime, timezone
from pathlib import Path

from aiosmtpd.controller import Controller


class EmlDirectoryHandler:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._sequence = itertools.count(1)
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        with self._lock:
            stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
            path = self.directory / f"{stamp}-{next(self._sequence):05d}.eml"
            path.write_bytes(envelope.original_content or envelope.content)
        return "250 Message stored"


def start_mailbox(directory: Path, host: str, port: int) -> Controller:
    """Start the sink in a background thread; raises OSError when the port is taken."""
    directory.mkdir(parents=True, exist_ok=True)
    existing = max((int(p.stem.rsplit("-", 1)[-1]) for p in directory.glob("*.eml") if p.stem[-5:].isdigit()), default=0)
    handler = EmlDirectoryHandler(directory)
    handler._sequence = itertools.count(existing + 1)
    controller = Controller(handler, hostname=host, port=port)
    controller.start()
    return controller
