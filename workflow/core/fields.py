"""Field types every request model shares: single-line text, sane dates, ids, emails.

The checks need no database, so a bad field gets the same answer from the API and the CLI.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, StringConstraints

EARLIEST_DATE = date(1900, 1, 1)


LATEST_DATE = date(2200, 12, 31)


def no_line_breaks(value: str) -> str:
    """Refuse CR, LF and other control characters: these values can reach email headers.
    NEL and the Unicode line/paragraph separators count too: ``str.splitlines`` breaks on them,
    and the mail builder refuses them, so accepting them here would store an unsendable value."""
    if any(ch in value for ch in "\r\n\x85\u2028\u2029") or any(ord(ch) < 32 and ch != "\t" for ch in value):
        raise ValueError("must be a single line: line breaks and control characters are not allowed")
    return value


def no_nul(value: str) -> str:
    """PostgreSQL text cannot hold NUL; refusing it here keeps it a 422 instead of a database error."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


# The former private names, kept as aliases for modules that still import them.


def _sane_date(value: date) -> date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(f"must lie between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}")
    return value


Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
    AfterValidator(no_line_breaks),
]


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(no_line_breaks),
]


Reference = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(no_line_breaks),
]


SaneDate = Annotated[date, AfterValidator(_sane_date)]


POLICY_AREA_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


PolicyArea = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=POLICY_AREA_PATTERN, max_length=80),
]


Email = Annotated[EmailStr, AfterValidator(no_line_breaks), StringConstraints(max_length=320)]


Id = Annotated[int, Field(ge=1, le=2**31 - 1)]


Comment = Annotated[str, StringConstraints(max_length=4000), AfterValidator(no_nul)]


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid")
