"""Every deadline source, in one list: the scheduler pass plans from them and the sender re-checks with them.

It sits above the topics so it can import each source (the lifecycle's, monitoring's and consultation's)
without any of them importing another.
"""

from __future__ import annotations

from workflow.consultation import RoundDeadlines
from workflow.monitoring import ReportDeadlines
from workflow.reminders import DeadlineSource, StrategyDeadlines

SOURCES: list[DeadlineSource] = [StrategyDeadlines(), ReportDeadlines(), RoundDeadlines()]


def source_for(kind: str) -> DeadlineSource | None:
    return next((s for s in SOURCES if kind in s.kinds), None)
