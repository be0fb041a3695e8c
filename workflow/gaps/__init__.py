"""Policy gaps: the rules that find gaps and strategies at risk (``rules``), the projection of a
successor's approval, the portfolio as it stood on a day (``history``, and ``portfolio``: every
area's documents, coverage and gap statuses at once), the coverage timeline, the queries behind
the gap endpoints and the scheduler's gap watch.

Reads are split from computing: ``read_snapshots`` loads the deployment as plain values in a short
session of its own; ``compute_gap_report`` and ``compute_timeline`` are pure functions of them.
``scoped`` reads a few policy areas instead (their links out of the area followed), for a
timeline, an analysis of one area, or the areas a change touched.

Today's report is kept stored (``stored``, ``refresh``): the gap watch (``watch``) judges again
what changed since its last pass, or everything once a day, and writes only the rows that differ;
``serving`` pages through the stored rows for ``GET /gaps``, judging again in memory the areas
changed since, and computes on demand what the rows cannot answer (another day, an earlier
knowledge).
"""

from workflow.gaps.backtest import BACKTEST_COLUMNS, Backtest, lapse_lines, month_of, read_backtest
from workflow.gaps.durations import StageHistory
from workflow.gaps.forecast import HORIZON, PIPELINE
from workflow.gaps.history import StrategySnapshot, snapshots_known_on
from workflow.gaps.models import GapReportRow, GapReportState, GapWatch
from workflow.gaps.portfolio import AreaPortfolio, Lane, PlanCoverage, Portfolio, compute_portfolio
from workflow.gaps.queries import (
    TimelineReport,
    compute_gap_report,
    compute_timeline,
    gap_report,
    read_snapshots,
    snapshot_of,
    typical_days,
)
from workflow.gaps.refresh import OWN_EVENTS as GAP_WATCH_EVENTS  # the events the gap watch writes
from workflow.gaps.refresh import GapRefresh, StrategyChanges
from workflow.gaps.rules import AT_RISK, COVERED, GAP, STATUSES, GapEntry
from workflow.gaps.scoped import (
    lead_institution_ids,
    load_areas,
    policy_areas,
    read_typical,
    timeline_report,
    timeline_snapshots,
)
from workflow.gaps.serving import GapPage, GapQuery, Labels, gap_entries, gap_page, labels_of
from workflow.gaps.statement import risk_statement
from workflow.gaps.stored import SORT_KEY
from workflow.gaps.timeline import Timeline
from workflow.gaps.warnings import GAP_DEADLINE
from workflow.gaps.watch import GapWatchResult, prepare_gap_watch, watch_gaps

__all__ = [
    "BACKTEST_COLUMNS",
    "Backtest",
    "lapse_lines",
    "month_of",
    "read_backtest",
    "GAP_WATCH_EVENTS",
    "AT_RISK",
    "COVERED",
    "GAP",
    "GAP_DEADLINE",
    "HORIZON",
    "PIPELINE",
    "SORT_KEY",
    "STATUSES",
    "AreaPortfolio",
    "GapEntry",
    "GapPage",
    "GapQuery",
    "GapRefresh",
    "GapReportRow",
    "GapReportState",
    "GapWatch",
    "GapWatchResult",
    "Labels",
    "Lane",
    "PlanCoverage",
    "Portfolio",
    "StageHistory",
    "StrategyChanges",
    "StrategySnapshot",
    "Timeline",
    "TimelineReport",
    "compute_gap_report",
    "compute_portfolio",
    "compute_timeline",
    "gap_entries",
    "gap_page",
    "gap_report",
    "labels_of",
    "lead_institution_ids",
    "load_areas",
    "policy_areas",
    "prepare_gap_watch",
    "read_snapshots",
    "read_typical",
    "risk_statement",
    "snapshot_of",
    "snapshots_known_on",
    "timeline_report",
    "timeline_snapshots",
    "typical_days",
    "watch_gaps",
]
