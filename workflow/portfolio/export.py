"""``export_portfolio``: the database as a portfolio file, read in chunks and written as it goes.

Every institution, contact and strategy, whatever its dates: a period of whole calendar years as
``first_year``/``last_year`` (as the demo's file has it), any other as ``period_start``/``period_end``;
each strategy with its stage history (actor, comment, approximate days, the approval act and the
expiry reason on their steps) and its revisions. A strategy is named by its ``import_key``, or,
when it has none (created through the API or the console), by ``strategy-<id>``. Strategies come
in id order, except that one naming a strategy written after it waits for that one, since a file
lists what a row names before the row.

Not exported (the README says so too): consultation rounds and their records, monitoring plans
and reports, reporting cycles, API tokens and sign-ins, console access roles, the reminder
ledger, the working calendar's declared days, the outbox, and people who left (deactivated
contacts: importing the file must not make them recipients again). Re-importing an export into an empty
database gives back what was exported; exporting that again writes the same file.

On PostgreSQL the reads run in one REPEATABLE READ transaction, so the file is one consistent
snapshot even while others write.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, TextIO

from sqlalchemy import select
from sqlmodel import Session, col

from workflow.access import LOCAL_ADMIN_EMAIL
from workflow.directory import IMMEDIATE, Contact, Institution
from workflow.lifecycle import StageChange, Strategy, StrategyRevision
from workflow.portfolio.revisions import file_changes

CHUNK = 2_000
ABOUT = "A Continuum portfolio, written by `continuum export`; `continuum import` reads it."
NOTES = [
    "Institutions, contacts, and strategies with their stage history and revisions. Not exported: the local "
    "administrator (each deployment makes its own), consultation rounds, monitoring plans and reports, tokens "
    "and sign-ins, console access roles, the reminder ledger, declared non-working days, the event feed.",
]
_OPTIONAL = ("drafting_due", "consultation_due", "approval_due", "min_consultation_days", "reminder_offsets",
             "overdue_offsets")


@dataclass
class Exported:
    institutions: int = 0
    contacts: int = 0
    strategies: int = 0
    stage_changes: int = 0
    revisions: int = 0

    def summary(self) -> str:
        return (f"exported {self.institutions} institutions, {self.contacts} contacts, {self.strategies} strategies "
                f"({self.stage_changes} stage changes, {self.revisions} revisions)")


def export_portfolio(session: Session, out: TextIO) -> Exported:
    """Write the portfolio to ``out``; ``session`` should be fresh (its transaction is the snapshot)."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    exported = Exported()
    rows = session.execute(select(col(Institution.id), col(Institution.name)).order_by(col(Institution.id)))
    names = {institution_id: name for institution_id, name in rows}
    out.write("{\n")
    out.write(f'  "about": {_dump(ABOUT)},\n  "modelling_notes": {_dump(NOTES)},\n')
    exported.institutions = _section(out, "institutions", ({"name": name} for name in names.values()))
    out.write(",\n")
    exported.contacts = _section(out, "contacts", _contacts(session, names))
    out.write(",\n")
    strategies = _Strategies(session, names, exported)
    exported.strategies = _section(out, "strategies", strategies.items())
    out.write("\n}\n")
    return exported


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _section(out: TextIO, name: str, items: Iterator[dict[str, Any]]) -> int:
    count = 0
    out.write(f'  "{name}": [')
    for item in items:
        out.write(("\n" if count == 0 else ",\n") + "    " + _dump(item))
        count += 1
    out.write("\n  ]" if count else "]")
    return count


def _contacts(session: Session, names: dict[int, str]) -> Iterator[dict[str, Any]]:
    after = 0
    while True:
        rows = session.execute(
            select(col(Contact.id), col(Contact.name), col(Contact.email), col(Contact.institution_id),
                   col(Contact.language), col(Contact.roles), col(Contact.delivery))
            .where(col(Contact.id) > after, col(Contact.deactivated_at).is_(None))
            .order_by(col(Contact.id)).limit(CHUNK)).all()
        for contact_id, name, email, institution_id, language, roles, delivery in rows:
            after = contact_id
            if email == LOCAL_ADMIN_EMAIL:  # this machine's own administrator: each deployment makes its own
                continue
            item = {"name": name, "email": email, "institution": names[institution_id], "language": language,
                    "roles": roles}
            yield item if delivery == IMMEDIATE else {**item, "delivery": delivery}
        if len(rows) < CHUNK:
            return


