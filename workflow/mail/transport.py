"""Deliver a message over SMTP and say, by exception type, whether trying again can help.

``send`` returns only when the server has accepted the message for every recipient; the
caller marks a notification sent then and only then. Failures are ``TemporaryDeliveryError``
(retry later: the network, timeouts, 4xx replies, a dropped connection) or
``PermanentDeliveryError`` (retrying will not help: 5xx replies, refused recipients, failed
login, a server certificate that does not verify). The password is never logged or put in an error.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from typing import Any

from workflow.core import DeliveryError, PermanentDeliveryError, Settings, TemporaryDeliveryError

log = logging.getLogger(__name__)


class TrackedSMTP(smtplib.SMTP):
    """An SMTP client that remembers whether DATA was begun in the current mail transaction (since
    ``start_transaction``): until then the server cannot have accepted the message, so a dropped
    connection may be retried on a new one."""

    data_started = False

    def start_transaction(self) -> None:
        self.data_started = False

    def data(self, msg: Any) -> tuple[int, bytes]:
        self.data_started = True
        return super().data(msg)


class SmtpTransport:
    """Sends one message per connection with the SMTP settings; safe to share between threads.

    For the occasional message (a sign-in link). A worker sending many keeps its connection open
    with ``PersistentSmtpTransport`` instead.
    """

    def __init__(self, settings: Settings, *, tls_context: ssl.SSLContext | None = None) -> None:
        self._host = settings.smtp_host
        self._port = settings.smtp_port
        self._starttls = settings.smtp_starttls
        self._username = settings.smtp_username
        self._password = settings.smtp_password
        self._timeout = settings.smtp_timeout_seconds
        # Verifies the server certificate and host name; tests pass a context trusting their own CA.
        self._tls_context = tls_context

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self._host}:{self._port}, starttls={self._starttls}, user={self._username!r})"
        )

    def send(self, message: EmailMessage) -> None:
        """Deliver ``message`` (recipients from its headers); raise a ``DeliveryError`` unless accepted."""
        smtp = self._open()
        try:
            self._transmit(smtp, message)
        except (smtplib.SMTPException, OSError) as exc:
            raise classify(exc, f"sending {message_id_of(message)}") from exc
        finally:
            close_quietly(smtp)
        self._accepted(message)

    def _open(self) -> TrackedSMTP:
        """A connection ready for MAIL FROM: connected, upgraded with STARTTLS and logged in as configured."""
        try:
            smtp = TrackedSMTP(self._host, self._port, timeout=self._timeout)
        except (smtplib.SMTPException, OSError) as exc:
            raise classify(exc, f"connecting to {self._host}:{self._port}") from exc
        try:
            # smtplib greets (EHLO, falling back to HELO) before each step that needs it, and again after STARTTLS.
            if self._starttls:
                smtp.starttls(context=self._tls_context or ssl.create_default_context())
            if self._username:
                self._login(smtp)
        except (smtplib.SMTPException, OSError) as exc:
            close_quietly(smtp)
            raise classify(exc, f"opening a session with {self._host}:{self._port}") from exc
        except BaseException:
            close_quietly(smtp)
            raise
        return smtp

    def _transmit(self, smtp: TrackedSMTP, message: EmailMessage) -> None:
        """One mail transaction (MAIL FROM, RCPT TO, DATA) on an open connection; raises smtplib's errors."""
        smtp.start_transaction()
        refused = smtp.send_message(message)
        if refused:
            # Accepted for some recipients only. Continuum sends one recipient per message, so
            # this is unusual; report it rather than let the caller believe everyone got it.
            raise smtplib.SMTPRecipientsRefused(refused)

    def _accepted(self, message: EmailMessage) -> None:
        log.info("SMTP server %s:%s accepted %s", self._host, self._port, message_id_of(message))

    def _login(self, smtp: smtplib.SMTP) -> None:
        assert self._username is not None
        password = self._password.get_secret_value() if self._password else ""
        try:
            smtp.login(self._username, password)
            return
        except UnicodeEncodeError:
            pass
        # smtplib sends credentials as ASCII only. The UnicodeEncodeError holds the whole password
        # in ``.object``, so it is raised outside the except block: not chained, not even as context.
        raise PermanentDeliveryError("SMTP username and password must be ASCII (an smtplib limitation)")


def message_id_of(message: EmailMessage) -> str:
    return str(message.get("Message-ID", "(no Message-ID)"))


def close_quietly(smtp: smtplib.SMTP) -> None:
    """QUIT, ignoring failures: once DATA was accepted, a lost QUIT must not turn into a retry."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError) as exc:
        log.debug("SMTP QUIT failed (ignored): %s", exc)
        smtp.close()


def is_temporary_code(code: int | None) -> bool:
    return code is not None and 400 <= code < 500


def reply_text(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {' '.join(text.split())}"


def classify(exc: BaseException, doing: str) -> DeliveryError:
    """Map an smtplib/socket failure onto Temporary or Permanent, with a one-line explanation."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        detail = "; ".join(f"{rcpt}: {reply_text(code, reply)}" for rcpt, (code, reply) in exc.recipients.items())
        error_class = TemporaryDeliveryError if codes and all(map(is_temporary_code, codes)) else PermanentDeliveryError
        return error_class(f"recipient refused while {doing}: {detail}", max(codes, default=None))
    if isinstance(exc, smtplib.SMTPResponseException):
        # SMTPSenderRefused, SMTPDataError, SMTPConnectError, SMTPHeloError, SMTPAuthenticationError.
        code = exc.smtp_code
        detail = f"{type(exc).__name__} while {doing}: {reply_text(code, exc.smtp_error)}"
        if is_temporary_code(code):
            return TemporaryDeliveryError(detail, code)
        if 500 <= code < 600:
            return PermanentDeliveryError(detail, code)
        return TemporaryDeliveryError(detail, code)  # odd codes (-1: garbled reply): let the retry budget decide
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        # STARTTLS or AUTH configured but the server does not offer it: a configuration error.
        return PermanentDeliveryError(f"server does not support what is configured, while {doing}: {exc}")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return TemporaryDeliveryError(f"server disconnected while {doing}: {exc}")
    if isinstance(exc, smtplib.SMTPException):  # before OSError: SMTPException is an OSError
        # E.g. "No suitable authentication method found": the server offers no usable AUTH.
        return PermanentDeliveryError(f"{type(exc).__name__} while {doing}: {exc}")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return PermanentDeliveryError(f"server certificate not trusted while {doing}: {exc.verify_message}")
    if isinstance(exc, TimeoutError):
        return TemporaryDeliveryError(f"timed out while {doing}")
    if isinstance(exc, OSError):
        return TemporaryDeliveryError(f"{type(exc).__name__} while {doing}: {exc}")
    return TemporaryDeliveryError(f"{type(exc).__name__} while {doing}: {exc}")
