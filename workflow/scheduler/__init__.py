"""The scheduler pass and the wiring of every deadline source: the registry of sources, the
pass beat runs every tick, the composing of each notice and the sending of one ledger row.
It sits above the topics so it can import each of them.
"""

from workflow.scheduler.notices import compose_for
from workflow.scheduler.passes import run_pass
from workflow.scheduler.registry import SOURCES, source_for
from workflow.scheduler.sending import send_notification

__all__ = [
    "SOURCES",
    "compose_for",
    "run_pass",
    "send_notification",
    "source_for",
]
