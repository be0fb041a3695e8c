"""Plain-text tables for the operator commands."""

from __future__ import annotations

from collections.abc import Sequence


def render_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    table = [tuple(columns), *rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(columns))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=False)).rstrip() for r in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
