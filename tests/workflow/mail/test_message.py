from __future__ import annotations

import email
import email.policy
import re
from datetime import UTC, date, datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from typing import Any

import pytest

from workflow.mail import NotificationContext, RenderedMail, build_message, message_id_for, render

SENT_AT = datetime(2026, 3, 8, 9, 0, tzinfo=timezone(timedelta(hours=1)))
SENDER = "Continuum <continuum@strategji.gov.al>"


def rendered_reminder(language: str = "sq") -> RenderedMail:
    context = NotificationContext(
        strategy_title="Strategjia Kombëtare për Migracionin 2019-2022",
        strategy_id=42,
        deadline_kind="consultation_due",
        due_on=date(2026, 3, 15),
        days=7,
        recipient_name="Çelë Hoxha",
    )
    return render("deadline_reminder", language, context)


def build(rendered: RenderedMail | None = None, **overrides: Any) -> EmailMessage:
    arguments: dict[str, Any] = {
        "sender": SENDER,
        "to_name": "Çelë Hoxha",
        "to_email": "cele.hoxha@ministria.gov.al",
        "message_id_key": "notification:17:strategy:42:consultation_due",
        "sent_at": SENT_AT,
    }
    return build_message(rendered or rendered_reminder(), **(arguments | overrides))


def parsed(message: EmailMessage) -> EmailMessage:
    """The message as a mail client would see it after the wire."""
    result = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert isinstance(result, EmailMessage)
    return result


def test_text_and_html_alternatives_with_encoded_albanian_headers() -> None:
    rendered = rendered_reminder()
    wire = build(rendered).as_bytes()
    received = parsed(build(rendered))

    assert wire.isascii(), "7-bit clean: encoded words and quoted-printable, for servers without 8BITMIME"
    assert received.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in received.iter_parts()] == ["text/plain", "text/html"]
    assert received.get_body(("plain",)).get_content() == rendered.text
    assert received.get_body(("html",)).get_content() == rendered.html
    assert received["Subject"] == rendered.subject
    assert "ë" in received["Subject"]
    assert received["To"].addresses[0].display_name == "Çelë Hoxha"
    assert received["To"].addresses[0].addr_spec == "cele.hoxha@ministria.gov.al"
    assert received["From"].addresses[0].display_name == "Continuum"
    assert received["From"].addresses[0].addr_spec == "continuum@strategji.gov.al"
    assert parsedate_to_datetime(received["Date"]) == SENT_AT
    assert received["Auto-Submitted"] == "auto-generated"


@pytest.mark.parametrize("name", ["Arta & <Besa>", "Ëndrra, Drejtoria e Migracionit", 'Çelë "Ç" (Tiranë)'])
def test_names_with_specials_stay_one_recipient(name: str) -> None:
    received = parsed(build(to_name=name))

    assert [(a.display_name, a.addr_spec) for a in received["To"].addresses] == [(name, "cele.hoxha@ministria.gov.al")]


def test_message_id_is_derived_from_the_key() -> None:
    first = build()["Message-ID"]

    assert re.fullmatch(r"<continuum-[0-9a-f]{24}@strategji\.gov\.al>", first)
    assert build(sent_at=SENT_AT + timedelta(minutes=30))["Message-ID"] == first, "a retry is the same email"
    assert build(message_id_key="notification:18:strategy:42:consultation_due")["Message-ID"] != first
    assert first == message_id_for("notification:17:strategy:42:consultation_due", "strategji.gov.al")
    assert build(domain_hint="continuum.example")["Message-ID"].endswith("@continuum.example>")


@pytest.mark.parametrize("field", ["sender", "to_name", "to_email", "message_id_key", "domain_hint"])
@pytest.mark.parametrize("line_break", ["\r\n", "\n", "\r", "\u2028"])
def test_refuses_line_breaks_in_header_values(field: str, line_break: str) -> None:
    values = {
        "sender": SENDER,
        "to_name": "Çelë Hoxha",
        "to_email": "cele.hoxha@ministria.gov.al",
        "message_id_key": "notification:17",
        "domain_hint": "strategji.gov.al",
    }
    with pytest.raises(ValueError, match="line break"):
        build(**{field: values[field] + line_break + "Bcc: everyone@example.com"})


def test_refuses_a_multi_line_subject() -> None:
    injected = RenderedMail(subject="Reminder\r\nBcc: everyone@example.com", text="x\n", html="<p>x</p>\n")

    with pytest.raises(ValueError, match="subject must be a single line"):
        build(injected)


def test_refuses_naive_date_and_malformed_addresses() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        build(sent_at=datetime(2026, 3, 8, 9, 0))
    with pytest.raises(ValueError, match="not a plain address"):
        build(to_email="a@b.al, c@d.al")
    with pytest.raises(ValueError, match="has no address"):
        build(sender="Continuum")


@pytest.mark.parametrize(
    "subject",
    [
        "National Strategy for Migration 2031-2035: drafting due tomorrow (2026-11-24)",
        "National Strategy for Migration 2027-2030: afati i hartimit skadon nesër (2026-11-24)",
    ],
)
def test_a_long_subject_reads_back_exactly_after_the_wire(subject):
    """Folding at 78 columns made these read back with a leading or a doubled space."""
    from datetime import datetime
    from email import message_from_bytes, policy

    from workflow.mail import build_message
    from workflow.mail.rendering import RenderedMail

    message = build_message(
        RenderedMail(subject, "text", "<p>html</p>"), sender="Continuum <c@example.org>",
        to_name="Arta Hoxha", to_email="arta@example.org", message_id_key="k", sent_at=datetime.now(UTC),
    )
    assert message_from_bytes(message.as_bytes(), policy=policy.default)["Subject"] == subject
