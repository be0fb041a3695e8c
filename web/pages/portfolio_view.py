"""The portfolio's wording and drawing: each area of a ``workflow.gaps.Portfolio`` as its timeline
chart (``web.charts.timeline``) and the rows of the tables that state the same facts as text.

Rows are worded here in Python, not cell by cell in the template: a portfolio of a thousand
documents repeats its days and numbers, which ``Words`` formats once each.

A hole in a coverage row is a gap only for the days that have happened: up to the as-of day. Its
days after that day are foreseen (nothing is in force for them yet, and something may still be
approved in time), drawn dashed like a risk and listed apart, never counted as a gap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from markupsafe import Markup

from web.charts.timeline import Bar, Chart, Coverage, Gap, Risk, draw_timeline
from web.i18n import Formats, catalog
from web.words import N_, POLICY_AREAS, namer, vocabulary
from workflow.gaps import AT_RISK, COVERED, GAP, AreaPortfolio, GapEntry, Lane, Portfolio, Timeline, risk_statement

ONE_DAY = timedelta(days=1)
TITLE_ROOM = 96  # characters of a title the chart shows; the table shows it whole
STATUS_NAMES = {
    COVERED: N_("Covered by its successor"),
    "ok": N_("In force"),
    AT_RISK: N_("At risk of a gap"),
    GAP: N_("Lapsed, nothing in force since"),
    "pending": N_("Not approved yet"),
    "upcoming": N_("Approved, not in force yet"),
    "ended": N_("Ended, succeeded"),
}
# The successor worded by the kind of what it succeeds (in Albanian a strategy is feminine, a plan masculine)
SUCCESSOR_WORDS = {
    "strategy": {
        "none": N_("No successor yet."),
        "in_force": N_("Successor: %(title)s, in force from %(day)s."),
        "expected": N_("Successor: %(title)s (%(stage)s), approval expected %(day)s (%(lower)s to %(upper)s)."),
        "stage": N_("Successor: %(title)s (%(stage)s)."),
        "gap": N_("%(days)s without a strategy in force."),
    },
    "action_plan": {
        "none": N_("No successor plan yet."),
        "in_force": N_("Successor plan: %(title)s, in force from %(day)s."),
        "expected": N_("Successor plan: %(title)s (%(stage)s), approval expected %(day)s (%(lower)s to %(upper)s)."),
        "stage": N_("Successor plan: %(title)s (%(stage)s)."),
        "gap": N_("%(days)s without an action plan in force."),
    },
}


@dataclass(frozen=True)
class Hole:
    """A gap in one coverage row (or, in ``AreaView.foreseen``, its days not covered yet after the
    as-of day), for the table beside the chart."""

    coverage: str  # what is missing: the area's strategies, or one strategy's action plans
    start: date
    end: date
    days: int
    after: tuple[int, str] | None  # the document whose lapse opened it (id, title)
    before: tuple[int, str] | None  # the one whose start closed it
    ongoing: bool


@dataclass(frozen=True)
class LaneRow:
    """One line of an area's table: a document as recorded on the day, worded."""

    strategy_id: int
    title: str
    kind: str
    lead: str
    stage: str
    in_force: str
    status: str  # a key of STATUS_NAMES
    status_name: str
    details: Markup  # its lapse, gap days and successor, with the successor's link


@dataclass(frozen=True)
class AreaView:
    key: str
    name: str
    svg: Markup
    rows: tuple[LaneRow, ...]
    holes: tuple[Hole, ...]  # the gaps: days up to the as-of day with nothing in force
    foreseen: tuple[Hole, ...]  # the days after the as-of day with nothing in force yet
    ongoing: Hole | None  # the strategies' gap that includes the day, counted up to the day
    in_force_now: bool  # a strategy of the area, or a standalone action plan, is in force on the day
    plan_in_force_now: bool = False  # what is in force is a standalone action plan, no strategy


@lru_cache(maxsize=16384)
def _formatted_date(language: str, day: date) -> str:
    return Formats(language).date(day)


@lru_cache(maxsize=4096)
def _formatted_days(language: str, count: int) -> str:
    number = Formats(language).number(count, 0)
    return catalog(language).ngettext("%(num)s day", "%(num)s days", count) % {"num": number}


