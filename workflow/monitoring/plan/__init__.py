"""The action plan as data: objectives (strategic, and specific ones serving them) and the
measures that serve them (``catalog``), outcome and output indicators (``indicators``), the
cross-field rules both must satisfy (``checks``), the reporting cycle and who is asked to report
for which period (``cycles``), the calendar periods and due dates themselves (``periods``) and
the all-or-nothing CSV import of a plan's objectives and measures (``importer``), and the limits
on how much one plan may hold, so one request's work stays bounded (``limits``).
"""

from workflow.monitoring.plan import catalog, indicators

__all__ = ["catalog", "indicators"]
