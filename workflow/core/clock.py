"""The one clock. Rules take ``now``/``today`` as arguments; only adapters call these."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def now() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    return datetime.now(UTC)


def today(zone: ZoneInfo) -> date:
    """The calendar day it is now in the deployment's timezone."""
    return now().astimezone(zone).date()


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    if instant.tzinfo is None:
        raise ValueError("naive datetime: every instant in Continuum carries its timezone")
    return instant.astimezone(zone).date()
