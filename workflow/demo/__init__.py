"""The demo portfolio: Albania's migration-related strategies as packaged data, and its loader."""

from workflow.demo.loader import DEMO_ACTOR, LoadReport, load_portfolio
from workflow.demo.monitoring import seed_demo_monitoring
from workflow.demo.schema import Portfolio, read_portfolio

__all__ = [
    "DEMO_ACTOR",
    "LoadReport",
    "Portfolio",
    "load_portfolio",
    "read_portfolio",
    "seed_demo_monitoring",
]