class _Strategies:
    def __init__(self, session: Session, names: dict[int, str], exported: Exported) -> None:
        self.session, self.names, self.exported = session, names, exported
        rows = session.execute(
            select(col(Strategy.id), col(Strategy.import_key), col(Strategy.parent_id), col(Strategy.predecessor_id))
            .order_by(col(Strategy.id))).all()
        taken = {key for _, key, _, _ in rows if key}
        self.keys: dict[int, str] = {}
        for strategy_id, key, _, _ in rows:
            self.keys[strategy_id] = key or _free_key(f"strategy-{strategy_id}", taken)
        self.links = {strategy_id: {ref for ref in (parent, predecessor) if ref is not None and ref != strategy_id}
                      for strategy_id, _, parent, predecessor in rows}

    def items(self) -> Iterator[dict[str, Any]]:
        """In id order; one naming a strategy not written yet waits for it (then for all it names)."""
        written: set[int] = set()
        waiting: dict[int, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
        for strategy_id, item in self._in_id_order():
            missing = [ref for ref in self.links[strategy_id] if ref not in written]
            if missing:
                waiting[missing[0]].append((strategy_id, item))
                continue
            ready = [(strategy_id, item)]
            while ready:
                done_id, done = ready.pop(0)
                written.add(done_id)
                yield done
                for queued_id, queued in waiting.pop(done_id, []):
                    still = [ref for ref in self.links[queued_id] if ref not in written]
                    (waiting[still[0]] if still else ready).append((queued_id, queued))
        for _, left in sorted((pair for pairs in waiting.values() for pair in pairs), key=lambda pair: pair[0]):
            yield left  # a cycle of links: written anyway, import will say which row names a later one

    def _in_id_order(self) -> Iterator[tuple[int, dict[str, Any]]]:
        after = 0
        columns = [col(getattr(Strategy, name)) for name in _COLUMNS]
        while True:
            rows = self.session.execute(select(*columns).where(col(Strategy.id) > after).order_by(col(Strategy.id))
                                        .limit(CHUNK)).all()
            if not rows:
                return
            first, last = rows[0][0], rows[-1][0]
            history = self._history(first, last)
            revisions = self._revisions(first, last)
            for values in rows:
                strategy = dict(zip(_COLUMNS, values, strict=True))
                yield strategy["id"], self._item(strategy, history.get(strategy["id"], []),
                                                 revisions.get(strategy["id"], []))
            after = last
            if len(rows) < CHUNK:
                return

    def _history(self, first: int, last: int) -> dict[int, list[Any]]:
        found: dict[int, list[Any]] = defaultdict(list)
        rows = self.session.execute(
            select(col(StageChange.strategy_id), col(StageChange.event), col(StageChange.effective_on),
                   col(StageChange.effective_on_approximate), col(StageChange.comment), col(StageChange.actor))
            .where(col(StageChange.strategy_id).between(first, last))
            .order_by(col(StageChange.strategy_id), col(StageChange.id)))
        for strategy_id, *row in rows:
            found[strategy_id].append(row)
        return found

    def _revisions(self, first: int, last: int) -> dict[int, list[Any]]:
        found: dict[int, list[Any]] = defaultdict(list)
        rows = self.session.execute(
            select(col(StrategyRevision.strategy_id), col(StrategyRevision.effective_on),
                   col(StrategyRevision.effective_on_approximate), col(StrategyRevision.actor),
                   col(StrategyRevision.changes))
            .where(col(StrategyRevision.strategy_id).between(first, last))
            .order_by(col(StrategyRevision.strategy_id), col(StrategyRevision.id)))
        for strategy_id, *row in rows:
            found[strategy_id].append(row)
        return found

    def _item(self, s: dict[str, Any], history: list[Any], revisions: list[Any]) -> dict[str, Any]:
        item: dict[str, Any] = {"key": self.keys[s["id"]], "title": s["title"], "policy_area": s["policy_area"],
                                "kind": s["kind"]}
        if s["parent_id"] is not None:
            item["parent"] = self.keys[s["parent_id"]]
        if s["predecessor_id"] is not None:
            item["predecessor"] = self.keys[s["predecessor_id"]]
        item["lead_institution"] = self.names[s["lead_institution_id"]]
        start, end = s["period_start"], s["period_end"]
        if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
            item |= {"first_year": start.year, "last_year": end.year}
        else:
            item |= {"period_start": start.isoformat(), "period_end": end.isoformat()}
        item["drafting_started_on"] = s["drafting_started_on"].isoformat()
        item |= {name: _json(s[name]) for name in _OPTIONAL if s[name] is not None}
        if history:
            item["history"] = [_step(s, *row) for row in history]
            self.exported.stage_changes += len(history)
        if revisions:
            item["revisions"] = [self._revision(*row) for row in revisions]
            self.exported.revisions += len(revisions)
        return item

    def _revision(self, effective_on: date, approximate: bool, actor: str | None, changes: Any) -> dict[str, Any]:
        revision: dict[str, Any] = {"effective_on": effective_on.isoformat()}
        if approximate:
            revision["effective_on_approximate"] = True
        if actor:
            revision["actor"] = actor
        revision["changes"] = file_changes(changes, strategy_keys=self.keys, institution_names=self.names)
        return revision


_COLUMNS = ("id", "title", "policy_area", "kind", "parent_id", "predecessor_id", "lead_institution_id",
            "period_start", "period_end", "drafting_started_on", *_OPTIONAL, "approval_reference",
            "approval_reference_unknown", "approved_on", "expiry_reason")


def _step(s: dict[str, Any], event: str, effective_on: date, approximate: bool, comment: str | None,
          actor: str) -> dict[str, Any]:
    """A history row as a step: the approval's act and date and an early expiry's reason live on the
    strategy (one approval, one expiry each), and come back on their steps."""
    step: dict[str, Any] = {"event": event, "effective_on": effective_on.isoformat()}
    if approximate:
        step["effective_on_approximate"] = True
    if event == "approve":
        if s["approved_on"] is not None:
            step["approved_on"] = s["approved_on"].isoformat()
        if s["approval_reference_unknown"]:
            step["approval_reference_unknown"] = True
        elif s["approval_reference"] is not None:
            step["approval_reference"] = s["approval_reference"]
    if event == "expire" and s["expiry_reason"] in ("superseded", "terminated"):
        step["reason"] = s["expiry_reason"]
    if comment is not None:
        step["comment"] = comment
    step["actor"] = actor
    return step


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _free_key(candidate: str, taken: set[str]) -> str:
    key, n = candidate, 1
    while key in taken:
        n += 1
        key = f"{candidate}-{n}"
    taken.add(key)
    return key
