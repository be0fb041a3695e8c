"""How the commands read their arguments: a day as the API takes it, a policy area and a choice in
whatever case they were typed."""

from __future__ import annotations

import argparse
import re
from datetime import date

from pydantic import TypeAdapter, ValidationError

from workflow.core import POLICY_AREA_PATTERN, SaneDate

_DAY: TypeAdapter[date] = TypeAdapter(SaneDate)


def parse_day(text: str) -> date:
    """A day as the API takes it (``SaneDate``: ``YYYY-MM-DD`` only, within the sane range), with its message."""
    try:
        day: date = _DAY.validate_python(text)
    except ValidationError as exc:
        reason = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise argparse.ArgumentTypeError(f"{text!r}: {reason}") from None
    return day


def policy_area(text: str) -> str:
    """A policy area as stored (``migration``, ``anti-trafficking``), whatever case it was typed in."""
    area = text.strip().lower()
    if not re.fullmatch(POLICY_AREA_PATTERN, area):
        raise argparse.ArgumentTypeError(f"not a policy area (words joined by '-', e.g. migration): {text!r}")
    return area


def choice(text: str) -> str:
    """A choice as the command defines it, whatever case and dashes it was typed with: 'At-Risk' is at_risk."""
    return text.strip().lower().replace("-", "_")
