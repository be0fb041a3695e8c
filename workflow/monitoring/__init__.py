"""The monitoring mechanism: objectives, measures and indicators of a strategy's action plans,
periodic progress reports from the responsible institutions, alignment with the Global Compact
for Migration, SDG 10.7 and the MGI domains, and the results a coordinating committee reads.

The tables live in ``workflow.monitoring.models`` and are registered on ``SQLModel.metadata``
by ``workflow.models`` (which imports them at its end), so whatever loads the core tables
loads these too. Pure rules: ``cycles`` (periods and due dates) and ``rates`` (results).
"""
