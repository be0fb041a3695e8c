"""The demo portfolio file, checked as a whole before anything touches the database.

Its format is the portfolio file's (``workflow.portfolio``: rows checked alone there, the file's
cross-row checks by ``workflow.portfolio.check``); here it is one validated model, so a packaged
file that breaks a rule fails to load with every reason.
"""

from __future__ import annotations

from importlib import resources

from pydantic import model_validator

from workflow.portfolio import Parsed, PortfolioFile, check

PORTFOLIO_RESOURCE = "portfolio.json"


class Portfolio(PortfolioFile):
    @model_validator(mode="after")
    def _whole_file(self) -> Portfolio:
        parsed = Parsed(
            institutions=list(enumerate(self.institutions)),
            contacts=list(enumerate(self.contacts)),
            strategies=list(enumerate(self.strategies)),
        )
        errors = check(parsed, {})
        if errors:
            raise ValueError("; ".join(str(error) for error in errors))
        return self


def read_portfolio(text: str | None = None) -> Portfolio:
    """The packaged portfolio, or ``text`` when given (for tests and other portfolios)."""
    if text is None:
        text = resources.files("workflow.demo").joinpath(PORTFOLIO_RESOURCE).read_text(encoding="utf-8")
    return Portfolio.model_validate_json(text)
