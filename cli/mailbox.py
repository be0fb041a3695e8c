"""A local SMTP sink for `continuum dev`: every accepted email becomes an .eml file."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SMTPSession

from workflow.core import clock


class EmlDirectoryHandler:
    """Writes each message to ``<UTC timestamp>-<sequence>.eml``; the sequence continues across restarts."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._sequence = itertools.count(_last_sequence(directory) + 1)
        self._lock = threading.Lock()

    async def handle_DATA(  # noqa: N802 (aiosmtpd's hook name)
        self, server: SMTP, session: SMTPSession, envelope: Envelope
    ) -> str:
        with self._lock:
            stamp = clock.now().strftime("%Y%m%dT%H%M%S")
            path = self.directory / f"{stamp}-{next(self._sequence):05d}.eml"
            content = envelope.original_content or envelope.content
            assert isinstance(content, bytes)  # aiosmtpd keeps every accepted message's raw bytes
            path.write_bytes(content)
        return "250 Message stored"


def _last_sequence(directory: Path) -> int:
    numbers = (p.stem.rsplit("-", 1)[-1] for p in directory.glob("*.eml"))
    return max((int(n) for n in numbers if n.isdigit()), default=0)


def start_mailbox(directory: Path, host: str, port: int) -> Controller:
    """Start the sink in a background thread; raises OSError when the port is taken."""
    directory.mkdir(parents=True, exist_ok=True)
    controller = Controller(EmlDirectoryHandler(directory), hostname=host, port=port)
    try:
        controller.start()
    except BaseException:
        controller.loop.close()  # the controller made its own event loop; a failed start leaves it open
        raise
    return controller
