"""Portfolio files for the tests, as plain data: a row is a dict, a file is a JSON text."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

LEAD = "Ministry of Interior"


def institutions(*names: str) -> list[dict[str, Any]]:
    return [{"name": name} for name in names or (LEAD,)]


def approved(on: date, *, expire_on: date | None = None, reference: str = "DCM No. 1",
             monitoring_on: date | None = None) -> list[dict[str, Any]]:
    """Consultation 90 days before ``on``, submission 30 days before, approval on ``on`` (then expiry)."""
    steps: list[dict[str, Any]] = [
        {"event": "submit_for_consultation", "effective_on": (on - timedelta(days=90)).isoformat()},
        {"event": "submit_for_approval", "effective_on": (on - timedelta(days=30)).isoformat()},
        {"event": "approve", "effective_on": on.isoformat(), "approved_on": on.isoformat(),
         "approval_reference": reference},
    ]
    if monitoring_on is not None:
        steps.append({"event": "start_monitoring", "effective_on": monitoring_on.isoformat()})
    if expire_on is not None:
        steps.append({"event": "expire", "effective_on": expire_on.isoformat()})
    return steps


def strategy(key: str, first_year: int, last_year: int, *, area: str = "migration", lead: str = LEAD,
             history: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    return {"key": key, "title": f"{area} strategy {first_year}-{last_year} ({key})", "policy_area": area,
            "kind": "strategy", "lead_institution": lead, "first_year": first_year, "last_year": last_year,
            "history": history or [], **extra}


def lapsed(key: str, first_year: int, last_year: int, **extra: Any) -> dict[str, Any]:
    """Approved just before its period, expired the day after it."""
    return strategy(key, first_year, last_year,
                    history=approved(date(first_year, 1, 1) - timedelta(days=10),
                                     expire_on=date(last_year + 1, 1, 1)), **extra)


def document(strategies: list[dict[str, Any]], *, contacts: list[dict[str, Any]] | None = None,
             institution_names: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"institutions": institutions(*institution_names), "contacts": contacts or [], "strategies": strategies}


def text(doc: dict[str, Any]) -> str:
    return json.dumps(doc)


def many(count: int, *, area_size: int = 5) -> dict[str, Any]:
    """``count`` lapsed strategies in areas of ``area_size``, each but the first of an area naming the one before."""
    rows = []
    for n in range(count):
        area, place = divmod(n, area_size)
        first = 1990 + 5 * place
        extra = {"predecessor": f"s-{n - 1}"} if place else {}
        rows.append(lapsed(f"s-{n}", first, first + 4, area=f"area-{area}", **extra))
    return document(rows)
