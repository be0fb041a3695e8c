"""The ``role_uncovered`` email: an escalation contact is told that someone left and that nobody in
their institution now holds some of that person's roles, so those reminders reach nobody.

Its facts are the ledger row's ``details``, written when the person was deactivated
(``workflow.reminders.deactivate_contact``): it needs no read of its own.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from typing import Any

from workflow.core import Settings
from workflow.mail.context import LANGUAGES
from workflow.mail.message import build_message
from workflow.mail.rendering import RenderedMail, template_environment
from workflow.reminders import Reading

ROLE_NAMES = {
    "en": {"coordinator": "coordinator", "contact_point": "contact point", "escalation": "escalation contact"},
    "sq": {"coordinator": "koordinator", "contact_point": "pikë kontakti", "escalation": "kontakt për përshkallëzim"},
}


def render_role_uncovered(
    language: str, *, recipient_name: str, details: dict[str, Any], app_url: str | None = None
) -> RenderedMail:
    """Render the notice in ``language`` from a ``role_uncovered`` row's ``details``."""
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; expected one of {LANGUAGES}")
    roles = details.get("roles") or []
    if not roles or not details.get("contact_name"):
        raise ValueError("role_uncovered needs the person who left and the roles nobody holds")
    names = ROLE_NAMES[language]
    variables = {
        "lang": language, "recipient_name": recipient_name, "app_url": app_url,
        "person": details["contact_name"], "person_email": details.get("contact_email") or "",
        "institution": details.get("institution") or "", "deactivated_on": details.get("deactivated_on") or "",
        "roles": ", ".join(names.get(role, role) for role in roles),
    }
    environment = template_environment()
    subject = environment.get_template(f"{language}/role_uncovered.subject.txt").render(variables).strip()
    variables["subject"] = subject
    text = environment.get_template(f"{language}/role_uncovered.txt").render(variables)
    html = environment.get_template(f"{language}/role_uncovered.html").render(variables)
    return RenderedMail(subject=subject, text=text.strip() + "\n", html=html.strip() + "\n")


def compose_role_uncovered(reading: Reading, settings: Settings, now: datetime, *, message_id_key: str) -> EmailMessage:
    """The email of a ``role_uncovered`` ledger row (what ``NoticeComposer.build`` sends for that kind)."""
    recipient = reading.recipient
    if recipient is None:
        raise ValueError(f"contact {reading.row.contact_id} no longer exists")
    app_url = f"{settings.public_url}/console/admin/people/{reading.row.details.get('contact_id')}" \
        if settings.public_url else None
    rendered = render_role_uncovered(recipient.language, recipient_name=recipient.name,
                                     details=reading.row.details or {}, app_url=app_url)
    return build_message(rendered, sender=settings.mail_from, to_name=recipient.name, to_email=recipient.email,
                         message_id_key=message_id_key, sent_at=now)
