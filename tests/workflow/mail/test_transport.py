"""Delivery against a real SMTP server (aiosmtpd on 127.0.0.1), and the failures a caller must tell apart."""

from __future__ import annotations

import email
import email.policy
import logging
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.workflow.mail.conftest import ServerFactory
from tests.workflow.mail.smtp_server import RecordingHandler, free_port, smtp_settings
from workflow.core.errors import PermanentDeliveryError, TemporaryDeliveryError
from workflow.mail import NotificationContext, PersistentSmtpTransport, SmtpTransport, build_message, render

RECIPIENT = "cele.hoxha@ministria.gov.al"
PASSWORD = "s3cret-password-7f3a"
Make = Callable[..., SmtpTransport]


@pytest.fixture(params=[SmtpTransport, PersistentSmtpTransport], ids=["per message", "persistent"])
def make(request: pytest.FixtureRequest) -> Iterator[Make]:
    """Each test runs with both transports: they connect, log in and classify failures alike."""
    made: list[SmtpTransport] = []

    def new(*args: Any, **kwargs: Any) -> SmtpTransport:
        transport: SmtpTransport = request.param(*args, **kwargs)
        made.append(transport)
        return transport

    yield new
    for transport in made:
        if isinstance(transport, PersistentSmtpTransport):
            transport.close()


def reminder(to_email: str = RECIPIENT) -> Any:
    context = NotificationContext(
        strategy_title="National Strategy on Migration 2019-2022",
        strategy_id=42,
        deadline_kind="approval_due",
        due_on=date(2026, 3, 15),
        days=-7,
        recipient_name="Çelë Hoxha",
        escalated=True,
    )
    return build_message(
        render("overdue", "sq", context),
        sender="Continuum <continuum@strategji.gov.al>",
        to_name="Çelë Hoxha",
        to_email=to_email,
        message_id_key="notification:17:strategy:42:approval_due",
        sent_at=datetime(2026, 3, 22, 8, 0, tzinfo=UTC),
    )


def test_delivers_a_message_the_server_can_parse_back(smtp_server: ServerFactory, make: Make) -> None:
    handler = RecordingHandler()
    server = smtp_server(handler)
    message = reminder()

    make(smtp_settings(server.port)).send(message)

    [envelope] = handler.envelopes
    assert envelope.mail_from == "continuum@strategji.gov.al"
    assert envelope.rcpt_tos == [RECIPIENT]
    received = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert received["Message-ID"] == message["Message-ID"]
    assert received["Subject"].startswith("ME VONESË: National Strategy on Migration 2019-2022")
    assert received["To"].addresses[0].display_name == "Çelë Hoxha"
    assert [part.get_content_type() for part in received.iter_parts()] == ["text/plain", "text/html"]
    assert "personat për përshkallëzim" in received.get_body(("plain",)).get_content()
    assert "<strong>7 ditë vonesë</strong>" in received.get_body(("html",)).get_content()


def test_connection_refused_is_temporary(make: Make) -> None:
    with pytest.raises(TemporaryDeliveryError, match="ConnectionRefusedError while connecting"):
        make(smtp_settings(free_port())).send(reminder())


def test_recipient_refused_with_550_is_permanent(smtp_server: ServerFactory, make: Make) -> None:
    handler = RecordingHandler(rcpt_replies={RECIPIENT: "550 5.1.1 No such user"})
    server = smtp_server(handler)

    with pytest.raises(PermanentDeliveryError, match="550 5.1.1 No such user") as raised:
        make(smtp_settings(server.port)).send(reminder())

    assert raised.value.smtp_code == 550
    assert handler.envelopes == []


def test_recipient_deferred_with_451_is_temporary(smtp_server: ServerFactory, make: Make) -> None:
    server = smtp_server(RecordingHandler(rcpt_replies={RECIPIENT: "451 4.7.1 Greylisted, try again later"}))

    with pytest.raises(TemporaryDeliveryError, match="451 4.7.1 Greylisted") as raised:
        make(smtp_settings(server.port)).send(reminder())

    assert raised.value.smtp_code == 451


def test_data_answered_451_is_temporary(smtp_server: ServerFactory, make: Make) -> None:
    server = smtp_server(RecordingHandler(data_reply="451 4.3.0 Try again later"))

    with pytest.raises(TemporaryDeliveryError, match="SMTPDataError.*451 4.3.0") as raised:
        make(smtp_settings(server.port)).send(reminder())

    assert raised.value.smtp_code == 451


def test_data_answered_554_is_permanent(smtp_server: ServerFactory, make: Make) -> None:
    server = smtp_server(RecordingHandler(data_reply="554 5.7.1 Message rejected as spam"))

    with pytest.raises(PermanentDeliveryError, match="554 5.7.1"):
        make(smtp_settings(server.port)).send(reminder())


