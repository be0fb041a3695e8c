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

from workflow.core import DeliveryError, PermanentDeliveryError, Settings, TemporaryDeliveryError

log = logging.getLogger(__name__)


class SmtpTransport:
    """Sends one message per connection with the SMTP settings; safe to share between threads."""

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
        return f"SmtpTransport({self._host}:{self._port}, starttls={self._starttls}, user={self._username!r})"

    def send(self, message: EmailMessage) -> None:
        """Deliver ``message`` (recipients from its headers); raise a ``DeliveryError`` unless accepted."""
        message_id = message.get("Message-ID", "(no Message-ID)")
        try:
            smtp = smtplib.SMTP(self._host, self._port, timeout=self._timeout)
        except (smtplib.SMTPException, OSError) as exc:
            raise classify(exc, f"connecting to {self._host}:{self._port}") from exc
        try:
            self._session(smtp, message)
        except (smtplib.SMTPException, OSError) as exc:
            raise classify(exc, f"sending {message_id}") from exc
        finally:
            close_quietly(smtp)
        log.info("SMTP server %s:%s accepted %s", self._host, self._port, message_id)

    def _session(self, smtp: smtplib.SMTP, message: EmailMessage) -> None:
        # smtplib greets (EHLO, falling back to HELO) before each step that needs it, and again after STARTTLS.
        if self._starttls:
            smtp.starttls(context=self._tls_context or ssl.create_default_context())
        if self._username:
            self._login(smtp)
        refused = smtp.send_message(message)
        if refused:
            # Accepted for some recipients only. Continuum sends one recipient per message, so
            # this is unusual; report it rather than let the caller believe everyone got it.
            raise smtplib.SMTPRecipientsRefused(refused)

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
