"""The reminder path from deadline to SMTP: deadlines and the sources that list them, timing
(offsets, send day), the planner that records due reminders, the notification ledger and its
status machine, and delivery (claim, re-check, send, record the outcome; ``reading``: the one
read before a send, which the deadline sources and the composer add to); ``digests`` (one email a
day or a week for people who choose it) and ``same_day`` (one email about a lapse a day).
"""

from workflow.reminders import digests, ledger
from workflow.reminders.deadlines import LAPSE, Deadline, strategy_deadline_key
from workflow.reminders.delivery import Composer, DeliveryResult, SourceLookup, Transport, deliver
from workflow.reminders.digests import follow_delivery_change
from workflow.reminders.handover import ROLE_UNCOVERED, Turnover, deactivate_contact, hand_over_pending
from workflow.reminders.ledger import list_notifications
from workflow.reminders.models import Notification, PlannedDeadline
from workflow.reminders.planner import EVERYTHING, PlanReport, Scope, plan_deadline_reminders
from workflow.reminders.reading import (
    NEVER,
    Extension,
    Reading,
    Recheck,
    read_for_sending,
    recheck_now,
    unchanged,
)
from workflow.reminders.sources import DeadlineSource, LiveDeadline, StrategyDeadlines, reminder_policy
from workflow.reminders.statuses import (
    ACTIVE_NOTIFICATION_STATUSES,
    NOTIFICATION_STATUSES,
    NOTIFICATIONS,
    NotificationEvent,
    NotificationStatus,
)
from workflow.reminders.timing import (
    DEADLINE_REMINDER,
    DELIVERY_FAILED,
    DIGEST,
    GAP_WARNING,
    OVERDUE,
    REPORT_DUE,
    ReminderPolicy,
    due_gap_warning,
    send_instant,
    sending_day,
)

__all__ = [
    "ACTIVE_NOTIFICATION_STATUSES",
    "DEADLINE_REMINDER",
    "DELIVERY_FAILED",
    "DIGEST",
    "EVERYTHING",
    "GAP_WARNING",
    "LAPSE",
    "NEVER",
    "NOTIFICATIONS",
    "NOTIFICATION_STATUSES",
    "OVERDUE",
    "REPORT_DUE",
    "ROLE_UNCOVERED",
    "Composer",
    "Deadline",
    "DeadlineSource",
    "DeliveryResult",
    "Extension",
    "LiveDeadline",
    "Notification",
    "NotificationEvent",
    "NotificationStatus",
    "PlanReport",
    "PlannedDeadline",
    "Reading",
    "Recheck",
    "ReminderPolicy",
    "Scope",
    "SourceLookup",
    "StrategyDeadlines",
    "Transport",
    "Turnover",
    "deactivate_contact",
    "deliver",
    "digests",
    "due_gap_warning",
    "follow_delivery_change",
    "hand_over_pending",
    "ledger",
    "list_notifications",
    "plan_deadline_reminders",
    "read_for_sending",
    "recheck_now",
    "reminder_policy",
    "send_instant",
    "sending_day",
    "strategy_deadline_key",
    "unchanged",
]
