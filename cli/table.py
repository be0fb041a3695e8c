"""Plain-text tables for the operator commands.

On a terminal a table fits its width: one column (the title) gives way, cut in the middle so
its end, which usually holds a strategy's years, stays readable. Piped into another program the
table keeps every character, so ``| grep`` and ``| cut`` see whole titles.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Sequence

MIN_SHRUNK_WIDTH = 24  # shorter, titles of one series become indistinguishable
GAP = "  "


def truncate(text: str, width: int) -> str:
    """Cut from the middle: a title's end usually holds its years, which tell successors apart."""
    if len(text) <= width:
        return text
    tail = (width - 3) // 3
    return text[: width - 3 - tail] + "..." + text[len(text) - tail :]


def terminal_width() -> int | None:
    """The terminal's width in columns, or None when the output is not a terminal."""
    if not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size(fallback=(120, 24)).columns


def render_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    shrink: str | None = None,
    width: int | None = None,
) -> str:
    """The rows under their headers; ``shrink`` names the column cut to make a line fit ``width``
    (default: the terminal's width, or no limit when not writing to a terminal)."""
    width = terminal_width() if width is None else width
    table = [tuple(columns), *(tuple(r) for r in rows)]
    widths = [max(len(r[i]) for r in table) for i in range(len(columns))]
    if shrink is not None and width is not None:
        index = list(columns).index(shrink)
        others = sum(w for i, w in enumerate(widths) if i != index) + len(GAP) * (len(columns) - 1)
        room = max(MIN_SHRUNK_WIDTH, len(columns[index]), width - others)
        if widths[index] > room:
            table = [(*r[:index], truncate(r[index], room), *r[index + 1 :]) for r in table]
            widths[index] = room
    lines = [GAP.join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in table]
    lines.insert(1, GAP.join("-" * w for w in widths))
    return "\n".join(lines)
