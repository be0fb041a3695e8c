"""The monitoring results as a CSV table for spreadsheets and as a printable HTML report.

CSV: one table, the first column says which section a row belongs to. Text cells that a
spreadsheet would run as a formula (starting with = + - @) are prefixed with an apostrophe.
Both say "to date" beside a running year's rate and show, beside the rate, everything due by
the as-of day with the measures past their planned end (see ``rates``); numbers carry the
precision of their unit (``units``).
HTML: Jinja2 with autoescape on, so titles typed by users cannot inject markup; one template per
language (English, Albanian) over a shared layout, with names and locale formats from ``wording``.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from workflow.core import check_language
from workflow.monitoring.results import units
from workflow.monitoring.results.alignment import frameworks
from workflow.monitoring.results.summary import Monitoring
from workflow.monitoring.results.wording import ReportWords

CSV_COLUMNS = (
    "section", "id", "code", "name", "institution", "status", "planned_start", "planned_end", "verdict",
    "estimated_cost", "currency", "past_planned_end", "unit", "baseline", "target", "latest", "latest_period",
    "progress_percent", "on_time", "late", "missing",
)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    return "'" + text if isinstance(value, str) and text[:1] in ("=", "+", "-", "@") else text


def rate_label(result: Monitoring) -> str:
    """How the year's rate is labelled: final once the year is over, "to date" while it runs."""
    if result.complete:
        return str(result.year)
    return f"{result.year}, to date (as of {result.figures_as_of.isoformat()})"


def _percent(value: Decimal | None) -> str | None:
    return units.fixed(value, 1)


def as_csv(result: Monitoring) -> str:
    rows: list[dict[str, Any]] = []
    impl, due = result.implementation, result.delivery
    implemented = f"{impl.implemented} of {impl.planned} implemented" + ("" if result.complete else " to date")
    rows.append({"section": "implementation_rate", "name": f"{result.strategy.title} ({rate_label(result)})",
                 "status": implemented,
                 "progress_percent": _percent(impl.rate_percent)})
    rows.append({"section": "due_by_as_of", "name": f"Due by {due.as_of.isoformat()}",
                 "status": f"{due.delivered} of {due.due} delivered; {due.overdue} past planned end, not implemented "
                           f"({len(due.carried_over_ids)} carried over from before {result.year})",
                 "progress_percent": _percent(due.rate_percent)})
    for m in result.measures:
        rows.append({"section": "measure", "id": m.id, "code": m.code, "name": m.title, "institution": m.institution,
                     "status": m.status, "planned_start": m.planned_start, "planned_end": m.planned_end,
                     "verdict": m.verdict, "estimated_cost": m.estimated_cost, "currency": m.currency,
                     "past_planned_end": m.past_planned_end})
    for i in result.indicators:
        rows.append({"section": f"{i.level}_indicator", "id": i.id, "name": i.name, "unit": i.unit,
                     "baseline": f"{i.baseline} ({i.baseline_year})", "target": f"{i.target} ({i.target_year})",
                     "latest": i.latest, "latest_period": i.latest_period,
                     "progress_percent": _percent(i.progress.percent), "status": i.progress.state})
    for t in result.timeliness:
        rows.append({"section": "timeliness", "id": t.institution_id, "institution": t.institution,
                     "on_time": len(t.result.on_time), "late": len(t.result.late), "missing": len(t.result.missing)})
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in CSV_COLUMNS])
    return buffer.getvalue()


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("workflow.monitoring.results", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def as_html(result: Monitoring, language: str = "en") -> str:
    """The printable report in ``language`` ('en' or 'sq'; anything else is a ValueError): its
    words, ``<html lang>``, dates and numbers are the reader's."""
    words = ReportWords(check_language(language))
    labels = {item.tag: item.label for framework in frameworks() for item in framework.items}
    codes = {m.id: m.code or f"#{m.id}" for m in result.measures}
    return _environment().get_template(f"monitoring_report_{language}.html").render(
        r=result, lang=language, w=words, labels=labels, codes=codes,
    )
