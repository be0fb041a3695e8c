"""A strategy's recorded edits in a portfolio file, checked as ``update_strategy`` records them:
fields a ``PATCH`` may change, values of their types, days not in the future nor before the
previous edit, and the last change of each field leaving the value the strategy has now (so
undoing the edits, as ``workflow.gaps`` does for a report as known on a day, gives back the past).

In the file a strategy is named by key (``predecessor``) and an institution by name
(``lead_institution``); stored revisions hold ids (``predecessor_id``, ``lead_institution_id``),
translated both ways here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import TypeAdapter, ValidationError

from workflow.core import Name, PolicyArea, SaneDate, Title, future_detail
from workflow.lifecycle import ConsultationDays, Offsets
from workflow.portfolio.schema import Key, StrategyRow

_DAY: TypeAdapter[Any] = TypeAdapter(SaneDate | None)
_OFFSETS: TypeAdapter[Any] = TypeAdapter(Offsets | None)
VALUES: dict[str, TypeAdapter[Any]] = {
    "title": TypeAdapter(Title | None),
    "policy_area": TypeAdapter(PolicyArea | None),
    "predecessor": TypeAdapter(Key | None),
    "lead_institution": TypeAdapter(Name | None),
    "period_start": _DAY, "period_end": _DAY, "drafting_started_on": _DAY,
    "drafting_due": _DAY, "consultation_due": _DAY, "approval_due": _DAY,
    "min_consultation_days": TypeAdapter(ConsultationDays | None),
    "reminder_offsets": _OFFSETS, "overdue_offsets": _OFFSETS,
}
STORED_NAMES = {"predecessor": "predecessor_id", "lead_institution": "lead_institution_id"}
FILE_NAMES = {stored: name for name, stored in STORED_NAMES.items()}
# A first step dated before a fresh draft's drafting start moves it back without a revision.
_UNCHAINED = frozenset({"drafting_started_on"})


@dataclass(frozen=True)
class CheckedRevision:
    effective_on: date
    effective_on_approximate: bool
    actor: str | None
    changes: dict[str, tuple[Any, Any]]  # file names, values of their types


def check_revisions(
    row: StrategyRow, *, today: date, resolvable: Callable[[str, str], bool]
) -> tuple[list[CheckedRevision], list[tuple[tuple[str | int, ...], str]]]:
    """The revisions with typed values, and (field path, detail) for each problem.
    ``resolvable(kind, value)`` says whether a ``predecessor`` key or ``lead_institution`` name resolves."""
    checked: list[CheckedRevision] = []
    errors: list[tuple[tuple[str | int, ...], str]] = []
    previous: date | None = None
    last: dict[str, tuple[int, Any]] = {}
    for index, revision in enumerate(row.revisions):
        at: tuple[str | int, ...] = ("revisions", index)
        if revision.effective_on > today:
            errors.append(((*at, "effective_on"), future_detail(today)))
        elif previous is not None and revision.effective_on < previous:
            errors.append(((*at, "effective_on"),
                           f"must not precede the previous change, effective on {previous.isoformat()}"))
        previous = revision.effective_on
        changes: dict[str, tuple[Any, Any]] = {}
        for name, pair in revision.changes.items():
            where = (*at, "changes", name)
            adapter = VALUES.get(name)
            if adapter is None:
                errors.append((where, f"not a field an edit changes (one of: {', '.join(VALUES)})"))
                continue
            try:
                values = (adapter.validate_python(pair[0]), adapter.validate_python(pair[1]))
            except ValidationError as exc:
                errors.append((where, str(exc.errors()[0]["msg"]).removeprefix("Value error, ")))
                continue
            for value in values:
                if name in STORED_NAMES and value is not None and not resolvable(name, value):
                    errors.append((where, f"{value!r} is not in the file nor in the database"))
            changes[name] = values
            last[name] = (index, values[1])
        checked.append(
            CheckedRevision(revision.effective_on, revision.effective_on_approximate, revision.actor, changes))
    current = _current(row)
    for name, (index, value) in last.items():
        if name not in _UNCHAINED and _comparable(name, value) != _comparable(name, current[name]):
            errors.append((("revisions", index, "changes", name),
                           f"the last change must leave the value the strategy has: {_shown(current[name])}"))
    return checked, errors


def stored_changes(
    revision: CheckedRevision, *, strategy_ids: Mapping[str, int], institution_ids: Mapping[str, int]
) -> dict[str, list[Any]]:
    """The changes as ``strategy_revisions.changes`` holds them: ids for names, ISO dates."""

    def stored(name: str, value: Any) -> Any:
        if value is None:
            return None
        if name == "predecessor":
            return strategy_ids[value]
        if name == "lead_institution":
            return institution_ids[value.lower()]
        return value.isoformat() if isinstance(value, date) else value

    return {STORED_NAMES.get(name, name): [stored(name, old), stored(name, new)]
            for name, (old, new) in revision.changes.items()}


def file_changes(
    changes: Mapping[str, list[Any]], *, strategy_keys: Mapping[int, str], institution_names: Mapping[int, str]
) -> dict[str, list[Any]]:
    """Stored changes as the file writes them: keys and names for ids."""

    def named(stored_name: str, value: Any) -> Any:
        if value is None:
            return None
        if stored_name == "predecessor_id":
            return strategy_keys[value]
        if stored_name == "lead_institution_id":
            return institution_names[value]
        return value

    return {FILE_NAMES.get(name, name): [named(name, old), named(name, new)] for name, (old, new) in changes.items()}


def _current(row: StrategyRow) -> dict[str, Any]:
    return {
        "title": row.title, "policy_area": row.policy_area, "predecessor": row.predecessor,
        "lead_institution": row.lead_institution, "period_start": row.start, "period_end": row.end,
        "drafting_started_on": row.drafting_started_on, "drafting_due": row.drafting_due,
        "consultation_due": row.consultation_due, "approval_due": row.approval_due,
        "min_consultation_days": row.min_consultation_days, "reminder_offsets": row.reminder_offsets,
        "overdue_offsets": row.overdue_offsets,
    }


def _comparable(name: str, value: Any) -> Any:
    return value.lower() if name == "lead_institution" and isinstance(value, str) else value


def _shown(value: Any) -> str:
    if value is None:
        return "none"
    return value.isoformat() if isinstance(value, date) else repr(value)
