"""The monitoring mechanism: the action plan's objectives, measures and indicators and its
reporting cycle (``plan``), progress reports and their deadlines (``reporting``), and the
results a coordinating committee reads (``results``). Who may change what is in ``access``, the
request models are in ``requests``.

The tables live in ``workflow.monitoring.models``; ``workflow.tables`` imports every topic's
tables, so whatever needs the whole schema (Alembic, the migration check, the tests' clean-up)
has these too.
"""

from workflow.monitoring.access import require_plan_editor, require_report_author, require_report_reviewer
from workflow.monitoring.models import (
    Indicator,
    IndicatorValue,
    Measure,
    Objective,
    ProgressReport,
    ReportingCycle,
    ReportMeasureUpdate,
)
from workflow.monitoring.plan import catalog, indicators
from workflow.monitoring.plan.catalog import create_measure, create_objective, list_measures, list_objectives, scope_ids
from workflow.monitoring.plan.cycles import expected_reports, get_cycle, set_cycle
from workflow.monitoring.plan.importer import import_plan_csv
from workflow.monitoring.plan.indicators import create_indicator
from workflow.monitoring.reporting import reports
from workflow.monitoring.reporting.deadlines import ReportDeadlines, institution_of_key, period_of_key
from workflow.monitoring.requests import (
    AcceptRequest,
    CycleSet,
    IndicatorCreate,
    IndicatorPatch,
    MeasureCreate,
    MeasurePatch,
    ObjectiveCreate,
    ObjectivePatch,
    PeriodLabel,
    ReportContent,
    ReportOpen,
    ReturnRequest,
)
from workflow.monitoring.results.alignment import coverage, frameworks
from workflow.monitoring.results.exports import as_csv, as_html
from workflow.monitoring.results.summary import Monitoring, as_json, monitoring_for

__all__ = [
    "AcceptRequest",
    "CycleSet",
    "Indicator",
    "IndicatorCreate",
    "IndicatorPatch",
    "IndicatorValue",
    "Measure",
    "MeasureCreate",
    "MeasurePatch",
    "Monitoring",
    "Objective",
    "ObjectiveCreate",
    "ObjectivePatch",
    "PeriodLabel",
    "ProgressReport",
    "ReportContent",
    "ReportDeadlines",
    "ReportMeasureUpdate",
    "ReportOpen",
    "ReportingCycle",
    "ReturnRequest",
    "as_csv",
    "as_html",
    "as_json",
    "catalog",
    "coverage",
    "create_indicator",
    "create_measure",
    "create_objective",
    "expected_reports",
    "frameworks",
    "get_cycle",
    "import_plan_csv",
    "indicators",
    "institution_of_key",
    "list_measures",
    "list_objectives",
    "monitoring_for",
    "period_of_key",
    "reports",
    "require_plan_editor",
    "require_report_author",
    "require_report_reviewer",
    "scope_ids",
    "set_cycle",
]
