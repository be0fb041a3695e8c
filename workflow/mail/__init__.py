"""Notification and sign-in email: render it (en/sq, text + HTML), build the MIME message, deliver it over SMTP.

Rendering is pure; only a transport's ``send`` touches the network (``SmtpTransport``: a connection
per message; ``PersistentSmtpTransport``: a worker's connections, kept open between messages). A
caller marks a notification sent only when ``send`` returns: the server has accepted the message.
"""

from workflow.mail.context import DEADLINE_KINDS, LANGUAGES, NOTIFICATION_KINDS, NotificationContext
from workflow.mail.message import build_message, message_id_for
from workflow.mail.persistent import PersistentSmtpTransport
from workflow.mail.rendering import RenderedMail, render
from workflow.mail.sign_in import render_sign_in
from workflow.mail.transport import SmtpTransport
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
    "PersistentSmtpTransport",
    "RenderedMail",
    "SmtpTransport",
    "build_message",
    "message_id_for",
    "render",
    "render_sign_in",
]
