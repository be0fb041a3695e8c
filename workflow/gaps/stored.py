"""The gap report as stored between passes: one row per strategy (``GapReportRow``) and the values
that say whether the rows are still today's (``GapReportState``). Pure: encoding and comparing.

**No horizon in the rows.** Whether a late successor makes a strategy ``at_risk`` or ``ok`` depends
only on how far its lapse is (``rules``: at risk when late and the lapse is within the horizon).
So the rows keep the status an unbounded horizon gives, and each reader applies its own: the gap
watch ``gap_lead_days``, ``GET /gaps`` ``gap_horizon_days`` or the ``horizon_days`` asked for
(``status_within``). One set of rows serves them all.

**An order every database keeps.** ``GET /gaps`` pages with a cursor in the report's order
(policy area, strategies before action plans, parent, lapse, id). Text columns compare by the
database's collation, which may ignore hyphens or treat two letters as one (Albanian ``sh``), so
``sort_key`` spells the order in digits alone: each byte of the area's UTF-8 as three digits
(100-355), a ``0`` after the area (below any byte: a shorter area first), then fixed-width numbers.
Byte order is code point order, so the key sorts as Python sorts the report.

**Fingerprints.** The entries depend on the deployment timezone (the local day a record was
created) and the default stage durations; the warnings and announcements also on the lead time,
the offsets, the send hour and the working calendar. A digest of each is stored with the rows: a
reader with other settings does not use them, and the watch works everything out again.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from workflow.calendar import WorkingCalendar
from workflow.core import Settings
from workflow.gaps.forecast import PIPELINE, StageStep
from workflow.gaps.rules import AT_RISK, OK, STATUSES, GapEntry
from workflow.lifecycle import Stage

STATE_ID = 1
RULES_VERSION = 3  # 2: pipeline risk and forecast ranges (issue 15); 3: ranges with approximate days and a
# lower end. Rows judged by another version are judged again.
UNBOUNDED = 10_000_000  # days: a horizon past every lapse, for the statuses stored (see the module)
SORT_KEY = re.compile(r"^[0-9]{1,310}$")  # a cursor: anchored, as query parameters are searched
_DATE_FIELDS = frozenset({
    "in_force_from", "lapses_on", "successor_in_force_from", "projected_successor_approval",
    "projected_successor_approval_upper", "projected_successor_approval_lower", "act_by",
})


def sort_key(entry: GapEntry) -> str:
    """The entry's place in the report's order, in digits (see the module)."""
    area = "".join(f"{byte + 100:03d}" for byte in entry.policy_area.encode())
    plan = "1" if entry.kind != "strategy" else "0"
    return f"{area}0{plan}{entry.parent_id or 0:012d}{entry.lapses_on:%Y%m%d}{entry.strategy_id:012d}"


def status_within(status: str, lapses_on: date, *, today: date, horizon_days: int,
                  risk_rule: str | None = None) -> str:
    """A stored status as a report with ``horizon_days`` reads it: at risk by the horizon rule only
    within the horizon; at risk by the pipeline rule however far the lapse is."""
    if status == AT_RISK and risk_rule != PIPELINE and (lapses_on - today).days > horizon_days:
        return OK
    return status


def at_horizon(entry: GapEntry, *, today: date, horizon_days: int) -> GapEntry:
    status = status_within(entry.status, entry.lapses_on, today=today, horizon_days=horizon_days,
                           risk_rule=entry.risk_rule)
    return entry if status == entry.status else _replace_status(entry, status)


def _replace_status(entry: GapEntry, status: str) -> GapEntry:
    values = {f.name: getattr(entry, f.name) for f in fields(GapEntry)}
    values["status"] = status
    if status != AT_RISK:
        values["risk_rule"] = None
    return GapEntry(**values)


def risk_key(entry: GapEntry) -> str:
    """The entry's place in the order of gap risk (highest first, then the report's order), in digits."""
    share = round((entry.gap_risk or 0.0) * 1000)
    return f"{1000 - share:04d}{sort_key(entry)}"


def entry_json(entry: GapEntry) -> dict[str, Any]:
    """The entry as JSON values: dates as ISO text, projection steps as
    [stage, ends_on, basis, upper_ends_on, samples, due_on]."""
    values: dict[str, Any] = {}
    for f in fields(GapEntry):
        value = getattr(entry, f.name)
        if f.name == "projection_steps":
            value = [[step.stage.value, step.ends_on.isoformat(), step.basis, _iso(step.upper_ends_on), step.samples,
                      _iso(step.due_on)] for step in value]
        elif isinstance(value, date):
            value = value.isoformat()
        values[f.name] = value
    return values


def entry_of(values: dict[str, Any]) -> GapEntry:
    """``entry_json`` read back."""
    decoded = dict(values)
    for name in _DATE_FIELDS:
        if decoded.get(name) is not None:
            decoded[name] = date.fromisoformat(decoded[name])
    decoded["projection_steps"] = tuple(
        StageStep(Stage(stage), date.fromisoformat(ends_on), basis, _day(upper), samples, _day(due))
        for stage, ends_on, basis, upper, samples, due in decoded["projection_steps"]
    )
    return GapEntry(**decoded)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text is not None else None


def _digest(values: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


def settings_fingerprint(settings: Settings) -> str:
    """The settings the entries depend on."""
    return _digest({
        "timezone": settings.timezone,
        "rules": RULES_VERSION,
        "typical": [settings.typical_drafting_days, settings.typical_consultation_days,
                    settings.typical_approval_days],
    })


def watch_fingerprint(settings: Settings, calendar: WorkingCalendar) -> str:
    """The settings and the calendar the warnings and announcements depend on."""
    return _digest({
        "timezone": settings.timezone,
        "lead": settings.gap_lead_days,
        "offsets": sorted(settings.gap_warning_offsets),
        "send_hour": settings.send_hour,
        "country": calendar.country,
        "declared": sorted(calendar.declared),
    })


@dataclass(frozen=True)
class StoredRow:
    """A ``GapReportRow``'s values. Two rows are equal when they were judged alike: ``warn_on``,
    the watch's progress through the warnings, is not compared."""

    strategy_id: int
    policy_area: str
    kind: str
    parent_id: int | None
    predecessor_id: int | None
    entry: GapEntry | None
    warn_on: date | None = field(default=None, compare=False)

    def columns(self) -> dict[str, Any]:
        entry = self.entry
        return {
            "strategy_id": self.strategy_id,
            "policy_area": self.policy_area,
            "kind": self.kind,
            "parent_id": self.parent_id,
            "predecessor_id": self.predecessor_id,
            "status": entry.status if entry else None,
            "lapses_on": entry.lapses_on if entry else None,
            "sort_key": sort_key(entry) if entry else None,
            "risk_rule": entry.risk_rule if entry else None,
            "risk_key": risk_key(entry) if entry else None,
            "entry": entry_json(entry) if entry else None,
        }


