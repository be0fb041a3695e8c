"""Continuum's domain: strategies, their lifecycle, and the rules that keep them in force.

Nothing in this package imports a web or task framework; `api/` and `tasks/` adapt it.
"""
