"""Horizontal bar charts as geometry: where each bar, segment and target mark goes, in SVG user units.

Pure: numbers in, rectangles out; the template (``monitoring/charts.html``) draws them, so the
same chart reads the same in both languages and is testable without HTML. Each row is a label
line with its bar underneath, so long names (an indicator's) are never cut off.

* ``count_bars``: one bar per row, scaled to the largest count (measures by status).
* ``stacked_bars``: one bar per row made of segments (reports on time, late, missing, not yet due),
  scaled to the largest row total.
* ``progress_bars``: one bar per row from the baseline (0) to the target (the full track, marked
  with a line), for progress to target; a row without data has no bar.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

WIDTH = 680
TRACK = 540  # room right of the longest bar for its value
LABEL_HEIGHT = 16
BAR_HEIGHT = 18
ROW_GAP = 10
ROW_HEIGHT = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
Number = int | Decimal


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    css: str  # the class that colours it
    value: Number


@dataclass(frozen=True)
class Row:
    label: str
    text: str  # the value as written beside the bar
    label_y: float  # the label's baseline
    bar_y: float
    segments: tuple[Segment, ...]
    text_x: float

    @property
    def bar_height(self) -> int:
        return BAR_HEIGHT


@dataclass(frozen=True)
class BarChart:
    rows: tuple[Row, ...]
    width: int
    height: int
    track: int  # the full length of a bar (the target, for progress bars)
    target_x: float | None = None  # where the target line is drawn, if any
    show_track: bool = False


def _row(index: int, label: str, text: str, segments: list[Segment]) -> Row:
    top = index * ROW_HEIGHT
    end = segments[-1].x + segments[-1].width if segments else 0.0
    return Row(label, text, top + LABEL_HEIGHT - 4, top + LABEL_HEIGHT, tuple(segments), end + 6)


def _height(rows: int) -> int:
    return max(rows, 1) * ROW_HEIGHT


def _scale(value: Number, largest: Number) -> float:
    return round(float(value) / float(largest) * TRACK, 2) if largest else 0.0


def count_bars(rows: Sequence[tuple[str, int, str, str]]) -> BarChart:
    """``rows``: (label, count, css class, count as written). Bars scale to the largest count."""
    largest = max((count for _, count, _, _ in rows), default=0)
    drawn = []
    for index, (label, count, css, text) in enumerate(rows):
        segments = [Segment(0.0, _scale(count, largest), css, count)] if count > 0 else []
        drawn.append(_row(index, label, text, segments))
    return BarChart(tuple(drawn), WIDTH, _height(len(rows)), TRACK)


def stacked_bars(rows: Sequence[tuple[str, Sequence[tuple[int, str]], str]]) -> BarChart:
    """``rows``: (label, [(count, css class), ...], total as written). Rows scale to the largest total."""
    largest = max((sum(count for count, _ in parts) for _, parts, _ in rows), default=0)
    drawn = []
    for index, (label, parts, text) in enumerate(rows):
        segments: list[Segment] = []
        x = 0.0
        for count, css in parts:
            if count <= 0:
                continue
            width = _scale(count, largest)
            segments.append(Segment(round(x, 2), width, css, count))
            x += width
        drawn.append(_row(index, label, text, segments))
    return BarChart(tuple(drawn), WIDTH, _height(len(rows)), TRACK)


def progress_bars(rows: Sequence[tuple[str, Decimal | None, str, str]]) -> BarChart:
    """``rows``: (label, share of the way from baseline to target 0..1 or None, css class, share as
    written). The track is the way to the target, which is marked at its end; shares are clamped."""
    drawn = []
    for index, (label, share, css, text) in enumerate(rows):
        segments = []
        if share is not None:
            clamped = min(max(share, Decimal(0)), Decimal(1))
            segments = [Segment(0.0, _scale(clamped, Decimal(1)), css, clamped)]
        row = _row(index, label, text, segments)
        drawn.append(Row(row.label, row.text, row.label_y, row.bar_y, row.segments, TRACK + 6))
    return BarChart(tuple(drawn), WIDTH, _height(len(rows)), TRACK, target_x=float(TRACK), show_track=True)