@dataclass(frozen=True)
class StatusCounts:
    """The stored entries per status as a report with ``horizon_days`` reads them, kept in the state
    row for the default horizon so that a page of today's whole report counts nothing. Kept as the
    rows are written: every entry on a full judgement, the old and new entries of each row written
    otherwise. ``horizon_days`` None: not kept (a reader counts the rows)."""

    horizon_days: int | None
    by_status: dict[str, int]

    @classmethod
    def of(cls, values: dict[str, Any] | None) -> StatusCounts:
        if not values or values.get("horizon_days") is None:
            return cls(None, {})
        return cls(values["horizon_days"], dict(values["by_status"]))

    def json(self) -> dict[str, Any]:
        return {"horizon_days": self.horizon_days, "by_status": self.by_status}

    @classmethod
    def counted(cls, entries: Iterable[GapEntry | None], *, today: date, horizon_days: int) -> StatusCounts:
        return cls(horizon_days, _tally(entries, today, horizon_days))

    def moved(self, before: Iterable[GapEntry | None], after: Iterable[GapEntry | None], *, today: date,
              horizon_days: int) -> StatusCounts:
        """These counts with ``before`` entries replaced by ``after`` (not kept for another horizon)."""
        if self.horizon_days != horizon_days:
            return StatusCounts(None, {})
        counts = Counter(self.by_status)
        counts.subtract(_tally(before, today, horizon_days))
        counts.update(_tally(after, today, horizon_days))
        return StatusCounts(horizon_days, {status: counts[status] for status in STATUSES})


def _tally(entries: Iterable[GapEntry | None], today: date, horizon_days: int) -> dict[str, int]:
    counts = Counter(status_within(e.status, e.lapses_on, today=today, horizon_days=horizon_days,
                                   risk_rule=e.risk_rule)
                     for e in entries if e is not None)
    return {status: counts[status] for status in STATUSES}
