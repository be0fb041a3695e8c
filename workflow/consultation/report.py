"""The consultation report: the rounds, their dates and channels, participation by stakeholder
category, every submission with its response and the reason, and the summary counts, for one
round or every round of a strategy, as printable HTML and as CSV, in English or Albanian.

HTML: Jinja2 with autoescape on (names, summaries and reasons are typed by users), one template
per language over a shared layout whose only style is ``STYLE``; ``CONTENT_SECURITY_POLICY``
allows exactly that style by its hash, so the page loads nothing and runs nothing, wherever it is
served. CSV: one table, the first column says which section a row belongs to; codes stay codes
(for integrations) beside their names in the language; text cells a spreadsheet would run as a
formula (starting with = + - @) get an apostrophe.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlmodel import Session

from workflow.calendar import WorkingCalendar
from workflow.consultation.categories import label, list_categories
from workflow.consultation.models import StakeholderCategory
from workflow.consultation.views import Counts, RoundView, round_view, strategy_views
from workflow.consultation.wording import CSV_HEADINGS, Words
from workflow.core import check_language
from workflow.lifecycle import Strategy, get_strategy

STYLE = """
body { font-family: Georgia, "Times New Roman", serif; margin: 2em auto; max-width: 60em; color: #111; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; border-bottom: 1px solid #999; margin-top: 1.6em; }
h3 { font-size: 1.05em; margin-top: 1.2em; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; margin: 0.5em 0; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.45em; text-align: left; vertical-align: top; }
th { background: #eee; } td.num { text-align: right; white-space: nowrap; }
.muted { color: #555; } .flag { font-weight: bold; color: #8a1c1c; }
@media print { body { margin: 0; max-width: none; } h2, h3 { break-after: avoid; } tr { break-inside: avoid; } }
"""
STYLE_HASH = "sha256-" + base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src '{STYLE_HASH}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

CSV_COLUMNS = (
    "section", "round", "opened_on", "closes_on", "closed_on", "state", "channels", "working_days", "date", "kind",
    "place", "category", "category_label", "count", "submission_id", "submitted_by", "organisation", "received_on",
    "late", "summary", "decision", "decision_label", "reason", "responded_on", "illustrative",
)


@dataclass(frozen=True)
class ConsultationReport:
    """What the report says: one round (``round_id`` given) or every round of the strategy."""

    strategy: Strategy
    rounds: list[RoundView]
    categories: dict[str, StakeholderCategory]
    totals: Counts
    as_of: date
    single_round: bool

    @property
    def illustrative(self) -> bool:
        return any(
            v.round.illustrative or any(e.illustrative for e in v.events)
            or any(a.submission.illustrative for a in v.submissions)
            for v in self.rounds
        )

    @property
    def categories_in_use(self) -> list[StakeholderCategory]:
        """The categories that took part or commented, in reference order."""
        used = set(self.totals.participants_by_category) | set(self.totals.submissions_by_category)
        return [c for code, c in self.categories.items() if code in used]


def report_for(
    session: Session, strategy_id: int | None = None, *, round_id: int | None = None, today: date,
    calendar: WorkingCalendar,
) -> ConsultationReport:
    """The report of round ``round_id``, or of every round of strategy ``strategy_id``."""
    if round_id is not None:
        views = [round_view(session, round_id, today=today, calendar=calendar)]
        strategy = get_strategy(session, views[0].round.strategy_id)
    else:
        assert strategy_id is not None, "a strategy or a round"
        strategy = get_strategy(session, strategy_id)
        views = strategy_views(session, strategy_id, today=today, calendar=calendar)
    events = [e for v in views for e in v.events]
    submissions = [a for v in views for a in v.submissions]
    return ConsultationReport(
        strategy=strategy, rounds=views, categories={c.code: c for c in list_categories(session)},
        totals=Counts.of(events, submissions), as_of=today, single_round=round_id is not None,
    )


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("workflow.consultation", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def as_html(report: ConsultationReport, language: str) -> str:
    """The printable report in ``language`` ('en' or 'sq'; anything else is a ValueError)."""
    words = Words(check_language(language))

    def category(code: str) -> str:
        found = report.categories.get(code)
        return label(found, language) if found is not None else code

    return _environment().get_template(f"consultation_report_{language}.html").render(
        r=report, w=words, lang=language, style=STYLE, category=category,
    )


def _cell(value: Any, language: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return Words(language).yes_no(value)
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if isinstance(value, str) and text[:1] in ("=", "+", "-", "@") else text


def _rows(report: ConsultationReport, words: Words) -> list[dict[str, Any]]:
    language = words.language

    def named(code: str) -> str:
        found = report.categories.get(code)
        return label(found, language) if found is not None else code

    rows: list[dict[str, Any]] = []
    for view in report.rounds:
        r = view.round
        rows.append({"section": "round", "round": r.number, "opened_on": r.opened_on, "closes_on": r.closes_on,
                     "closed_on": r.closed_on, "state": words.name("state", r.state),
                     "channels": words.channels(r.channels), "working_days": view.working_days,
                     "illustrative": r.illustrative})
        for code, count in view.counts.participants_by_category.items():
            rows.append({"section": "participation", "round": r.number, "category": code,
                         "category_label": named(code), "count": count})
        for e in view.events:
            rows.append({"section": "event", "round": r.number, "date": e.held_on, "kind": words.name("kind", e.kind),
                         "place": e.place, "count": sum(e.participants.values()), "illustrative": e.illustrative})
        for a in view.submissions:
            s, response = a.submission, a.response
            rows.append({
                "section": "submission", "round": r.number, "submission_id": s.id, "submitted_by": s.submitted_by,
                "organisation": s.organisation, "category": s.category, "category_label": named(s.category),
                "received_on": s.received_on, "late": a.late, "summary": s.summary,
                "decision": response.decision if response else None,
                "decision_label": words.name("decision", response.decision) if response else None,
                "reason": response.reason if response else None,
                "responded_on": response.responded_on if response else None, "illustrative": s.illustrative,
            })
    t = report.totals
    for key, count in (("submissions", t.submissions), ("accepted", t.accepted),
                       ("partly_accepted", t.partly_accepted), ("not_accepted", t.not_accepted),
                       ("unanswered", t.unanswered), ("late", t.late), ("events", t.events),
                       ("participants", t.participants)):
        rows.append({"section": "total", "kind": key, "count": count})
    return rows


def as_csv(report: ConsultationReport, language: str) -> str:
    """The report as one CSV table; headings and names in ``language``, codes as they are."""
    words = Words(check_language(language))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([CSV_HEADINGS[language][column] for column in CSV_COLUMNS])
    for row in _rows(report, words):
        writer.writerow([_cell(row.get(column), language) for column in CSV_COLUMNS])
    return buffer.getvalue()
