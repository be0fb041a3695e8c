"""Notification email: render it (en/sq, text + HTML), build the MIME message, deliver it over SMTP.

Rendering is pure; only ``SmtpTransport.send`` touches the network. A caller marks a
notification sent only when ``send`` returns: the server has accepted the message.
"""

from workflow.mail.context import (
    DEADLINE_KINDS,
    DEADLINE_REMINDER,
    DELIVERY_FAILED,
    GAP_WARNING,
    LANGUAGES,
    NOTIFICATION_KINDS,
    OVERDUE,
    REPORT_DUE,
    NotificationContext,
)
from workflow.mail.message import build_message, message_id_for
from workflow.mail.rendering import RenderedMail, render
from workflow.mail.transport import (
    DeliveryError,
    PermanentDeliveryError,
    SmtpTransport,
    TemporaryDeliveryError,
)

__all__ = [
    "DEADLINE_KINDS",
    "DEADLINE_REMINDER",
    "DELIVERY_FAILED",
    "GAP_WARNING",
    "LANGUAGES",
    "NOTIFICATION_KINDS",
    "OVERDUE",
    "REPORT_DUE",
    "DeliveryError",
    "NotificationContext",
    "PermanentDeliveryError",
    "RenderedMail",
    "SmtpTransport",
    "TemporaryDeliveryError",
    "build_message",
    "message_id_for",
    "render",
]
