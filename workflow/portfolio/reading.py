"""Reading a portfolio file: every row checked alone, every bad field reported, not only the first.

The whole file is validated in one pass (pydantic parses the JSON itself, the fast path). Only when
that fails is each row validated alone, so that each error names its row by key (or name, or
address) and the rows that are fine can still be checked against each other (``Parsed.broken``
holds the keys and names of the rows that are not, so a reference to one is not reported again).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError

from workflow.portfolio.problems import Part, RowError
from workflow.portfolio.schema import SECTIONS, ContactRow, InstitutionRow, PortfolioFile, StrategyRow

ROW_LABELS = {"institutions": "name", "contacts": "email", "strategies": "key"}


@dataclass
class Parsed:
    """The rows that fit the format, by their index in the file, and the errors of those that do not."""

    institutions: list[tuple[int, InstitutionRow]] = field(default_factory=list)
    contacts: list[tuple[int, ContactRow]] = field(default_factory=list)
    strategies: list[tuple[int, StrategyRow]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    broken: dict[str, set[str]] = field(default_factory=lambda: {section: set() for section in SECTIONS})


def parse(text: str | bytes) -> Parsed:
    try:
        whole = PortfolioFile.model_validate_json(text)
    except ValidationError:
        return _row_by_row(text)
    return Parsed(
        institutions=list(enumerate(whole.institutions)),
        contacts=list(enumerate(whole.contacts)),
        strategies=list(enumerate(whole.strategies)),
    )


def row_label(section: str, raw: Any) -> str:
    """How an error names the row: ``key migration-2019-2022``, ``name Ministry of Interior``."""
    name = ROW_LABELS.get(section)
    value = raw.get(name) if isinstance(raw, dict) and name else None
    return f"{name} {value}" if isinstance(value, str) and value else ""


def _row_by_row(text: str | bytes) -> Parsed:
    parsed = Parsed()
    try:
        raw = json.loads(text)
    except ValueError as exc:
        parsed.errors.append(RowError("", -1, (), f"not a JSON document: {exc}"))
        return parsed
    if not isinstance(raw, dict):
        parsed.errors.append(RowError("", -1, (), "must be a JSON object with institutions, contacts and strategies"))
        return parsed
    header = {name: raw[name] for name in ("about", "modelling_notes") if name in raw}
    extra = sorted(set(raw) - set(PortfolioFile.model_fields))
    parsed.errors += [RowError("", -1, (name,), "not a field of a portfolio file") for name in extra]
    try:
        PortfolioFile.model_validate(header)
    except ValidationError as exc:
        parsed.errors += [RowError("", -1, _loc(e["loc"]), _message(e)) for e in exc.errors()]
    for section, model in SECTIONS.items():
        rows = raw.get(section, [])
        if not isinstance(rows, list):
            parsed.errors.append(RowError(section, -1, (), "must be a list"))
            continue
        adapter: TypeAdapter[Any] = TypeAdapter(model)
        good: list[tuple[int, Any]] = getattr(parsed, section)
        for index, row in enumerate(rows):
            try:
                good.append((index, adapter.validate_python(row)))
            except ValidationError as exc:
                label = row_label(section, row)
                parsed.errors += [RowError(section, index, _loc(e["loc"]), _message(e), label) for e in exc.errors()]
                name = ROW_LABELS[section]
                if isinstance(row, dict) and isinstance(row.get(name), str):
                    parsed.broken[section].add(row[name].lower() if section != "strategies" else row[name])
    return parsed


def _loc(loc: Sequence[Any]) -> tuple[Part, ...]:
    return tuple(part if isinstance(part, int) else str(part) for part in loc)


def _message(error: Any) -> str:
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "missing":
        return "required"
    return message
