"""What an import would write, decided before anything is: the file's rows matched against the
database by key (institutions by name, contacts by institution and address, strategies by
``import_key``, and, for strategies recorded before keys existed, by title, policy area and kind),
every check run, and every new strategy's history replayed.

Rows found in the database are left as they are, never overwritten; one whose content differs
from the file is reported (``Plan.differing``). Reading the database happens in ``read_context``;
``plan`` is pure.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from workflow.calendar import WorkingCalendar
from workflow.directory import address_key
from workflow.portfolio.context import Context, ExistingStrategy
from workflow.portfolio.problems import RowError
from workflow.portfolio.reading import Parsed, row_label
from workflow.portfolio.replay import Replayed, replay
from workflow.portfolio.revisions import CheckedRevision, check_revisions
from workflow.portfolio.schema import ContactRow, InstitutionRow, StrategyRow
from workflow.portfolio.validate import check

COMPARED = (
    "title", "policy_area", "kind", "lead_institution_id", "parent_id", "predecessor_id", "period_start", "period_end",
    "drafting_due", "consultation_due", "approval_due", "min_consultation_days", "reminder_offsets",
    "overdue_offsets", "stage", "stage_entered_on", "drafting_started_on", "approval_reference",
    "approval_reference_unknown", "approved_on", "expired_on", "expiry_reason",
)


@dataclass(frozen=True)
class PlannedStrategy:
    index: int
    row: StrategyRow
    replayed: Replayed
    revisions: list[CheckedRevision]

    @property
    def through_services(self) -> bool:
        """Consultation rounds are recorded while the strategy is in consultation, as their rules
        require: such a strategy is written through the services, step by step."""
        return bool(self.row.consultation)


@dataclass
class Plan:
    institutions: list[InstitutionRow] = field(default_factory=list)
    contacts: list[ContactRow] = field(default_factory=list)
    strategies: list[PlannedStrategy] = field(default_factory=list)
    institution_ids: dict[str, int] = field(default_factory=dict)  # found, by case-folded name
    strategy_ids: dict[str, int] = field(default_factory=dict)  # found, by key
    keys_to_record: dict[int, str] = field(default_factory=dict)  # found by title: id -> the file's key
    present: Counter[str] = field(default_factory=Counter)
    differing: list[RowError] = field(default_factory=list)


def plan(
    parsed: Parsed, context: Context, *, today: date, default_min_consultation_days: int, calendar: WorkingCalendar
) -> tuple[Plan, list[RowError]]:
    errors = list(parsed.errors) + check(parsed, context.link_facts)
    result = Plan(institution_ids=dict(context.institutions))
    planned_names: set[str] = set()
    for _, institution in parsed.institutions:
        name = institution.name.lower()
        if name in context.institutions:
            result.present["institutions"] += 1
        elif name not in planned_names:
            planned_names.add(name)
            result.institutions.append(institution)
    _plan_contacts(parsed, context, result)
    file_keys = {row.key for _, row in parsed.strategies} | parsed.broken["strategies"]
    names = {row.name.lower() for _, row in parsed.institutions} | parsed.broken["institutions"]

    def resolvable(kind: str, value: str) -> bool:
        if kind == "lead_institution":
            return value.lower() in names
        return value in file_keys or value in context.by_key

    failed = {error.index for error in errors if error.section == "strategies"}
    claimed: set[int] = set()  # a strategy found by title stands for one row of the file
    for index, row in parsed.strategies:
        label = row_label("strategies", {"key": row.key})
        if index in failed:  # its period or links are wrong: a replay would only repeat that
            continue
        replayed = replay(row, today=today, default_min_consultation_days=default_min_consultation_days,
                          calendar=calendar)
        revisions, problems = check_revisions(row, today=today, resolvable=resolvable)
        if isinstance(replayed, list):
            errors += [RowError("strategies", index, e.field, e.detail, label) for e in replayed]
        errors += [RowError("strategies", index, where, detail, label) for where, detail in problems]
        if isinstance(replayed, list) or problems:
            continue
        found = context.by_key.get(row.key)
        if found is None:
            same = context.by_title.get((row.title, row.policy_area, row.kind), [])
            found = next((candidate for candidate in same if candidate.id not in claimed), None)
        if found is None:
            result.strategies.append(PlannedStrategy(index, row, replayed, revisions))
            continue
        result.present["strategies"] += 1
        claimed.add(found.id)
        result.strategy_ids[row.key] = found.id
        if found.key is None:
            result.keys_to_record[found.id] = row.key
        differs = _differences(row, replayed, found, context, result.strategy_ids)
        if differs:
            result.differing.append(RowError(
                "strategies", index, (), f"present already and left as it is; the file differs in {', '.join(differs)}",
                label))
    for key, existing in context.by_key.items():
        result.strategy_ids.setdefault(key, existing.id)
    return result, errors


def _plan_contacts(parsed: Parsed, context: Context, result: Plan) -> None:
    for index, contact in parsed.contacts:
        institution_id = context.institutions.get(contact.institution.lower())
        found = context.contacts.get((institution_id, address_key(contact.email))) if institution_id else None
        if found is None:
            result.contacts.append(contact)
            continue
        result.present["contacts"] += 1
        given = {"name": contact.name, "language": contact.language, "roles": list(dict.fromkeys(contact.roles)),
                 "delivery": contact.delivery}
        differs = [name for name, value in given.items() if value != found.get(name)]
        if differs:
            result.differing.append(RowError(
                "contacts", index, (), f"present already and left as it is; the file differs in {', '.join(differs)}",
                row_label("contacts", {"email": contact.email})))


def _differences(
    row: StrategyRow, replayed: Replayed, found: ExistingStrategy, context: Context, ids: dict[str, int]
) -> list[str]:
    """The fields of a strategy found in the database that the file gives otherwise."""
    wanted: dict[str, Any] = {
        "title": row.title, "policy_area": row.policy_area, "kind": row.kind,
        "lead_institution_id": context.institutions.get(row.lead_institution.lower()),
        "parent_id": _id_of(row.parent, ids, context), "predecessor_id": _id_of(row.predecessor, ids, context),
        "period_start": row.start, "period_end": row.end, "drafting_due": row.drafting_due,
        "consultation_due": row.consultation_due, "approval_due": row.approval_due,
        "min_consultation_days": row.min_consultation_days, "reminder_offsets": row.reminder_offsets,
        "overdue_offsets": row.overdue_offsets, **replayed.columns,
    }
    differs = [name for name in COMPARED if wanted[name] != found.columns.get(name)]
    history = [(c["event"], c["effective_on"], c["effective_on_approximate"], c["comment"]) for c in replayed.changes]
    if history != list(found.history):
        differs.append("history")
    if len(row.revisions) != found.revisions:
        differs.append("revisions")
    return differs


def _id_of(key: str | None, ids: dict[str, int], context: Context) -> int | None:
    if key is None:
        return None
    found = ids.get(key) or (context.by_key[key].id if key in context.by_key else None)
    return found if found is not None else -1  # a strategy the file adds: no row found names it
