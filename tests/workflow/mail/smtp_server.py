"""A real SMTP server for the transport tests: aiosmtpd's Controller on 127.0.0.1, in a thread."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

from workflow.core.settings import Settings


def free_port() -> int:
    """A port nothing listens on right now (the OS picks it; closed again before use)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class RecordingHandler:
    """Accepts and records every message, except for the replies it is told to give instead.

    ``rcpt_replies`` maps a recipient to the reply for its RCPT TO (``"550 5.1.1 No such user"``);
    ``data_reply`` replaces the reply to DATA for every message (``"451 4.3.0 Try again later"``).
    A message is recorded before the server answers DATA, so once the client's ``send`` has
    returned it is already here: nothing to wait for.
    """

    rcpt_replies: dict[str, str] = field(default_factory=dict)
    data_reply: str | None = None
    envelopes: list[Envelope] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.rcpt_replies:
            return self.rcpt_replies[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        if self.data_reply is not None:
            return self.data_reply
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def start_server(handler: RecordingHandler, **smtp_options: Any) -> Controller:
    """Start a server and return once it answers (Controller.start waits for that itself)."""
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **smtp_options)
    controller.start()
    return controller


def smtp_settings(port: int, **overrides: Any) -> Settings:
    """Settings pointing at a test server on 127.0.0.1, ignoring any .env of the developer."""
    values: dict[str, Any] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_timeout_seconds": 5,
        "mail_from": "Continuum <continuum@strategji.gov.al>",
    }
    return Settings(_env_file=None, **(values | overrides))
