"""Every table of the domain, imported once so ``SQLModel.metadata`` is complete.

Alembic's environment, the migration check and the tests' clean-up need the whole schema;
each topic declares its own tables, and its public face exports them.
"""

from sqlmodel import SQLModel

from workflow import feeds, webhooks
from workflow.access import ApiToken
from workflow.calendar import NonWorkingDay
from workflow.consultation import (
    ConsultationEvent,
    ConsultationRound,
    RoundChange,
    StakeholderCategory,
    Submission,
    SubmissionResponse,
)
from workflow.core import OutboxEvent
from workflow.directory import Contact, Institution
from workflow.gaps import GapReportRow, GapReportState, GapWatch
from workflow.lifecycle import StageChange, Strategy, StrategyRevision
from workflow.monitoring import (
    Indicator,
    IndicatorValue,
    Measure,
    Objective,
    ProgressReport,
    ReportingCycle,
    ReportMeasureUpdate,
)
from workflow.reminders import Notification, PlannedDeadline
from workflow.scheduler import SchedulerHealth, SchedulerState

TABLES = (
    ApiToken, NonWorkingDay, OutboxEvent, Contact, Institution, GapWatch, GapReportRow, GapReportState,
    StageChange, Strategy, StrategyRevision, Indicator, IndicatorValue, Measure, Objective, ProgressReport,
    ReportingCycle, ReportMeasureUpdate, Notification, PlannedDeadline, SchedulerState, SchedulerHealth,
    StakeholderCategory, ConsultationRound, RoundChange, ConsultationEvent, Submission, SubmissionResponse,
    *webhooks.TABLES, *feeds.TABLES,
)
metadata = SQLModel.metadata

__all__ = ["TABLES", "metadata"]
