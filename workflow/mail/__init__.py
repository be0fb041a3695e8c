"""Notification and sign-in email: render it (en/sq, text + HTML), build the MIME message, deliver it over SMTP.

An email may also say several notices, each in its single email's words (``render_item``,
``render_several``): a digest, or the notices about one lapse merged.

Rendering is pure; only a transport's ``send`` touches the network (``SmtpTransport``: a connection
per message; ``PersistentSmtpTransport``: a worker's connections, kept open between messages). A
caller marks a notification sent only when ``send`` returns: the server has accepted the message.
"""

from workflow.mail.context import DEADLINE_KINDS, LANGUAGES, NOTIFICATION_KINDS, NotificationContext
from workflow.mail.message import build_message, message_id_for
from workflow.mail.persistent import PersistentSmtpTransport
from workflow.mail.phrases import Phrases
from workflow.mail.rendering import RenderedItem, RenderedMail, render, render_item, render_several
from workflow.mail.sign_in import render_sign_in
from workflow.mail.transport import SmtpTransport
from workflow.mail.turnover import compose_role_uncovered, render_role_uncovered
from workflow.reminders import DEADLINE_REMINDER, DELIVERY_FAILED, GAP_WARNING, OVERDUE, REPORT_DUE

__all__ = [
    "DEADLINE_KINDS",
    "DEADLINE_REMINDER",
    "DELIVERY_FAILED",
    "GAP_WARNING",
    "LANGUAGES",
    "NOTIFICATION_KINDS",
    "OVERDUE",
    "REPORT_DUE",
    "NotificationContext",
    "Phrases",
    "PersistentSmtpTransport",
    "RenderedItem",
    "RenderedMail",
    "SmtpTransport",
    "build_message",
    "message_id_for",
    "render",
    "render_item",
    "render_several",
    "render_sign_in",
    "render_role_uncovered",
    "compose_role_uncovered",
]
