"""Turnover end to end, through a real SMTP server: after someone leaves, the next scheduler pass sends
the handover contact the reminder the leaver would have got, and without a handover contact the
escalation contact gets the ``role_uncovered`` email; the leaver gets nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests import factories as f
from tests.smtp_sink import smtp_sink
from workflow.access import Principal
from workflow.core.db import unit_of_work
from workflow.directory import ContactDeactivate
from workflow.mail import SmtpTransport
from workflow.reminders import deactivate_contact
from workflow.reminders.models import Notification
from workflow.scheduler import run_pass, send_notification

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # 10:00 in Tirane, after the send hour
ADMIN = Principal(name="test-admin", role="admin", institution_id=None)


@pytest.fixture
def world(engine):
    with unit_of_work(engine) as s:
        moi = f.institution(s, "Ministry of Interior")
        ids = {
            "leaver": f.contact(s, moi, ["coordinator"], "leaver@example.org", name="Arta Hoxha"),
            "handover": f.contact(s, moi, ["contact_point"], "next@example.org", name="Besa Kola", language="sq"),
            "chief": f.contact(s, moi, ["escalation"], "chief@example.org", name="Deputy Minister"),
        }
        f.strategy(s, moi, period_start=date(2027, 1, 1), period_end=date(2030, 12, 31),
                   drafting_due=date(2026, 6, 8))
    return ids


def _deactivate(engine, contact_id: int, handover: int | None, at: datetime) -> None:
    with unit_of_work(engine) as s:
        deactivate_contact(s, contact_id, ContactDeactivate(handover_contact_id=handover), principal=ADMIN, now=at,
                           today=at.date())


def _send_due(engine, settings, at: datetime) -> list[str]:
    report = run_pass(engine, now=at, settings=settings)
    transport = SmtpTransport(settings)
    return [send_notification(engine, i, clock=lambda: at, transport=transport, settings=settings).outcome
            for i in report.due]


def test_the_next_pass_sends_the_handover_contact_the_reminder_the_leaver_would_have_got(engine, settings, world):
    with smtp_sink() as (port, inbox):
        cfg = settings.model_copy(update={"smtp_port": port})
        first = run_pass(engine, now=NOW, settings=cfg)  # recorded for the leaver, handed to a queue that lost it
        with unit_of_work(engine) as s:
            assert [r.contact_id for r in s.scalars(select(Notification))] == [world["leaver"]]

        _deactivate(engine, world["leaver"], world["handover"], NOW + timedelta(minutes=1))

        later = NOW + timedelta(minutes=cfg.enqueue_lease_minutes + 1)
        assert _send_due(engine, cfg, later) == ["sent"]
        (message,) = inbox.wait_for(1)
        assert message["To"].addresses[0].addr_spec == "next@example.org"
        assert "Besa Kola" in message.get_body(("plain",)).get_content()
        with unit_of_work(engine) as s:
            rows = list(s.scalars(select(Notification)))
        assert [(r.id, r.contact_id, r.status) for r in rows] == [(first.due[0], world["handover"], "sent")]
        assert _send_due(engine, cfg, later + timedelta(minutes=1)) == []  # once


def test_a_reminder_planned_after_the_turnover_goes_to_the_handover_contact(engine, settings, world):
    _deactivate(engine, world["leaver"], world["handover"], NOW - timedelta(hours=1))
    with smtp_sink() as (port, inbox):
        cfg = settings.model_copy(update={"smtp_port": port})
        assert _send_due(engine, cfg, NOW) == ["sent"]
        assert [m["To"].addresses[0].addr_spec for m in inbox.wait_for(1)] == ["next@example.org"]


def test_a_row_claimed_before_the_turnover_is_not_sent_to_the_leaver(engine, settings, world):
    with smtp_sink() as (port, inbox):
        cfg = settings.model_copy(update={"smtp_port": port})
        (row_id,) = run_pass(engine, now=NOW, settings=cfg).due
        with unit_of_work(engine) as s:  # a worker claimed it and died: its lease runs out later
            s.get(Notification, row_id).status = "sending"
        _deactivate(engine, world["leaver"], world["handover"], NOW)
        after_lease = NOW + timedelta(minutes=cfg.lease_minutes + cfg.enqueue_lease_minutes + 1)
        outcomes = _send_due(engine, cfg, after_lease)
        with unit_of_work(engine) as s:
            rows = {r.contact_id: r for r in s.scalars(select(Notification))}
        assert rows[world["leaver"]].status == "cancelled"
        assert rows[world["leaver"]].last_error == "the recipient was deactivated (they left)"
        assert sorted(outcomes) == ["cancelled", "sent"]  # the pass planned it again for the handover contact
        assert [m["To"].addresses[0].addr_spec for m in inbox.wait_for(1)] == ["next@example.org"]


def test_without_handover_the_escalation_contact_is_emailed_that_nobody_holds_the_role(engine, settings, world):
    with smtp_sink() as (port, inbox):
        cfg = settings.model_copy(update={"smtp_port": port, "public_url": "https://continuum.example.al"})
        _deactivate(engine, world["leaver"], None, NOW)
        assert sorted(_send_due(engine, cfg, NOW)) == ["sent"]
        (message,) = inbox.wait_for(1)
        assert message["To"].addresses[0].addr_spec == "chief@example.org"
        assert message["Subject"] == "Nobody at Ministry of Interior receives Arta Hoxha's reminders now"
        text = message.get_body(("plain",)).get_content()
        assert "Deputy Minister" in text and "coordinator" in text and "leaver@example.org" in text
        assert f"https://continuum.example.al/console/admin/people/{world['leaver']}" in text
        assert "Arta Hoxha" in message.get_body(("html",)).get_content()


@pytest.mark.parametrize(("language", "words"), [
    ("en", ["Hello Genta", "coordinator, contact point", "Ministry of Interior"]),
    ("sq", ["Përshëndetje Genta", "koordinator, pikë kontakti", "u çaktivizua"]),
])
def test_the_notice_is_worded_in_the_recipients_language(language, words):
    from workflow.mail import render_role_uncovered

    rendered = render_role_uncovered(language, recipient_name="Genta", details={
        "contact_name": "Arta Hoxha", "contact_email": "arta@example.org", "institution": "Ministry of Interior",
        "roles": ["coordinator", "contact_point"], "deactivated_on": "2026-06-01"})
    assert all(word in rendered.text for word in words)
    assert "Arta Hoxha" in rendered.subject and "</html>" in rendered.html
