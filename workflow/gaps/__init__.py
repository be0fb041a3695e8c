"""Policy gaps: the rules that find gaps and strategies at risk (``rules``), the projection of a
successor's approval, the portfolio as it stood on a day (``history``, and ``portfolio``: every
area's documents, coverage and gap statuses at once), the coverage timeline, the queries behind
the gap endpoints and the scheduler's gap watch.

Reads are split from computing: ``read_snapshots`` loads the deployment as plain values in a short
session of its own; ``compute_gap_report`` and ``compute_timeline`` are pure functions of them.
"""

from workflow.gaps.history import StrategySnapshot, snapshots_known_on
from workflow.gaps.models import GapWatch
from workflow.gaps.portfolio import AreaPortfolio, Lane, PlanCoverage, Portfolio, compute_portfolio
from workflow.gaps.queries import (
    TimelineReport,
    compute_gap_report,
    compute_timeline,
    gap_report,
    read_snapshots,
    snapshot_of,
    timeline_report,
)
from workflow.gaps.rules import AT_RISK, COVERED, GAP, STATUSES, GapEntry
from workflow.gaps.timeline import Timeline
from workflow.gaps.watch import GAP_DEADLINE, gap_watch_entries, watch_gaps

__all__ = [
    "AT_RISK",
    "COVERED",
    "GAP",
    "GAP_DEADLINE",
    "STATUSES",
    "GapEntry",
    "AreaPortfolio",
    "GapWatch",
    "Lane",
    "PlanCoverage",
    "Portfolio",
    "StrategySnapshot",
    "Timeline",
    "TimelineReport",
    "compute_gap_report",
    "compute_portfolio",
    "compute_timeline",
    "gap_report",
    "gap_watch_entries",
    "read_snapshots",
    "snapshot_of",
    "snapshots_known_on",
    "timeline_report",
    "watch_gaps",
]