class Words:
    """The page's wording in one language; days and day counts are formatted once each (and kept:
    a big portfolio repeats its days, and the next request asks for the same ones)."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.catalog = catalog(language)
        self.formats = Formats(language)
        names = vocabulary(self.catalog.gettext)
        self.stage: Callable[[str | None], str] = names["stage_name"]
        self.kind: Callable[[str | None], str] = names["kind_name"]
        self.area: Callable[[str | None], str] = namer(POLICY_AREAS, self.catalog.gettext)

    def _(self, message: str, **values: Any) -> str:
        text = self.catalog.gettext(message)
        return text % values if values else text

    def markup(self, message: str, **values: Any) -> Markup:
        """``message`` translated, with ``values`` escaped unless they are markup already."""
        return Markup(self.catalog.gettext(message)) % values

    def days(self, count: int) -> str:
        return _formatted_days(self.language, count)

    def date(self, day: date) -> str:
        return _formatted_date(self.language, day)


def link(strategy_id: int, title: str) -> Markup:
    return Markup('<a href="/console/strategies/{}">{}</a>').format(strategy_id, title)


def kind_words(kind: str) -> dict[str, str]:
    return SUCCESSOR_WORDS["action_plan" if kind == "action_plan" else "strategy"]


def successor(entry: GapEntry, words: Words) -> Markup:
    """The successor of ``entry``'s document, with its link, worded by the document's kind."""
    said = kind_words(entry.kind)
    if entry.successor_id is None:
        return words.markup(said["none"])
    named = link(entry.successor_id, entry.successor_title or "")
    stage = words.stage(entry.successor_stage)
    if entry.successor_in_force_from is not None:
        return words.markup(said["in_force"], title=named, day=words.date(entry.successor_in_force_from))
    if entry.projected_successor_approval is not None:
        median = entry.projected_successor_approval
        return words.markup(said["expected"], title=named, stage=stage, day=words.date(median),
                            lower=words.date(entry.projected_successor_approval_lower or median),
                            upper=words.date(entry.projected_successor_approval_upper or median))
    return words.markup(said["stage"], title=named, stage=stage)


def _details(entry: GapEntry | None, words: Words) -> Markup:
    if entry is None:
        return Markup("")
    if entry.status == GAP:
        opening = words.markup(kind_words(entry.kind)["gap"], days=words.days(entry.gap_days or 0))
    elif entry.status == COVERED:
        return successor(entry, words)
    else:
        opening = words.markup(N_("Lapses on %(day)s."), day=words.date(entry.lapses_on))
    said = opening + Markup(" ") + successor(entry, words)
    if entry.status == AT_RISK:
        said += why_at_risk(entry, words)
    return said


def why_at_risk(entry: GapEntry, words: Words) -> Markup:
    """The risk as ``GET /gaps`` and the gap warning word it (``workflow.gaps.risk_statement``), in the
    page's language."""
    lines = risk_statement(entry, words.language)
    if not lines:
        return Markup("")
    items = Markup("").join(Markup("<li>{}</li>").format(line) for line in lines)
    return Markup('<details class="why-at-risk"><summary>{}</summary><ul>{}</ul></details>').format(
        words._(N_("Why at risk, and what would avoid the gap")), items)


STANDALONE_PLAN = N_("Standalone action plan")  # an action plan with no umbrella strategy


def lane_row(lane: Lane, as_of: date, words: Words, leads: dict[int, str]) -> LaneRow:
    status = status_of(lane, as_of)
    interval = lane.in_force
    if interval is not None:
        in_force = words._("%(start)s to %(end)s", start=words.date(interval.start), end=words.date(interval.end))
    else:
        in_force = words._("not approved; period %(start)s to %(end)s", start=words.date(lane.period_start),
                           end=words.date(lane.period_end))
    kind = words._(STANDALONE_PLAN) if lane.standalone else words.kind(lane.kind)
    return LaneRow(
        lane.strategy_id, lane.title, kind, leads.get(lane.lead_institution_id or 0, ""),
        words.stage(lane.stage), in_force, status, words._(STATUS_NAMES[status]), _details(lane.entry, words),
    )


