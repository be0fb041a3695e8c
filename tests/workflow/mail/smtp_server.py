"""A real SMTP server for the transport tests: aiosmtpd's Controller on 127.0.0.1, in a thread."""

from __future__ import annotations

import asyncio
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
    ``data_reply`` replaces the reply to DATA for every message (``"451 4.3.0 Try again later"``);
    ``mail_reply_once`` replaces the reply to the next MAIL FROM only. ``hang_up_at`` (``"MAIL"``
    or ``"DATA"``) makes the server drop the connection, without a reply, the next time that
    command comes (at DATA once the message was received and recorded: the client cannot know
    it was taken). A message is recorded before the server answers DATA, so once the client's
    ``send`` has returned it is already here: nothing to wait for. ``greetings`` counts EHLOs
    (one per connection without STARTTLS), ``resets`` RSETs and ``quits`` QUITs.
    """

    rcpt_replies: dict[str, str] = field(default_factory=dict)
    data_reply: str | None = None
    mail_reply_once: str | None = None
    hang_up_at: str | None = None
    envelopes: list[Envelope] = field(default_factory=list)
    peers: list[Any] = field(default_factory=list)  # the client address of each recorded message
    greetings: int = 0
    resets: int = 0
    quits: int = 0
    servers: list[Any] = field(default_factory=list)  # one SMTP protocol object per connection that greeted

    async def handle_EHLO(  # noqa: N802 (aiosmtpd API)
        self, server: Any, session: Any, envelope: Envelope, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        self.greetings += 1
        self.servers.append(server)
        return responses

    async def handle_MAIL(  # noqa: N802
        self, server: Any, session: Any, envelope: Envelope, address: str, mail_options: list[str]
    ) -> str:
        if self._hang_up(server, "MAIL"):
            return "250 OK"  # never reaches the client: the connection is gone
        if self.mail_reply_once is not None:
            reply, self.mail_reply_once = self.mail_reply_once, None
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

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
        self.peers.append(session.peer)
        self._hang_up(server, "DATA")
        return "250 Message accepted for delivery"

    async def handle_RSET(self, server: Any, session: Any, envelope: Envelope) -> str:  # noqa: N802
        self.resets += 1
        return "250 OK"

    async def handle_QUIT(self, server: Any, session: Any, envelope: Envelope) -> str:  # noqa: N802
        self.quits += 1
        return "221 Bye"

    def _hang_up(self, server: Any, command: str) -> bool:
        if self.hang_up_at != command:
            return False
        self.hang_up_at = None
        server.transport.abort()
        return True


def drop_connections(controller: Controller, handler: RecordingHandler) -> None:
    """Close every connection the server holds, as a server dropping idle sessions does; returns once
    their sockets are closed (the client's next command meets a closed connection)."""

    async def drop() -> None:
        for server in handler.servers:
            if server.transport is not None:
                server.transport.abort()
        await asyncio.sleep(0)  # one turn of the loop: the transports close their sockets in it

    asyncio.run_coroutine_threadsafe(drop(), controller.loop).result(timeout=10)


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
