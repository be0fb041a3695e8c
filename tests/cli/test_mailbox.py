"""The local mailbox of `continuum dev`: a real SMTP server that files each email as .eml."""

from __future__ import annotations

import smtplib
from email import message_from_bytes, policy
from email.message import EmailMessage

from cli.mailbox import start_mailbox
from tests.smtp_sink import free_port


def _send(port: int, subject: str) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "c@example.org", "arta@example.org", subject
    message.set_content("Përshëndetje")
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.send_message(message)  # returns once the server answered 250: the file is written


def test_each_email_becomes_a_file_and_a_restart_continues_the_numbering(tmp_path):
    mailbox = tmp_path / "mailbox"
    for subject in ("first", "second"):
        port = free_port()
        controller = start_mailbox(mailbox, "127.0.0.1", port)
        try:
            _send(port, subject)
        finally:
            controller.stop()

    files = sorted(mailbox.glob("*.eml"), key=lambda p: p.stem[-5:])
    assert [p.stem[-5:] for p in files] == ["00001", "00002"]
    stored = [message_from_bytes(p.read_bytes(), policy=policy.default) for p in files]
    assert [m["Subject"] for m in stored] == ["first", "second"]
    assert stored[0].get_content().strip() == "Përshëndetje"
