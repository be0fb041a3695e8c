"""An SMTP transport that keeps its connection open between messages: one per thread, reused.

Opening a session (TCP, greeting, EHLO, STARTTLS, login) costs more than sending one reminder, so
a worker that sends many keeps its session. What keeps that safe:

* A connection idle for longer than ``idle_seconds`` is closed and a new one opened before use:
  servers drop idle sessions, and a NAT can forget them without telling either side.
* When a *reused* connection breaks before DATA was begun (the server hung up, answered 421, the
  socket was reset or timed out at MAIL FROM or RCPT TO), the server cannot have accepted the
  message: it is sent once more, on a new connection. A failure once DATA was begun is never
  retried here: the server may have taken the message, so the caller gets the classified error
  (``transport.classify``) and its retry, with the same Message-ID, is the ledger's decision.
* A connection is kept after a refusal the server answered in order (a 4xx or 5xx reply), with
  RSET so the next message starts a clean transaction; after anything else (a dropped
  connection, a timeout, an exception smtplib did not expect) it is closed.
* Each thread has its own connection, so threads never interleave commands on one session; a
  process that forked does not reuse its parent's connections. ``close`` ends them all (the
  worker calls it when its process shuts down).
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage

from workflow.core import Settings
from workflow.mail.transport import SmtpTransport, TrackedSMTP, classify, close_quietly, message_id_of

log = logging.getLogger(__name__)


@dataclass
class _Session:
    smtp: TrackedSMTP
    last_used: float


class PersistentSmtpTransport(SmtpTransport):
    """Sends over one SMTP connection per thread, kept open between messages; thread-safe."""

    def __init__(
        self,
        settings: Settings,
        *,
        tls_context: ssl.SSLContext | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(settings, tls_context=tls_context)
        self._idle_seconds = settings.smtp_idle_seconds
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._local = threading.local()
        self._sessions: dict[int, _Session] = {}  # every thread's, by id(), for ``close``
        self._pid = os.getpid()

    def send(self, message: EmailMessage) -> None:
        """Deliver ``message``; raise a ``DeliveryError`` unless the server accepted it."""
        session = self._reusable()
        if session is not None and self._sent_on(session, message, reused=True):
            return
        self._sent_on(self._connect(), message, reused=False)

    def _sent_on(self, session: _Session, message: EmailMessage, *, reused: bool) -> bool:
        """Send ``message`` over ``session``. False when a reused connection turned out to be lost
        before DATA was begun: nothing reached the server, so the caller sends it on a new one."""
        try:
            self._transmit(session.smtp, message)
        except (smtplib.SMTPException, OSError) as exc:
            if reused and not session.smtp.data_started and _connection_lost(exc):
                log.info("SMTP connection to %s:%s was lost before %s was sent (%s); sending on a new one",
                         self._host, self._port, message_id_of(message), type(exc).__name__)
                self._drop(session, quit_first=False)
                return False
            self._after_failure(session, exc)
            raise classify(exc, f"sending {message_id_of(message)}") from exc
        except BaseException:
            self._drop(session, quit_first=False)
            raise
        self._keep(session)
        self._accepted(message)
        return True

    def close(self) -> None:
        """QUIT and close every connection this process holds, each thread's."""
        with self._lock:
            sessions = list(self._sessions.values()) if os.getpid() == self._pid else []
            self._sessions.clear()
        for session in sessions:
            close_quietly(session.smtp)  # a thread that had one finds it closed and opens another

    def _reusable(self) -> _Session | None:
        """This thread's open connection, unless it was closed or has been idle too long."""
        if os.getpid() != self._pid:
            self._forget_inherited()
        session: _Session | None = getattr(self._local, "session", None)
        if session is None:
            return None
        if session.smtp.sock is None:  # closed by ``close``
            self._local.session = None
            return None
        if self._monotonic() - session.last_used > self._idle_seconds:
            log.debug("SMTP connection idle for more than %ss: closing it before the next message", self._idle_seconds)
            self._drop(session, quit_first=True)
            return None
        return session

    def _connect(self) -> _Session:
        session = _Session(self._open(), last_used=self._monotonic())
        with self._lock:
            self._sessions[id(session)] = session
        self._local.session = session
        return session

    def _keep(self, session: _Session) -> None:
        session.last_used = self._monotonic()

    def _after_failure(self, session: _Session, exc: BaseException) -> None:
        """Keep the connection after a refusal answered in order, with RSET; close it after anything else."""
        answered = isinstance(exc, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused)
        if answered and not _connection_lost(exc):
            try:
                session.smtp.rset()
            except (smtplib.SMTPException, OSError):
                pass
            else:
                self._keep(session)
                return
        self._drop(session, quit_first=False)

    def _drop(self, session: _Session, *, quit_first: bool) -> None:
        with self._lock:
            self._sessions.pop(id(session), None)
        if getattr(self._local, "session", None) is session:
            self._local.session = None
        if quit_first:
            close_quietly(session.smtp)
        else:  # broken, or in an unknown state: a QUIT could only wait for the timeout
            session.smtp.close()

    def _forget_inherited(self) -> None:
        """In a child process: close its copies of the parent's sockets without a QUIT (the parent's
        connections stay open) and start afresh."""
        with self._lock:
            inherited = list(self._sessions.values())
            self._sessions.clear()
            self._pid = os.getpid()
        for session in inherited:
            session.smtp.close()
        self._local = threading.local()


def _connection_lost(exc: BaseException) -> bool:
    """Whether ``exc`` says the connection is gone (hung up, reset, timed out, or a 421 closing it),
    rather than that the server answered and refused."""
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code == 421
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return any(code == 421 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPException):
        return False
    return isinstance(exc, OSError)
