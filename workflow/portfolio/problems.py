"""What is wrong with a portfolio file, row by row: where (section, index, the row's key, the
field) and why. Nothing is imported while there is one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from workflow.core import FieldError, ValidationFailed

Part = str | int


@dataclass(frozen=True)
class RowError:
    """``strategies[12] (key migration-2019-2022).history[2].effective_on: detail``.

    ``section`` is ``institutions``, ``contacts`` or ``strategies`` (empty for the file itself),
    ``index`` the row's place in it (from 0), ``label`` how the row is known (its key, name or
    address), ``field`` the path inside the row."""

    section: str
    index: int
    field: tuple[Part, ...]
    detail: str
    label: str = ""

    @property
    def where(self) -> str:
        if not self.section:
            head = "(file)"
        elif self.index < 0:
            head = self.section
        else:
            head = f"{self.section}[{self.index}]" + (f" ({self.label})" if self.label else "")
        return head + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in self.field)

    @property
    def pointer(self) -> str:
        parts: list[Part] = [self.section] if self.section else []
        if self.section and self.index >= 0:
            parts.append(self.index)
        parts += list(self.field)
        return "#/" + "/".join(str(part) for part in parts)

    def __str__(self) -> str:
        return f"{self.where}: {self.detail}"


class ImportRefused(ValidationFailed):
    """The file was refused and nothing was written; ``rows`` says every reason found, in file order."""

    def __init__(self, rows: Sequence[RowError]) -> None:
        self.rows = sorted(rows, key=_file_order)
        count = len(self.rows)
        super().__init__(
            [FieldError(row.pointer, row.detail) for row in self.rows],
            detail=f"{count} error{'s' if count != 1 else ''} in the portfolio file; nothing was imported",
        )


_SECTION_ORDER = {"": 0, "institutions": 1, "contacts": 2, "strategies": 3}


def _file_order(row: RowError) -> tuple[int, int]:
    """By section and row; a row's own errors stay in the order they were found (history step by step)."""
    return _SECTION_ORDER.get(row.section, 4), row.index
