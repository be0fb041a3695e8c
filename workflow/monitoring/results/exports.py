"""The monitoring results as a CSV table for spreadsheets and as a printable HTML report.

CSV: one table, the first column says which section a row belongs to. Text cells that a
spreadsheet would run as a formula (starting with = + - @) are prefixed with an apostrophe.
HTML: Jinja2 with autoescape on, so titles typed by users cannot inject markup.
"""

from __future__ import annotations

import csv
import io
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from workflow.monitoring.results.alignment import frameworks
from workflow.monitoring.results.summary import Monitoring

CSV_COLUMNS = (
    "section", "id", "code", "name", "institution", "status", "planned_start", "planned_end", "verdict",
    "unit", "baseline", "target", "latest", "latest_period", "progress_percent", "on_time", "late", "missing",
)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    return "'" + text if isinstance(value, str) and text[:1] in ("=", "+", "-", "@") else text


def as_csv(result: Monitoring) -> str:
    rows: list[dict[str, Any]] = []
    impl = result.implementation
    rows.append({"section": "implementation_rate", "name": f"{result.strategy.title} ({result.year})",
                 "status": f"{impl.implemented} of {impl.planned} implemented", "progress_percent": impl.rate_percent})
    for m in result.measures:
        rows.append({"section": "measure", "id": m.id, "code": m.code, "name": m.title, "institution": m.institution,
                     "status": m.status, "planned_start": m.planned_start, "planned_end": m.planned_end,
                     "verdict": m.verdict})
    for i in result.indicators:
        rows.append({"section": f"{i.level}_indicator", "id": i.id, "name": i.name, "unit": i.unit,
                     "baseline": f"{i.baseline} ({i.baseline_year})", "target": f"{i.target} ({i.target_year})",
                     "latest": i.latest, "latest_period": i.latest_period, "progress_percent": i.progress.percent,
                     "status": i.progress.state})
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


def as_html(result: Monitoring) -> str:
    labels = {item.tag: item.label for framework in frameworks() for item in framework.items}
    return _environment().get_template("monitoring_report.html").render(r=result, labels=labels)
