"""Portfolio import and export: institutions, contacts and strategies with their history, as a
file in the demo portfolio's format (``schema``, extended compatibly), in and out in bulk.

``import_portfolio`` is all or nothing and idempotent by key: every row is read and checked first
(``reading``, ``validate``; histories replayed in memory through the lifecycle's transition table
and guards, ``replay``; revisions, ``revisions``), matched against the database (``context``,
``plan``: rows found are left as they are, and reported when the file differs), and only then
written in bulk (``write``), or refused with every problem named by row, key and field
(``problems.ImportRefused``). ``export_portfolio`` writes the same format from the database
(``export``); exporting an import of an export writes the same file. ``services`` writes one
strategy through the real services instead, step by step (``continuum demo`` does, and an import
for strategies with consultation rounds, recorded by ``consultation``).
"""

from workflow.portfolio.export import Exported, export_portfolio
from workflow.portfolio.importing import ImportReport, import_portfolio
from workflow.portfolio.problems import ImportRefused, RowError
from workflow.portfolio.reading import Parsed, parse
from workflow.portfolio.schema import (
    ConsultationRound,
    ContactRow,
    HistoryStep,
    InstitutionRow,
    PortfolioFile,
    StrategyRow,
)
from workflow.portfolio.services import Recorded, create_command, record_through_services
from workflow.portfolio.validate import check
from workflow.portfolio.write import IMPORT_ACTOR

__all__ = [
    "IMPORT_ACTOR",
    "ConsultationRound",
    "ContactRow",
    "Exported",
    "HistoryStep",
    "ImportRefused",
    "ImportReport",
    "InstitutionRow",
    "Parsed",
    "PortfolioFile",
    "Recorded",
    "RowError",
    "StrategyRow",
    "check",
    "create_command",
    "export_portfolio",
    "import_portfolio",
    "parse",
    "record_through_services",
]
