"""What a coordinating committee reads: the pure rules (``rates``: the year's implementation
rate, progress to target per indicator, reporting timeliness), the alignment reference data and
coverage (``alignment``), the results of a strategy and its action plans read from the database
(``summary``) and their exports as CSV and printable HTML (``exports``).
"""

from workflow.monitoring.results import rates

__all__ = ["rates"]
