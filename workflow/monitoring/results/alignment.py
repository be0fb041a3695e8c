"""Alignment reference data shipped with the project (``alignment.json``, with sources), the
tag vocabulary built from it (``gcm:10``, ``sdg:10.7.1``, ``mgi:partnerships``), and coverage:
which items the objectives and measures of a strategy address and which none does."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Item:
    tag: str
    code: str
    label: str


@dataclass(frozen=True)
class Framework:
    key: str
    name: str
    source: str
    items: tuple[Item, ...]


@cache
def frameworks() -> tuple[Framework, ...]:
    data = resources.files("workflow.monitoring.results").joinpath("alignment.json")
    raw = json.loads(data.read_text(encoding="utf-8"))
    return tuple(
        Framework(
            key=f["key"],
            name=f["name"],
            source=f["source"],
            items=tuple(Item(f"{f['key']}:{i['code']}", i["code"], i["label"]) for i in f["items"]),
        )
        for f in raw["frameworks"]
    )


@cache
def known_tags() -> frozenset[str]:
    return frozenset(item.tag for framework in frameworks() for item in framework.items)


def unknown_tags(tags: Iterable[str]) -> list[str]:
    known = known_tags()
    return [tag for tag in tags if tag not in known]


@dataclass(frozen=True)
class CoverageItem:
    tag: str
    label: str
    objective_ids: tuple[int, ...]
    measure_ids: tuple[int, ...]

    @property
    def addressed(self) -> bool:
        return bool(self.objective_ids or self.measure_ids)


def coverage(
    objective_tags: Iterable[tuple[int, Iterable[str]]], measure_tags: Iterable[tuple[int, Iterable[str]]]
) -> dict[str, list[CoverageItem]]:
    """Per framework, every item with the objectives and measures tagged with it."""
    by_objective: dict[str, set[int]] = {}
    by_measure: dict[str, set[int]] = {}
    for owner_id, tags in objective_tags:
        for tag in tags:
            by_objective.setdefault(tag, set()).add(owner_id)
    for owner_id, tags in measure_tags:
        for tag in tags:
            by_measure.setdefault(tag, set()).add(owner_id)
    return {
        framework.key: [
            CoverageItem(
                item.tag,
                item.label,
                tuple(sorted(by_objective.get(item.tag, ()))),
                tuple(sorted(by_measure.get(item.tag, ()))),
            )
            for item in framework.items
        ]
        for framework in frameworks()
    }