def status_of(lane: Lane, as_of: date) -> str:
    if lane.entry is not None:
        return lane.entry.status
    if not lane.approved or lane.in_force is None:
        return "pending"
    return "upcoming" if lane.in_force.start > as_of else "ended"


def _risk(lane: Lane, words: Words) -> Risk | None:
    """At risk: marked up to the successor's expected approval; lapsed into a gap: the same, when
    a successor is on its way."""
    entry = lane.entry
    if entry is None or entry.status not in (AT_RISK, GAP):
        return None
    until = entry.projected_successor_approval or entry.successor_in_force_from
    if entry.status == GAP:
        if until is None or entry.successor_id is None:
            return None
        return Risk(entry.lapses_on, until, words._("Successor expected %(day)s", day=words.date(until)))
    if entry.successor_id is None:
        label = words._("At risk: no successor yet")
    elif until is None:
        label = words._("At risk: the successor's approval cannot be projected")
    else:
        label = words._("At risk: successor expected %(day)s", day=words.date(until))
    return Risk(entry.lapses_on, until, label)


def _bar(lane: Lane, words: Words) -> Bar:
    title = lane.title if len(lane.title) <= TITLE_ROOM else lane.title[: TITLE_ROOM - 1] + "…"
    stage = words.stage(lane.stage)
    if lane.in_force is not None:
        return Bar(f"{title} · {stage}", lane.in_force.start, lane.in_force.end, risk=_risk(lane, words))
    pending = words._("not approved yet")
    return Bar(f"{title} · {stage} · {pending}", lane.period_start, lane.period_end, pending=True)


@dataclass(frozen=True)
class Row:
    """One coverage row: the area's strategies, or one strategy's action plans."""

    label: str
    timeline: Timeline
    band: bool  # its gaps are also shaded behind the documents' rows (the strategies' only)


def coverage_rows(area: AreaPortfolio, words: Words, kind: str | None, titles: dict[int, str]) -> list[Row]:
    rows = []
    if kind != "action_plan":
        standalone = any(lane.standalone for lane in area.lanes)
        label = N_("Coverage by strategies and standalone action plans") if standalone else N_("Coverage by strategies")
        rows.append(Row(words._(label), area.coverage, True))
    if kind != "strategy":
        shown = {lane.strategy_id for lane in area.lanes}
        for plans in area.plans:
            if plans.parent_id not in shown and not any(s.strategy_id in shown for s in plans.timeline.spans):
                continue
            title = titles.get(plans.parent_id, str(plans.parent_id))
            rows.append(Row(words._("Action plans of %(title)s", title=title), plans.timeline, False))
    return rows


def _named(strategy_id: int | None, titles: dict[int, str]) -> tuple[int, str] | None:
    return (strategy_id, titles.get(strategy_id, str(strategy_id))) if strategy_id is not None else None


def _days(start: date, end: date) -> int:
    return (end - start).days + 1


def split_holes(row: Row, titles: dict[int, str], as_of: date) -> tuple[list[Hole], list[Hole]]:
    """The row's gaps (its holes' days up to ``as_of``) and foreseen holes (their days after it).

    A hole that began after ``as_of`` has not happened: it is all foreseen. One open on ``as_of``
    is a gap up to that day, still open, and foreseen from the next.
    """
    gaps, foreseen = [], []
    for hole in row.timeline.holes:
        after, before = _named(hole.after_strategy_id, titles), _named(hole.before_strategy_id, titles)
        happened, ahead = hole.split_at(as_of)
        if happened is not None:
            closed = hole.end <= as_of
            gaps.append(Hole(row.label, happened.start, happened.end, happened.days, after,
                             before if closed else None, hole.contains(as_of)))
        if ahead is not None:
            foreseen.append(Hole(row.label, ahead.start, ahead.end, ahead.days, after, before, False))
    return gaps, foreseen


def holes_of(rows: list[Row], titles: dict[int, str], as_of: date) -> tuple[tuple[Hole, ...], tuple[Hole, ...]]:
    """The gaps and the foreseen holes of all ``rows``, row by row."""
    gaps: list[Hole] = []
    foreseen: list[Hole] = []
    for row in rows:
        row_gaps, row_foreseen = split_holes(row, titles, as_of)
        gaps += row_gaps
        foreseen += row_foreseen
    return tuple(gaps), tuple(foreseen)


