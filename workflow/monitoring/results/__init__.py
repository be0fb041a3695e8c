"""What a coordinating committee reads: the pure rules (``rates``: the year's implementation
rate, "to date" while the year runs, everything due by the as-of day, progress to target per
indicator, reporting timeliness), numbers with their unit's precision (``units``), the alignment
reference data and coverage (``alignment``), what the results need read from the database in one
go (``reading``), the results of a strategy and its action plans computed from that after the
connection is given back (``summary``) and their exports as CSV and printable HTML (``exports``).
"""

from workflow.monitoring.results import rates

__all__ = ["rates"]
