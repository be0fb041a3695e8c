"""Emailing sign-in links, after the links were committed; a failure is logged, never shown, so the
answer to the sign-in form says nothing about which addresses are known."""

from __future__ import annotations

import logging

from workflow.access import IssuedLink, sign_in_url
from workflow.core import DeliveryError, Settings, clock
from workflow.mail import SmtpTransport, build_message, render_sign_in

log = logging.getLogger("continuum.web.sign_in")


def send_links(settings: Settings, links: list[IssuedLink]) -> None:
    """Each link leads to ``settings.link_base``, never to a request's own Host, which the asker chooses."""
    transport = SmtpTransport(settings)
    for link in links:
        rendered = render_sign_in(
            link.language, recipient_name=link.name, institution=link.institution,
            url=sign_in_url(settings.link_base, link.secret),
            minutes=settings.sign_in_link_minutes,
        )
        message = build_message(
            rendered, sender=settings.mail_from, to_name=link.name, to_email=link.email,
            message_id_key=f"sign-in:{link.secret[-12:]}", sent_at=clock.now(),
        )
        try:
            transport.send(message)
        except DeliveryError as failure:
            log.warning("sign-in email to contact %s was not delivered: %s", link.contact_id, failure)
