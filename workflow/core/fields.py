"""Field types every request model shares: single-line text, sane dates, ids, emails.

The checks need no database, so a bad field gets the same answer from the API and the CLI.

Types are strict where JSON is loose: a boolean is not a number (``true`` is no id, ``false`` no
number of days: ``Strict()`` ints), and a number is not a date. A date is an ISO 8601 calendar
date string, ``YYYY-MM-DD``, in a body and in a query parameter alike (or a ``date`` from Python
code): no timestamps, no ``0`` for 1970-01-01, no datetimes.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, EmailStr, Field, Strict, StringConstraints
from pydantic_core import PydanticCustomError

EARLIEST_DATE = date(1900, 1, 1)


LATEST_DATE = date(2200, 12, 31)


BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def no_line_breaks(value: str) -> str:
    """Refuse CR, LF and other control characters: these values can reach email headers.
    NEL and the Unicode line/paragraph separators count too: ``str.splitlines`` breaks on them,
    and the mail builder refuses them, so accepting them here would store an unsendable value.
    Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) are refused
    as well: in a single line they make a title, name or subject display reordered ("Trojan Source")."""
    if any(ch in value for ch in "\r\n\x85\u2028\u2029") or any(ord(ch) < 32 and ch != "\t" for ch in value):
        raise ValueError("must be a single line: line breaks and control characters are not allowed")
    if not BIDI_CONTROLS.isdisjoint(value):
        raise ValueError(
            "must not contain bidirectional control characters (U+202A-U+202E, U+2066-U+2069): "
            "they reorder how the text is displayed"
        )
    return value


def no_nul(value: str) -> str:
    """PostgreSQL text cannot hold NUL; refusing it here keeps it a 422 instead of a database error."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


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


DATE_FORM = "a date as YYYY-MM-DD"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def iso_date(value: Any) -> date:
    """Only ``YYYY-MM-DD`` (or a ``date`` handed over by Python code) is a date; the error names the form."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError(
                "date_format", "must be {form}: {value} is not a day of the calendar", {"form": DATE_FORM,
                                                                                       "value": value}
            ) from None
    raise PydanticCustomError("date_format", "must be {form}, e.g. 2024-01-31", {"form": DATE_FORM})


SaneDate = Annotated[date, BeforeValidator(iso_date), AfterValidator(_sane_date)]


POLICY_AREA_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


PolicyArea = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=POLICY_AREA_PATTERN, max_length=80),
]


Email = Annotated[EmailStr, AfterValidator(no_line_breaks), StringConstraints(max_length=320)]


Id = Annotated[int, Strict(), Field(ge=1, le=2**31 - 1)]


Comment = Annotated[str, StringConstraints(max_length=4000), AfterValidator(no_nul)]


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid")
