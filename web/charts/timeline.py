"""A coverage timeline as inline SVG: years along the axis, one row per strategy or action plan
(its bar in force, or its period while not yet approved), coverage rows with each gap in red and
labelled with its day count, and each foreseen hole (days after the as-of day with nothing in
force yet, which have not happened) dashed like a risk, at-risk lapses marked up to the
successor's projected approval, and a line for the day the portfolio is seen as of.

Pure: ``draw_timeline(chart)`` turns a ``Chart`` of dates and ready-worded labels into markup, every
text escaped. Days are inclusive, as in the domain: a bar from 1 Jan to 31 Dec covers the whole year,
from the x of its first day to the x of the day after its last.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from markupsafe import Markup, escape

WIDTH = 960
LEFT = 8
RIGHT = WIDTH - 8
AXIS = 26  # the year labels above the rows
ROW = 34  # a document's row: its label line, then its bar
BAR = 12
COVERAGE_ROW = 46  # a coverage row: its label line, the bar, then the gap labels below it
FOOT = 24  # the as-of label below the rows
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Risk:
    """A lapse at risk: the days from the one after ``lapse`` up to ``until`` (the successor's
    projected approval, the day it would come into force), or to the end of the axis when no
    successor or date is known."""

    lapse: date
    until: date | None
    label: str


@dataclass(frozen=True)
class Bar:
    label: str
    start: date
    end: date
    pending: bool = False  # not approved yet: the period it is meant to cover
    risk: Risk | None = None


@dataclass(frozen=True)
class Gap:
    start: date
    end: date
    label: str  # its day count, worded


@dataclass(frozen=True)
class Coverage:
    label: str
    covered: tuple[tuple[date, date], ...]
    gaps: tuple[Gap, ...]  # days up to the as-of day with nothing in force: in red
    band: bool = True  # shade its gaps behind the documents' rows too
    foreseen: tuple[Gap, ...] = ()  # days after the as-of day with nothing in force yet: dashed, not red


@dataclass(frozen=True)
class Chart:
    key: str  # unique on the page: the ids of the title and description derive from it
    title: str
    description: str
    first_year: int
    last_year: int
    as_of: date
    as_of_label: str
    bars: tuple[Bar, ...] = ()
    coverage: tuple[Coverage, ...] = field(default=())


class Scale:
    """Days to x, from 1 January of ``first_year`` to 31 December of ``last_year``."""

    def __init__(self, first_year: int, last_year: int, left: float = LEFT, right: float = RIGHT) -> None:
        self.start = date(first_year, 1, 1)
        self.stop = date(last_year + 1, 1, 1)
        self.left, self.right = left, right
        self._first, self._days = self.start.toordinal(), (self.stop - self.start).days
        self.per_day = (right - left) / self._days

    def x(self, day: date) -> float:
        """The left edge of ``day``, clamped to the axis."""
        offset = day.toordinal() - self._first
        if offset <= 0:
            return round(self.left, 1)
        if offset >= self._days:
            return round(self.right, 1)
        return round(self.left + offset * self.per_day, 1)

    def span(self, first: date, last: date) -> tuple[float, float]:
        """x and width of the days ``first`` to ``last``, both included."""
        x = self.x(first)
        return x, round(max(self.x(last + ONE_DAY) - x, 1.0), 1)


def year_step(years: int) -> int:
    return 1 if years <= 16 else 2 if years <= 32 else 5 if years <= 80 else 10


def _text(x: float, y: float, text: str, css: str = "", anchor: str = "start") -> str:
    klass = f' class="{css}"' if css else ""
    return f'<text x="{x}" y="{y}" text-anchor="{anchor}"{klass}>{escape(text)}</text>'


def _anchored(x: float, width_guess: float) -> tuple[float, str]:
    """A label centred on ``x``, or pinned to an edge when it would run off the chart."""
    if x - width_guess / 2 < LEFT:
        return LEFT, "start"
    if x + width_guess / 2 > RIGHT:
        return RIGHT, "end"
    return x, "middle"


@lru_cache(maxsize=256)
def _axis(first_year: int, last_year: int, bottom: float) -> str:
    """A grid line and a label every ``year_step`` years (one path for all the lines); the charts
    of a page share their years, and most their height, so each axis is drawn once."""
    scale = Scale(first_year, last_year)
    step = year_step(last_year - first_year + 1)
    lines, parts = [], []
    for year in range(first_year, last_year + 2, step):
        x = scale.x(date(year, 1, 1))
        lines.append(f"M{x} {AXIS - 6}V{bottom}")
        if year <= last_year:
            middle = min(x + scale.per_day * 182, RIGHT)
            parts.append(_text(round(middle, 1), 14, str(year), "small", "middle"))
    parts.insert(0, f'<path class="grid" d="{" ".join(lines)}"/>')
    parts.append(f'<line class="axis" x1="{LEFT}" y1="{AXIS - 6}" x2="{RIGHT}" y2="{AXIS - 6}"/>')
    return "\n".join(parts)


def _bar(scale: Scale, bar: Bar, top: float) -> list[str]:
    x, width = scale.span(bar.start, bar.end)
    css = "pending" if bar.pending else "force"
    parts = [  # no links inside: the chart is one image to assistive technology; the table links
        _text(LEFT, top + 12, bar.label),
        f'<rect class="{css}" x="{x}" y="{top + 16}" width="{width}" height="{BAR}" '
        f'data-start="{bar.start.isoformat()}" data-end="{bar.end.isoformat()}"/>',
    ]
    if bar.risk is not None:
        risk = bar.risk
        first = risk.lapse + ONE_DAY
        rx = scale.x(first)
        until_x = scale.x(risk.until) if risk.until is not None and risk.until >= first else RIGHT
        parts.append(
            f'<rect class="risk" x="{rx}" y="{top + 16}" width="{round(max(until_x - rx, 2.0), 1)}" height="{BAR}" '
            f'data-lapse="{risk.lapse.isoformat()}"'
            + (f' data-until="{risk.until.isoformat()}"' if risk.until else "") + "/>"
        )
        if risk.until is not None:
            parts.append(f'<line class="risk" x1="{until_x}" y1="{top + 12}" x2="{until_x}" y2="{top + 32}"/>')
        parts.append(_text(RIGHT, top + 12, risk.label, "small", "end"))
    return parts


def _coverage(scale: Scale, row: Coverage, top: float) -> list[str]:
    parts = [_text(LEFT, top + 12, row.label)]
    for first, last in row.covered:
        x, width = scale.span(first, last)
        parts.append(f'<rect class="force" x="{x}" y="{top + 16}" width="{width}" height="{BAR}"/>')
    for gap in row.gaps:
        x, width = scale.span(gap.start, gap.end)
        parts.append(
            f'<rect class="gap" x="{x}" y="{top + 16}" width="{width}" height="{BAR}" '
            f'data-start="{gap.start.isoformat()}" data-end="{gap.end.isoformat()}"/>'
        )
        label_x, anchor = _anchored(x + width / 2, 7.0 * len(gap.label))
        parts.append(_text(round(label_x, 1), top + 40, gap.label, "gap-label", anchor))
    for hole in row.foreseen:
        x, width = scale.span(hole.start, hole.end)
        parts.append(
            f'<rect class="risk foreseen" x="{x}" y="{top + 16}" width="{width}" height="{BAR}" '
            f'data-start="{hole.start.isoformat()}" data-end="{hole.end.isoformat()}"/>'
        )
        label_x, anchor = _anchored(x + width / 2, 6.5 * len(hole.label))
        parts.append(_text(round(label_x, 1), top + 40, hole.label, "foreseen-label", anchor))
    return parts


def chart_height(chart: Chart) -> int:
    return AXIS + ROW * len(chart.bars) + COVERAGE_ROW * len(chart.coverage) + FOOT


def draw_timeline(chart: Chart) -> Markup:
    """The chart as an ``<svg>`` element, summarised for assistive technology by its title and description."""
    scale = Scale(chart.first_year, chart.last_year)
    height = chart_height(chart)
    bottom = height - FOOT
    title_id, desc_id = f"{chart.key}-title", f"{chart.key}-desc"
    parts = [
        f'<svg class="chart timeline" role="img" viewBox="0 0 {WIDTH} {height}" aria-labelledby="{title_id}" '
        f'aria-describedby="{desc_id}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{title_id}">{escape(chart.title)}</title>',
        f'<desc id="{desc_id}">{escape(chart.description)}</desc>',
    ]
    parts.append(_axis(chart.first_year, chart.last_year, bottom))
    rows_end = AXIS + ROW * len(chart.bars)
    for row in chart.coverage:  # each gap's days, faint behind the documents' rows
        for gap in row.gaps if row.band else ():
            x, width = scale.span(gap.start, gap.end)
            band = rows_end - AXIS + 6
            parts.append(f'<rect class="gap-band" x="{x}" y="{AXIS - 6}" width="{width}" height="{band}"/>')
    top = float(AXIS)
    for bar in chart.bars:
        parts += _bar(scale, bar, top)
        top += ROW
    for row in chart.coverage:
        parts += _coverage(scale, row, top)
        top += COVERAGE_ROW
    as_of_x = scale.x(chart.as_of)
    parts.append(
        f'<line class="asof" x1="{as_of_x}" y1="{AXIS - 10}" x2="{as_of_x}" y2="{bottom + 4}" '
        f'data-day="{chart.as_of.isoformat()}"/>'
    )
    label_x, anchor = _anchored(as_of_x, 7.0 * len(chart.as_of_label))
    parts.append(_text(round(label_x, 1), bottom + 18, chart.as_of_label, "asof-label", anchor))
    parts.append("</svg>")
    return Markup("\n".join(parts))
