"""A synthetic deployment of any size, written straight into the tables, for the scale benchmarks.

``build(engine, strategies=N, today=...)`` writes N documents in policy areas of five, each area
led by one institution with two coordinators, an escalation contact and a contact point:

* three successive five-year strategies that lapsed (each approved, then expired; every other one
  naming its predecessor);
* the current strategy, in force (implementation or monitoring), lapsing somewhere in the next
  three years, so some lapses are inside the gap horizon and some of those have no timely successor;
* its successor, in drafting, consultation or approval, with the current stage's due date spread
  over the next 200 days (some within the reminder offsets, some overdue).

Dates are relative to ``today``, so the share of deadlines due on a day does not depend on when
the benchmark runs. Rows are written with ids chosen here, in a few multi-row INSERTs per table;
nothing goes through the services (``benchmarks/portfolio_import.py`` measures that path).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine, insert, text

from workflow.core.db import unit_of_work
from workflow.directory import Contact, Institution
from workflow.lifecycle import StageChange, Strategy

AREA_SIZE = 5
_CHUNK = 5_000


@dataclass(frozen=True)
class Built:
    strategies: int
    areas: int
    institutions: int
    contacts: int
    stage_changes: int


class _Rows:
    def __init__(self, now: datetime) -> None:
        self.now = now
        self.strategies: list[dict[str, Any]] = []
        self.changes: list[dict[str, Any]] = []

    def strategy(self, area: str, lead: int, start: date, end: date, steps: list[tuple[str, str, str, date]], *,
                 predecessor_id: int | None = None, due: dict[str, date] | None = None) -> int:
        strategy_id = len(self.strategies) + 1
        first = steps[0][3] if steps else min(start - timedelta(days=400), self.now.date())  # never in the future
        approved = next((on for event, _, _, on in steps if event == "approve"), None)
        expired = next((on for event, _, _, on in steps if event == "expire"), None)
        self.strategies.append({
            "id": strategy_id, "title": f"{area} strategy {start.year}-{end.year}", "policy_area": area,
            "kind": "strategy", "parent_id": None, "predecessor_id": predecessor_id, "lead_institution_id": lead,
            "period_start": start, "period_end": end, "stage": steps[-1][2] if steps else "drafting",
            "stage_entered_on": steps[-1][3] if steps else first, "version": 1 + len(steps),
            "drafting_started_on": first, "drafting_due": None, "consultation_due": None, "approval_due": None,
            **(due or {}),
            "approved_on": approved, "approval_reference": "DCM" if approved else None,
            "approval_reference_unknown": False,
            "expired_on": expired, "expiry_reason": "period_ended" if expired else None,
            "created_at": self.now, "updated_at": self.now,
        })
        self.changes += [{"strategy_id": strategy_id, "event": event, "from_stage": a, "to_stage": b,
                          "actor": "synthetic", "comment": None, "effective_on": on,
                          "effective_on_approximate": False, "recorded_at": self.now}
                         for event, a, b, on in steps]
        return strategy_id


Step = tuple[str, str, str, date]


def _approved(approved_on: date, expire_on: date | None = None, *, monitoring: bool = False) -> list[Step]:
    steps = [("submit_for_consultation", "drafting", "consultation", approved_on - timedelta(days=90)),
             ("submit_for_approval", "consultation", "approval", approved_on - timedelta(days=30)),
             ("approve", "approval", "implementation", approved_on)]
    if monitoring:
        steps.append(("start_monitoring", "implementation", "monitoring", approved_on + timedelta(days=30)))
    if expire_on is not None:
        steps.append(("expire", steps[-1][2], "expiry", expire_on))
    return steps


def _successor(stage_index: int, today: date, spread: int) -> tuple[list[tuple[str, str, str, date]], dict[str, date]]:
    """A successor in drafting (0), consultation (1) or approval (2), its stage's due date ``spread``
    days from today (negative: overdue)."""
    due_on = today + timedelta(days=spread)
    if stage_index == 0:
        return [], {"drafting_due": due_on}
    steps = [("submit_for_consultation", "drafting", "consultation", today - timedelta(days=60))]
    if stage_index == 1:
        return steps, {"consultation_due": due_on}
    steps.append(("submit_for_approval", "consultation", "approval", today - timedelta(days=20)))
    return steps, {"approval_due": due_on}


def rows_for(strategies: int, *, today: date, now: datetime) -> tuple[list[dict[str, Any]], list[dict[str, Any]],
                                                                       _Rows]:
    """The institutions, contacts and strategy rows of a deployment of ``strategies`` documents."""
    areas = max(1, strategies // AREA_SIZE)
    institutions = [{"id": i + 1, "name": f"Institution {i + 1:05d}", "created_at": now} for i in range(areas)]
    contacts: list[dict[str, Any]] = []
    for institution in institutions:
        for role, n in (("coordinator", 1), ("coordinator", 2), ("escalation", 1), ("contact_point", 1)):
            email = f"{role}{n}.{institution['id']}@example.org"
            contacts.append({"id": len(contacts) + 1, "name": f"{role.title()} {n} of {institution['id']}",
                             "email": email, "email_key": email, "institution_id": institution["id"],
                             "language": "sq" if institution["id"] % 2 else "en", "roles": [role],
                             "access_role": None, "created_at": now, "updated_at": now})
    rows = _Rows(now)
    this_year = today.year
    for a in range(areas):
        area, lead = f"area-{a:05d}", a + 1
        previous = None
        for i in range(3):
            start = date(this_year - 18 + 5 * i, 1, 1)
            end = date(start.year + 4, 12, 31)
            steps = _approved(start - timedelta(days=10), end + timedelta(days=1))
            previous = rows.strategy(area, lead, start, end, steps, predecessor_id=previous if i % 2 else None)
        lapse = today + timedelta(days=30 + (a * 37) % 1000)
        start = date(this_year - 3, 1, 1)
        current = rows.strategy(area, lead, start, lapse, _approved(start - timedelta(days=10), monitoring=a % 2 == 0),
                                predecessor_id=previous)
        steps, due = _successor(a % 3, today, -10 + (a * 13) % 200)
        rows.strategy(area, lead, lapse + timedelta(days=1), lapse + timedelta(days=5 * 365), steps,
                      predecessor_id=current if a % 2 else None, due=due)
    del rows.strategies[strategies:]
    kept = {row["id"] for row in rows.strategies}
    rows.changes = [change for change in rows.changes if change["strategy_id"] in kept]
    return institutions, contacts, rows


def build(engine: Engine, *, strategies: int, today: date, now: datetime | None = None) -> Built:
    """Write the deployment into an empty, migrated database; returns what was written."""
    now = now or datetime.combine(today, time(8), tzinfo=UTC)
    institutions, contacts, rows = rows_for(strategies, today=today, now=now)
    with unit_of_work(engine) as session:
        for table, values in ((Institution, institutions), (Contact, contacts), (Strategy, rows.strategies),
                              (StageChange, rows.changes)):
            for offset in range(0, len(values), _CHUNK):
                session.execute(insert(table), values[offset:offset + _CHUNK])
        if engine.dialect.name == "postgresql":  # ids were given: move the sequences past them
            for table in ("institutions", "contacts", "strategies", "stage_changes"):
                session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"))
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    return Built(len(rows.strategies), max(1, strategies // AREA_SIZE), len(institutions), len(contacts),
                 len(rows.changes))
