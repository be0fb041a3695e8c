"""Policy gaps: the rules that find gaps and strategies at risk (``rules``), the projection of a
successor's approval, the portfolio as it stood on a day (``history``), the coverage timeline,
the queries behind the gap endpoints and the scheduler's gap watch.

Reads are split from computing: ``read_snapshots`` loads the deployment as plain values in a short
session of its own; ``compute_gap_report`` and ``compute_timeline`` are pure functions of them.
"""

from workflow.gaps.history import StrategySnapshot
from workflow.gaps.models import GapWatch
from workflow.gaps.queries import (
    TimelineReport,
    compute_gap_report,
    compute_timeline,
    gap_report,
    read_snapshots,
    snapshot_of,
    timeline_report,
)
from workflow.gaps.rules import STATUSES, GapEntry
from workflow.gaps.timeline import Timeline
from workflow.gaps.watch import GAP_DEADLINE, gap_watch_entries, watch_gaps

__all__ = [
    "GAP_DEADLINE",
    "STATUSES",
    "GapEntry",
    "GapWatch",
    "StrategySnapshot",
    "Timeline",
    "TimelineReport",
    "compute_gap_report",
    "compute_timeline",
    "gap_report",
    "gap_watch_entries",
    "read_snapshots",
    "snapshot_of",
    "timeline_report",
    "watch_gaps",
]
