"""A worker's SMTP connection, kept open between messages, against a real SMTP server (aiosmtpd):
reused, reopened when idle or dropped, never retried once the server may have taken the message."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.workflow.mail.conftest import ServerFactory
from tests.workflow.mail.smtp_server import RecordingHandler, drop_connections, smtp_settings
from tests.workflow.mail.test_transport import RECIPIENT, reminder
from workflow.core.errors import PermanentDeliveryError, TemporaryDeliveryError
from workflow.mail import PersistentSmtpTransport


class FakeMonotonic:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


Opener = Callable[..., PersistentSmtpTransport]


@pytest.fixture
def persistent() -> Iterator[Opener]:
    """``persistent(port, **settings)``: a transport to that server; every one is closed after the test."""
    opened: list[PersistentSmtpTransport] = []

    def open_(port: int, *, monotonic: Callable[[], float] | None = None, **overrides: Any) -> PersistentSmtpTransport:
        extra = {"monotonic": monotonic} if monotonic is not None else {}
        transport = PersistentSmtpTransport(smtp_settings(port, **overrides), **extra)
        opened.append(transport)
        return transport

    yield open_
    for transport in opened:
        transport.close()


def test_many_messages_travel_over_one_connection(smtp_server: ServerFactory, persistent: Opener) -> None:
    handler = RecordingHandler()
    transport = persistent(smtp_server(handler).port)

    for n in range(20):
        transport.send(reminder(f"person{n}@example.org"))

    assert len(handler.envelopes) == 20
    assert handler.greetings == 1 and len(set(handler.peers)) == 1
    transport.close()
    assert handler.quits == 1


def test_a_connection_the_server_dropped_between_messages_is_reopened_and_the_message_sent_once(
    smtp_server: ServerFactory, persistent: Opener
) -> None:
    handler = RecordingHandler()
    server = smtp_server(handler)
    transport = persistent(server.port)
    transport.send(reminder("first@example.org"))

    drop_connections(server, handler)
    transport.send(reminder("second@example.org"))

    assert [e.rcpt_tos for e in handler.envelopes] == [["first@example.org"], ["second@example.org"]]
    assert handler.greetings == 2 and len(set(handler.peers)) == 2


def test_a_connection_lost_at_mail_from_is_reopened_and_the_message_sent_once(
    smtp_server: ServerFactory, persistent: Opener
) -> None:
    handler = RecordingHandler()
    transport = persistent(smtp_server(handler).port)
    transport.send(reminder("first@example.org"))

    handler.hang_up_at = "MAIL"
    transport.send(reminder())

    assert [e.rcpt_tos for e in handler.envelopes] == [["first@example.org"], [RECIPIENT]]
    assert handler.greetings == 2


def test_a_421_at_mail_from_on_a_reused_connection_is_sent_on_a_new_one(
    smtp_server: ServerFactory, persistent: Opener
) -> None:
    """Servers that limit messages per connection say so with 421 before the next message."""
    handler = RecordingHandler()
    transport = persistent(smtp_server(handler).port)
    transport.send(reminder("first@example.org"))

    handler.mail_reply_once = "421 4.7.0 Too many messages on this connection"
    transport.send(reminder())

    assert len(handler.envelopes) == 2 and handler.greetings == 2


def test_a_connection_dropped_during_data_is_a_temporary_failure_not_a_silent_second_send(
    smtp_server: ServerFactory, persistent: Opener
) -> None:
    handler = RecordingHandler()
    transport = persistent(smtp_server(handler).port)
    transport.send(reminder("first@example.org"))

    handler.hang_up_at = "DATA"  # the server took the message, and the connection dies before its reply
    with pytest.raises(TemporaryDeliveryError, match="disconnected while sending"):
        transport.send(reminder())

    assert [e.rcpt_tos for e in handler.envelopes] == [["first@example.org"], [RECIPIENT]]
    assert handler.greetings == 1  # no new connection: nothing was sent again
    transport.send(reminder("third@example.org"))  # the next message opens a new one
    assert len(handler.envelopes) == 3 and handler.greetings == 2


def test_a_refusal_keeps_the_connection_after_rset(smtp_server: ServerFactory, persistent: Opener) -> None:
    handler = RecordingHandler(rcpt_replies={"gone@example.org": "550 5.1.1 No such user"})
    transport = persistent(smtp_server(handler).port)

    with pytest.raises(PermanentDeliveryError, match="550 5.1.1"):
        transport.send(reminder("gone@example.org"))
    resets = handler.resets
    transport.send(reminder())

    assert resets >= 1 and [e.rcpt_tos for e in handler.envelopes] == [[RECIPIENT]]
    assert handler.greetings == 1


def test_a_temporary_refusal_at_data_keeps_the_connection_too(smtp_server: ServerFactory, persistent: Opener) -> None:
    handler = RecordingHandler(data_reply="451 4.3.0 Try again later")
    transport = persistent(smtp_server(handler).port)

    with pytest.raises(TemporaryDeliveryError, match="451 4.3.0"):
        transport.send(reminder())
    handler.data_reply = None
    transport.send(reminder())

    assert len(handler.envelopes) == 1 and handler.greetings == 1 and handler.resets >= 1


def test_a_connection_idle_too_long_is_closed_and_a_new_one_opened(
    smtp_server: ServerFactory, persistent: Opener
) -> None:
    handler, clock = RecordingHandler(), FakeMonotonic()
    transport = persistent(smtp_server(handler).port, monotonic=clock, smtp_idle_seconds=30)
    transport.send(reminder("first@example.org"))

    clock.now += 30
    transport.send(reminder("second@example.org"))  # idle exactly the threshold: still reused
    assert (handler.greetings, handler.quits) == (1, 0)
    clock.now += 30.5
    transport.send(reminder("third@example.org"))

    assert (handler.greetings, handler.quits) == (2, 1)  # the idle one was ended with QUIT first
    assert len(handler.envelopes) == 3


def test_each_thread_has_its_own_connection_and_close_ends_them_all(
    smtp_server: ServerFactory, persistent: Opener
) -> None:
    handler = RecordingHandler()
    transport = persistent(smtp_server(handler).port)
    start, errors = threading.Barrier(3), []

    def send_five(n: int) -> None:
        start.wait()
        try:
            for i in range(5):
                transport.send(reminder(f"t{n}-{i}@example.org"))
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=send_five, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(handler.envelopes) == 15 and handler.greetings == 3 and len(set(handler.peers)) == 3
    transport.close()
    assert handler.quits == 3
    transport.send(reminder())  # a transport closed at shutdown still works if used again
    assert handler.greetings == 4


def test_a_new_connection_that_breaks_is_not_tried_again() -> None:
    """Only a reused connection is retried: a server that hangs up on a fresh one is a temporary failure."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        listener.settimeout(5)
        accepted: list[socket.socket] = []

        def accept_and_hang_up() -> None:
            try:
                connection = listener.accept()[0]
            except OSError:
                return
            accepted.append(connection)
            connection.close()

        hang_up = threading.Thread(target=accept_and_hang_up)
        hang_up.start()
        transport = PersistentSmtpTransport(smtp_settings(listener.getsockname()[1], smtp_timeout_seconds=2))
        try:
            with pytest.raises(TemporaryDeliveryError, match="disconnected"):
                transport.send(reminder())
        finally:
            hang_up.join(timeout=5)
            transport.close()
        listener.settimeout(0)
        with pytest.raises(BlockingIOError):
            listener.accept()  # no second connection came
    assert len(accepted) == 1
