"""Progress reports: an institution drafts and submits its report on a period and the plan's
coordinators accept or return it (``reports``); until a report is submitted its due date is a
live deadline, and ``deadlines`` is the reminder source that lists them for the scheduler.
"""

from workflow.monitoring.reporting import reports

__all__ = ["reports"]