@pytest.fixture
def silent_listener() -> Iterator[int]:
    """A port that accepts TCP connections (the kernel's backlog) but never says a word."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        yield listener.getsockname()[1]


def test_a_server_that_never_greets_times_out_temporarily(silent_listener: int, make: Make) -> None:
    settings = smtp_settings(silent_listener, smtp_timeout_seconds=0.2)

    with pytest.raises(TemporaryDeliveryError, match="timed out"):
        make(settings).send(reminder())


def test_a_server_that_hangs_up_is_temporary(make: Make) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(5)

        def accept_and_hang_up() -> None:
            try:
                listener.accept()[0].close()
            except OSError:  # no client came (the test failed before connecting): nothing to hang up
                pass

        hang_up = threading.Thread(target=accept_and_hang_up)
        hang_up.start()
        try:
            with pytest.raises(TemporaryDeliveryError, match="disconnected"):
                make(smtp_settings(listener.getsockname()[1])).send(reminder())
        finally:
            hang_up.join(timeout=5)


class Authenticator:
    """Accepts one login/password pair and remembers which logins were tried."""

    def __init__(self, login: bytes, password: bytes) -> None:
        self.accepted = (login, password)
        self.tried: list[bytes] = []

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        self.tried.append(auth_data.login)
        return AuthResult(success=(auth_data.login, auth_data.password) == self.accepted, handled=False)


def auth_server(smtp_server: ServerFactory, authenticator: Authenticator, handler: RecordingHandler) -> int:
    # auth_require_tls=False lets AUTH run over plain loopback. auth_required stays False on
    # purpose: with it aiosmtpd warns (UserWarning, an error under filterwarnings=error) about
    # AUTH without TLS, and the client logs in anyway because a username is configured.
    return smtp_server(handler, authenticator=authenticator, auth_require_tls=False).port


def test_logs_in_when_a_username_is_configured(smtp_server: ServerFactory, make: Make) -> None:
    handler, authenticator = RecordingHandler(), Authenticator(b"continuum", PASSWORD.encode())
    port = auth_server(smtp_server, authenticator, handler)

    make(smtp_settings(port, smtp_username="continuum", smtp_password=PASSWORD)).send(reminder())

    assert authenticator.tried == [b"continuum"]
    assert len(handler.envelopes) == 1


def test_failed_login_is_permanent_and_never_shows_the_password(
    smtp_server: ServerFactory, caplog: pytest.LogCaptureFixture, make: Make
) -> None:
    handler, authenticator = RecordingHandler(), Authenticator(b"continuum", b"another password")
    port = auth_server(smtp_server, authenticator, handler)
    transport = make(smtp_settings(port, smtp_username="continuum", smtp_password=PASSWORD))
    caplog.set_level(logging.DEBUG)

    with pytest.raises(PermanentDeliveryError, match="SMTPAuthenticationError.*535") as raised:
        transport.send(reminder())

    assert handler.envelopes == []
    for shown in (str(raised.value), repr(raised.value), repr(transport), caplog.text):
        assert PASSWORD not in shown


def test_non_ascii_password_is_permanent_and_not_carried_along(smtp_server: ServerFactory, make: Make) -> None:
    password = "fjalëkalim-çelës"
    port = auth_server(smtp_server, Authenticator(b"continuum", password.encode()), RecordingHandler())
    transport = make(smtp_settings(port, smtp_username="continuum", smtp_password=password))

    with pytest.raises(PermanentDeliveryError, match="must be ASCII") as raised:
        transport.send(reminder())

    assert raised.value.__cause__ is None and raised.value.__context__ is None


def test_starttls_required_but_not_offered_is_permanent(smtp_server: ServerFactory, make: Make) -> None:
    server = smtp_server(RecordingHandler())

    with pytest.raises(PermanentDeliveryError, match="does not support"):
        make(smtp_settings(server.port, smtp_starttls=True)).send(reminder())


@pytest.fixture(scope="module")
def self_signed_certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1, made with the openssl command line tool.

    The ``cryptography`` package is not installed here; the openssl binary usually is.
    """
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("no openssl binary (and no cryptography package) to make a test certificate")
    directory = tmp_path_factory.mktemp("tls")
    certificate, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(certificate)],
        check=True,
        capture_output=True,
    )
    return certificate, key


@pytest.fixture
def tls_server(smtp_server: ServerFactory, self_signed_certificate: tuple[Path, Path]) -> tuple[RecordingHandler, int]:
    certificate, key = self_signed_certificate
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(certificate, key)
    handler = RecordingHandler()
    # require_starttls: the server refuses MAIL FROM on a plain connection, so a delivery proves the upgrade.
    server = smtp_server(handler, tls_context=server_context, require_starttls=True)
    return handler, server.port


def test_starttls_upgrades_and_verifies_the_server(
    tls_server: tuple[RecordingHandler, int], self_signed_certificate: tuple[Path, Path], make: Make
) -> None:
    handler, port = tls_server
    trusting = ssl.create_default_context(cafile=str(self_signed_certificate[0]))

    make(smtp_settings(port, smtp_starttls=True), tls_context=trusting).send(reminder())

    assert len(handler.envelopes) == 1


def test_starttls_with_an_untrusted_certificate_is_permanent(
    tls_server: tuple[RecordingHandler, int], make: Make
) -> None:
    handler, port = tls_server

    with pytest.raises(PermanentDeliveryError, match="certificate not trusted"):
        make(smtp_settings(port, smtp_starttls=True)).send(reminder())

    assert handler.envelopes == []


def test_without_starttls_a_server_requiring_it_refuses_permanently(
    tls_server: tuple[RecordingHandler, int], make: Make
) -> None:
    handler, port = tls_server

    with pytest.raises(PermanentDeliveryError, match="530"):
        make(smtp_settings(port)).send(reminder())

    assert handler.envelopes == []
