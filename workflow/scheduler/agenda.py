"""What needs a person now: the live deadlines of every source in the registry (stage due dates,
lapses, progress reports due), the strategies at risk of a gap or lapsed into one, and the
submitted reports waiting for a review, scoped to whoever is asking and most urgent first.

Whose an item is follows who must act on it, as the reminders do: a deadline is its source's
institution's (the lead institution for a strategy's dates, the reporting institution for a
report), and a report deadline is also the plan's lead institution's, which chases it. A contact
point answers only for the reports its institution owes; an admin sees everything. A strategy's
lapse is shown as its gap status says: at risk (with the successor's outlook) instead of the bare
lapse, not at all when a successor already covers it. A submitted report waits for the plan's
lead institution's coordinators (``require_report_reviewer``), since the day it was submitted.

``live_deadlines`` and ``reports_to_review`` read; ``agenda_for`` is pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session, col

from workflow.access import Principal
from workflow.core import Forbidden, Settings, local_date
from workflow.gaps import AT_RISK, COVERED, GAP, GapEntry
from workflow.lifecycle import Strategy
from workflow.monitoring import ProgressReport, period_of_key, require_report_reviewer
from workflow.reminders import LAPSE, LiveDeadline
from workflow.scheduler.registry import SOURCES

CONTACT_POINT = "contact_point"
REVIEW = "report_review"
_KIND_ORDER = {GAP: 0, AT_RISK: 1}


@dataclass(frozen=True)
class AgendaItem:
    """One thing to do: a deadline kind (``consultation_due``, ``period_end``, ``report_due``, ...),
    ``at_risk`` / ``gap`` for a strategy's gap status (then ``gap`` holds its entry), or
    ``report_review`` for a submitted report (then ``report_id`` names it)."""

    kind: str
    strategy_id: int
    due_on: date  # for a gap: the first day with nothing in force; for a review: the day it was submitted
    days_left: int  # negative: overdue (or waiting) by that many days
    institution_id: int | None  # who must act; for a report: the reporting institution
    period_label: str | None = None  # for a report
    gap: GapEntry | None = None
    report_id: int | None = None

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


def live_deadlines(session: Session, settings: Settings) -> list[LiveDeadline]:
    """Every live deadline of every source the scheduler plans from."""
    return [deadline for source in SOURCES for deadline in source.live(session, settings)]


@dataclass(frozen=True)
class Submitted:
    """A report waiting for its review: the report, its plan, and the local day it was submitted."""

    report: ProgressReport
    plan: Strategy
    submitted_on: date


def reports_to_review(session: Session, *, zone: ZoneInfo) -> list[Submitted]:
    """Every submitted report (not yet accepted or returned), oldest first."""
    rows = session.execute(
        select(ProgressReport, Strategy)
        .join(Strategy, col(Strategy.id) == col(ProgressReport.plan_id))
        .where(col(ProgressReport.status) == "submitted")
        .order_by(col(ProgressReport.id))
    )
    return [
        Submitted(report, plan, local_date(report.submitted_at, zone) if report.submitted_at
                  else report.first_submitted_on or report.due_on)
        for report, plan in rows
    ]


def _may_review(principal: Principal, plan: Strategy) -> bool:
    try:
        require_report_reviewer(principal, plan)
    except Forbidden:
        return False
    return True


def _reviews(principal: Principal, submitted: Iterable[Submitted], today: date) -> Iterator[AgendaItem]:
    for waiting in submitted:
        report = waiting.report
        if not _may_review(principal, waiting.plan):
            continue
        day = waiting.submitted_on
        yield AgendaItem(kind=REVIEW, strategy_id=report.plan_id, due_on=day, days_left=(day - today).days,
                         institution_id=report.institution_id, period_label=report.period_label,
                         report_id=report.id)


def _owns_deadline(principal: Principal, live: LiveDeadline) -> bool:
    if principal.role == "admin":
        return True
    own = principal.institution_id
    if own is None:
        return False
    if principal.role == CONTACT_POINT:
        return live.institution_id == own and live.recipient_role == CONTACT_POINT
    return own in (live.institution_id, live.escalation_institution_id)


def _owns_strategy(principal: Principal, lead_institution_id: int | None) -> bool:
    if principal.role == CONTACT_POINT:
        return False
    return principal.may_act_for(lead_institution_id)


def _urgency(item: AgendaItem) -> tuple[date, int, int, str, int]:
    return (item.due_on, _KIND_ORDER.get(item.kind, 2), item.strategy_id, item.period_label or "",
            item.institution_id or 0)


def agenda_for(
    principal: Principal,
    deadlines: Iterable[LiveDeadline],
    entries: Iterable[GapEntry],
    *,
    leads: Mapping[int, int | None],
    today: date,
    submitted: Iterable[Submitted] = (),
) -> list[AgendaItem]:
    """``principal``'s items, earliest due first (so the longest overdue lead the list).

    ``entries`` is the gap report on ``today``; ``leads`` maps a strategy's id to its lead institution;
    ``submitted`` the reports waiting for a review (``reports_to_review``).
    """
    statuses = {entry.strategy_id: entry for entry in entries}
    items = []
    for live in deadlines:
        deadline = live.deadline
        status = statuses.get(deadline.strategy_id)
        if deadline.kind == LAPSE and status is not None and status.status in (AT_RISK, COVERED):
            continue  # covered: nothing to do; at risk: its gap status speaks for the lapse, below
        if not _owns_deadline(principal, live):
            continue
        items.append(AgendaItem(
            kind=deadline.kind, strategy_id=deadline.strategy_id, due_on=deadline.due_on,
            days_left=(deadline.due_on - today).days, institution_id=live.institution_id,
            period_label=period_of_key(deadline.key),
        ))
    for entry in statuses.values():
        lead = leads.get(entry.strategy_id)
        if not _owns_strategy(principal, lead):
            continue
        if entry.status == AT_RISK:
            due_on = entry.lapses_on
        elif entry.status == GAP:
            due_on = entry.lapses_on + timedelta(days=1)
        else:
            continue
        items.append(AgendaItem(kind=entry.status, strategy_id=entry.strategy_id, due_on=due_on,
                                days_left=(due_on - today).days, institution_id=lead, gap=entry))
    items += _reviews(principal, submitted, today)
    return sorted(items, key=_urgency)
