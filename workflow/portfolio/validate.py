"""The checks only the whole file can answer, pure: names and keys unique, references resolve to
rows listed before (or to strategies imported before, by key), periods in order, and the links
between strategies as the strategy service allows them (``lifecycle.strategies``: a parent is a
strategy whose period contains its action plan's, a predecessor is of the same kind and policy
area, a standalone action plan succeeds a standalone one). Each failure names the field to fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from workflow.directory import address_key
from workflow.portfolio.problems import RowError
from workflow.portfolio.reading import Parsed, row_label
from workflow.portfolio.schema import StrategyRow

INSIDE_PREDECESSOR = "an action plan of a strategy succeeds an action plan of a strategy, not a standalone one"
STANDALONE_PREDECESSOR = "a standalone action plan succeeds a standalone action plan, not one inside a strategy"


@dataclass(frozen=True)
class LinkFacts:
    """What the link rules read of a strategy another one names as parent or predecessor."""

    kind: str
    policy_area: str
    standalone: bool
    start: date
    end: date


def check(parsed: Parsed, known: Mapping[str, LinkFacts]) -> list[RowError]:
    """Every cross-row error of the rows that fit the format; ``known`` holds strategies already in the
    database by key, for references to rows the file does not list."""
    institutions = _institutions(parsed)
    errors = list(institutions.errors)
    errors += _contacts(parsed, institutions.names)
    errors += _strategies(parsed, institutions.names, known)
    return errors


@dataclass
class _Institutions:
    names: set[str]
    errors: list[RowError]


def _institutions(parsed: Parsed) -> _Institutions:
    first: dict[str, int] = {}
    errors = []
    for index, row in parsed.institutions:
        name = row.name.lower()
        if name in first:
            errors.append(RowError("institutions", index, ("name",),
                                   f"appears twice in the file (also institutions[{first[name]}])", f"name {row.name}"))
        first.setdefault(name, index)
    return _Institutions(set(first) | parsed.broken["institutions"], errors)


def _contacts(parsed: Parsed, institutions: set[str]) -> list[RowError]:
    first: dict[tuple[str, str], int] = {}
    errors = []
    for index, row in parsed.contacts:
        label = f"email {row.email}"
        if row.institution.lower() not in institutions:
            errors.append(RowError("contacts", index, ("institution",),
                                   f"no institution named {row.institution!r} among the file's institutions", label))
        pair = (row.institution.lower(), address_key(row.email))
        if pair in first:
            errors.append(RowError("contacts", index, ("email",),
                                   f"appears twice for {row.institution!r} (also contacts[{first[pair]}])", label))
        first.setdefault(pair, index)
    return errors


def _strategies(parsed: Parsed, institutions: set[str], known: Mapping[str, LinkFacts]) -> list[RowError]:
    listed = {row.key for _, row in parsed.strategies} | parsed.broken["strategies"]
    seen: dict[str, tuple[int, LinkFacts | None]] = {}
    errors: list[RowError] = []
    for index, row in parsed.strategies:
        problems = _Problems(index, row)
        if row.key in seen:
            problems.add(("key",), f"appears twice in the file (also strategies[{seen[row.key][0]}])")
        if row.lead_institution.lower() not in institutions:
            problems.add(("lead_institution",),
                         f"no institution named {row.lead_institution!r} among the file's institutions")
        facts = _period(row, problems)
        for name in ("parent", "predecessor"):
            ref = getattr(row, name)
            if ref is None or ref in parsed.broken["strategies"]:
                continue
            if ref == row.key:
                problems.add((name,), "a strategy cannot name itself")
            elif ref in seen:
                _links(row, name, seen[ref][1], facts, problems)
            elif ref in listed:
                problems.add((name,), f"{ref!r} must be listed before it")
            elif ref in known:
                _links(row, name, known[ref], facts, problems)
            else:
                problems.add((name,), f"no strategy with key {ref!r} in the file or the database")
        if row.kind == "strategy" and row.parent is not None:
            problems.add(("parent",), "only an action plan has a parent strategy (one without is a standalone plan)")
        seen.setdefault(row.key, (index, facts))
        errors += problems.found
    return errors


class _Problems:
    def __init__(self, index: int, row: StrategyRow) -> None:
        self.index, self.label, self.found = index, row_label("strategies", {"key": row.key}), list[RowError]()

    def add(self, field: tuple[str | int, ...], detail: str) -> None:
        self.found.append(RowError("strategies", self.index, field, detail, self.label))


def start_field(row: StrategyRow) -> str:
    return "period_start" if row.period_start is not None else "first_year"


def end_field(row: StrategyRow) -> str:
    return "period_end" if row.period_end is not None else "last_year"


def _period(row: StrategyRow, problems: _Problems) -> LinkFacts | None:
    for year, day in (("first_year", "period_start"), ("last_year", "period_end")):
        given = [name for name in (year, day) if getattr(row, name) is not None]
        if not given:
            problems.add((year,), f"required (or {day})")
        elif len(given) == 2:
            problems.add((day,), f"give {year} or {day}, not both")
    start, end = row.start, row.end
    if start is None or end is None:
        return None
    if end <= start:
        problems.add((end_field(row),), f"the period must end after it starts ({start.isoformat()})")
        return None
    return LinkFacts(row.kind, row.policy_area, row.parent is None, start, end)


def _links(row: StrategyRow, name: str, other: LinkFacts | None, own: LinkFacts | None, problems: _Problems) -> None:
    """The rules ``lifecycle.strategies`` applies to ``parent_id`` and ``predecessor_id``, on the file's rows."""
    if other is None or own is None:
        return
    if name == "parent":
        if row.kind != "action_plan":
            return
        if other.kind != "strategy":
            problems.add(("parent",), "the parent must be a strategy, not an action plan")
            return
        if own.start < other.start:
            problems.add((start_field(row),), f"the action plan starts before its strategy ({other.start.isoformat()})")
        if own.end > other.end:
            problems.add((end_field(row),), f"the action plan ends after its strategy ({other.end.isoformat()})")
        return
    if other.kind != row.kind:
        problems.add(("predecessor",), f"the predecessor is a {other.kind}, not a {row.kind}")
    elif other.policy_area != row.policy_area:
        problems.add(("predecessor",), f"the predecessor belongs to policy area {other.policy_area!r}")
    elif row.kind == "action_plan" and own.standalone and not other.standalone:
        problems.add(("predecessor",), STANDALONE_PREDECESSOR)
    elif row.kind == "action_plan" and not own.standalone and other.standalone:
        problems.add(("predecessor",), INSIDE_PREDECESSOR)
