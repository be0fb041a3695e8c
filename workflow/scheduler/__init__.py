"""The scheduler pass and the wiring of every deadline source: the registry of sources, the
pass beat runs every tick, the composing of each notice and the sending of one ledger row, and
the agenda (what needs a person now, gathered from the same sources and the gap statuses).
It sits above the topics so it can import each of them.
"""

from workflow.scheduler.agenda import AgendaItem, Submitted, agenda_for, live_deadlines, reports_to_review
from workflow.scheduler.changes import Changes
from workflow.scheduler.health import OperationsSnapshot, operations_snapshot, record_pass, recorded_pass
from workflow.scheduler.models import SchedulerHealth, SchedulerState
from workflow.scheduler.notices import compose_for
from workflow.scheduler.passes import run_pass
from workflow.scheduler.registry import SOURCES, source_for
from workflow.scheduler.sending import send_notification

__all__ = [
    "SOURCES",
    "AgendaItem",
    "Changes",
    "OperationsSnapshot",
    "SchedulerHealth",
    "SchedulerState",
    "Submitted",
    "agenda_for",
    "compose_for",
    "live_deadlines",
    "operations_snapshot",
    "record_pass",
    "recorded_pass",
    "reports_to_review",
    "run_pass",
    "send_notification",
    "source_for",
]
