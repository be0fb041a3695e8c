"""Policy gaps: the rules that find gaps and strategies at risk (``rules``), the projection of a
successor's approval, the portfolio as it stood on a day (``history``), the coverage timeline,
the queries behind the gap endpoints and the scheduler's gap watch.
"""

from workflow.gaps.models import GapWatch
from workflow.gaps.queries import gap_report, timeline_report
from workflow.gaps.rules import STATUSES, GapEntry
from workflow.gaps.timeline import Timeline
from workflow.gaps.watch import GAP_DEADLINE, watch_gaps

__all__ = [
    "GAP_DEADLINE",
    "STATUSES",
    "GapEntry",
    "GapWatch",
    "Timeline",
    "gap_report",
    "timeline_report",
    "watch_gaps",
]