def _drawn(row: Row, words: Words, titles: dict[int, str], as_of: date) -> Coverage:
    timeline = row.timeline
    gaps, foreseen = split_holes(row, titles, as_of)
    return Coverage(
        row.label[: TITLE_ROOM + 20], tuple((s.start, s.end) for s in timeline.spans),
        tuple(Gap(h.start, h.end, words.days(h.days)) for h in gaps), band=row.band,
        foreseen=tuple(Gap(h.start, h.end, words._("not covered yet from %(day)s", day=words.date(h.start)))
                       for h in foreseen),
    )


def _spans(holes: tuple[Hole, ...], words: Words) -> str:
    return "; ".join(
        words._("%(start)s to %(end)s, %(days)s", start=words.date(h.start), end=words.date(h.end),
                days=words.days(h.days))
        for h in holes
    )


def _description(area: AreaPortfolio, holes: tuple[Hole, ...], foreseen: tuple[Hole, ...], words: Words) -> str:
    parts = [words._("%(count)s documents shown.", count=words.formats.number(len(area.lanes), 0))]
    if holes:
        parts.append(words._("Gaps in coverage: %(gaps)s.", gaps=_spans(holes, words)))
    else:
        parts.append(words._("No gap in coverage."))
    if foreseen:
        parts.append(words._("Not covered yet, after %(day)s: %(spans)s.", day=words.date(area.as_of),
                             spans=_spans(foreseen, words)))
    if area.ongoing_gap is not None:
        parts.append(words._("On %(day)s no strategy was in force.", day=words.date(area.as_of)))
    return " ".join(parts)


def year_range(portfolio: Portfolio, kind: str | None = None) -> tuple[int, int]:
    """The years every chart of the page shares, so areas line up: those of what is drawn."""
    days = [portfolio.as_of]
    for area in portfolio.areas:
        for lane in area.lanes:
            interval = lane.in_force
            days += [interval.start, interval.end] if interval else [lane.period_start, lane.period_end]
        timelines = ([area.coverage] if kind != "action_plan" else []) + (
            [plans.timeline for plans in area.plans] if kind != "strategy" else [])
        days += [day for timeline in timelines if timeline.window for day in (timeline.window.start,
                                                                               timeline.window.end)]
    return min(days).year, max(days).year


def present(portfolio: Portfolio, words: Words, kind: str | None, titles: dict[int, str],
            leads: dict[int, str]) -> list[AreaView]:
    """Each area as its chart and the rows of its tables, worded by ``words``."""
    first, last = year_range(portfolio, kind)
    as_of = portfolio.as_of
    as_of_label = words._("as of %(day)s", day=words.date(as_of))
    views = []
    for area in portfolio.areas:
        rows = coverage_rows(area, words, kind, titles)
        holes, foreseen = holes_of(rows, titles, as_of)
        name = words.area(area.policy_area)
        chart = Chart(
            key=f"chart-{area.policy_area}", title=words._("Coverage of %(area)s", area=name),
            description=_description(area, holes, foreseen, words), first_year=first, last_year=last, as_of=as_of,
            as_of_label=as_of_label, bars=tuple(_bar(lane, words) for lane in area.lanes),
            coverage=tuple(_drawn(row, words, titles, as_of) for row in rows),
        )
        gap = area.ongoing_gap
        ongoing = None if gap is None else Hole(
            "", gap.start, as_of, _days(gap.start, as_of), _named(gap.after_strategy_id, titles), None, True
        )
        in_force_now = any(span.start <= as_of <= span.end for span in area.coverage.spans)
        tops = [lane for lane in area.lanes
                if lane.parent_id is None and lane.in_force is not None and lane.in_force.contains(as_of)]
        plan_only = bool(tops) and all(lane.standalone for lane in tops)
        views.append(AreaView(
            f"area-{area.policy_area}", name, draw_timeline(chart),
            tuple(lane_row(lane, as_of, words, leads) for lane in area.lanes), holes, foreseen, ongoing, in_force_now,
            plan_only,
        ))
    return views
