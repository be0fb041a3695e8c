"""Build the MIME message for a rendered notification: text + HTML, safe headers, stable Message-ID."""

from __future__ import annotations

import hashlib
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from workflow.mail.rendering import RenderedMail

# Every character str.splitlines() breaks on, plus NUL: none belongs in a header value.
LINE_BREAKS = frozenset("\r\n\x00\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


# CPython's folder at 78 columns puts a long ASCII subject on a continuation line, which reads
# back with a leading space, and doubles the space before a folded encoded word. Headers are
# therefore generated unfolded up to RFC 5322's 998-octet line limit; body parts are encoded
# with the default policy, so quoted-printable lines stay within RFC 2045's 76 characters.
HEADER_POLICY = policy.default.clone(max_line_length=998)


def refuse_line_breaks(name: str, value: str) -> str:
    """The last line of defence against header injection: a header value is one line."""
    if any(character in LINE_BREAKS for character in value):
        raise ValueError(f"{name} must be a single line: it contains a line break (CR/LF)")
    return value


def message_id_for(key: str, domain: str) -> str:
    """``<continuum-{24 hex}@{domain}>``: the same key gives the same id, so a retry is recognisably one email."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]
    return f"<continuum-{digest}@{domain}>"


def domain_of(address: str) -> str:
    _, addr_spec = parseaddr(address)
    _, at, domain = addr_spec.rpartition("@")
    if not at or not domain or any(c in domain for c in " <>[]()@,;"):
        raise ValueError(f"cannot take a Message-ID domain from {address!r}")
    return domain


def build_message(
    rendered: RenderedMail,
    *,
    sender: str,
    to_name: str,
    to_email: str,
    message_id_key: str,
    sent_at: datetime,
    domain_hint: str | None = None,
) -> EmailMessage:
    """A multipart/alternative email (text, then HTML) ready for ``SmtpTransport.send``.

    ``sender`` is the From header as configured (``Continuum <continuum@example.al>``);
    ``message_id_key`` identifies the notification (ledger row and deadline), so a retried send
    carries the same Message-ID. The Message-ID domain is ``domain_hint`` or the sender's domain.
    ``sent_at`` becomes the Date header and must carry its timezone.
    """
    for name, value in (
        ("sender", sender),
        ("to_name", to_name),
        ("to_email", to_email),
        ("subject", rendered.subject),
        ("message_id_key", message_id_key),
    ):
        refuse_line_breaks(name, value)
    if sent_at.tzinfo is None or sent_at.utcoffset() is None:
        raise ValueError("sent_at must be timezone-aware")
    sender_name, sender_address = parseaddr(sender)
    if "@" not in sender_address:
        raise ValueError(f"sender {sender!r} has no address")
    if to_email.count("@") != 1 or parseaddr(to_email)[1] != to_email:
        raise ValueError(f"to_email {to_email!r} is not a plain address")
    domain = refuse_line_breaks("domain_hint", domain_hint) if domain_hint else domain_of(sender_address)

    message = EmailMessage()
    message["Subject"] = rendered.subject
    # Address objects, not formataddr(): formataddr's encoded-word output for a non-ASCII name
    # with specials ("Ëndrra, Tirana") is re-parsed by EmailMessage as two recipients.
    message["From"] = Address(display_name=sender_name, addr_spec=sender_address)
    message["To"] = Address(display_name=to_name, addr_spec=to_email)
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = message_id_for(message_id_key, domain)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation auto-replies
    # Quoted-printable keeps the message 7-bit clean for servers without 8BITMIME (ë, ç survive).
    message.set_content(rendered.text, cte="quoted-printable")
    message.add_alternative(rendered.html, subtype="html", cte="quoted-printable")
    message.policy = HEADER_POLICY
    return message
