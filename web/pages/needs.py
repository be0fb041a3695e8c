"""What needs me: the signed-in person's deadlines, overdue reports, reports to review and
strategies at risk, most urgent first.

Whose an item is, and the order, are the domain's (``workflow.scheduler.agenda_for``): the same
deadline sources the reminders are planned from, and the gap report on today (as the gap watch keeps it,
``workflow.gaps.gap_entries``). This page only reads them, names what they concern and links each to its page.
Below them: the person's own calendar link (``web.pages.my_calendar``, whose forms post there).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from web.deps import ReadSession, SettingsDep
from web.pages.my_calendar import STOPPED, my_calendar
from web.pages.portfolio_view import Words, successor, why_at_risk
from web.people import PersonDep, read_viewer
from web.rendering import render, translator
from workflow.core import clock
from workflow.directory import institution_names
from workflow.gaps import GapQuery, gap_entries, labels_of
from workflow.monitoring import reports
from workflow.reminders import REPORT_DUE
from workflow.scheduler import AgendaItem, agenda_for, live_deadlines, reports_to_review

router = APIRouter()

SOON_DAYS = 30  # an upcoming item this close is marked as due soon
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Need:
    item: AgendaItem
    title: str  # the strategy's or plan's
    href: str
    institution: str  # for a report: the reporting institution
    mark: str  # gap, at_risk, review, overdue, soon or later: how it is marked
    kind: str  # the document's: strategy or action_plan (the words differ by it)
    successor: Markup  # for a gap or a lapse at risk: its successor, worded, with its link

    @property
    def next_day(self) -> date:
        """For a lapse: the first day something else must be in force."""
        return self.item.due_on + ONE_DAY


def mark_of(item: AgendaItem) -> str:
    if item.kind in ("gap", "at_risk"):
        return item.kind
    if item.kind == "report_review":
        return "review"
    if item.overdue:
        return "overdue"
    return "soon" if item.days_left <= SOON_DAYS else "later"


@router.get("/me", response_class=HTMLResponse)
def needs_page(
    request: Request, person: PersonDep, session: ReadSession, settings: SettingsDep,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    principal = person.principal
    today = clock.today(settings.zone)
    entries = gap_entries(request.app.state.engine, GapQuery(today, settings.gap_horizon_days), today=today,
                          settings=settings)  # today's report, from the rows the gap watch keeps
    of_entries = labels_of(session, (e.strategy_id for e in entries))
    leads = {i: label.lead_institution_id for i, label in of_entries.items()}
    items = agenda_for(
        principal, live_deadlines(session, settings), entries, today=today, leads=leads,
        submitted=reports_to_review(session, zone=settings.zone),
    )
    labels = labels_of(session, {i.strategy_id for i in items})
    titles = {i: label.title for i, label in labels.items()}
    kinds = {i: label.kind for i, label in labels.items()}
    words = Words(read_viewer(request).language)
    names = institution_names(session, {i.institution_id for i in items if i.institution_id is not None}
                              | ({principal.institution_id} if principal.institution_id else set()))
    plan_ids = sorted({i.strategy_id for i in items if i.kind == REPORT_DUE})
    opened: dict[tuple[int, str | None, int | None], int | None] = {
        (r.plan_id, r.period_label, r.institution_id): r.id
        for r in (reports.list_reports(session, plan_ids) if plan_ids else [])
    }
    needs = []
    for item in items:
        report_id = item.report_id or opened.get((item.strategy_id, item.period_label, item.institution_id))
        if report_id is not None:
            href = f"/console/reports/{report_id}"
        elif item.kind == REPORT_DUE:
            href = f"/console/strategies/{item.strategy_id}/monitoring"
        else:
            href = f"/console/strategies/{item.strategy_id}"
        needs.append(Need(item, titles.get(item.strategy_id, str(item.strategy_id)), href,
                          names.get(item.institution_id, "") if item.institution_id else "", mark_of(item),
                          kinds.get(item.strategy_id, "strategy"),
                          successor(item.gap, words) + why_at_risk(item.gap, words) if item.gap is not None
                          else Markup("")))
    _ = translator(words.language)
    return render(request, "needs.html", {
        "needs": needs, "today": today, "role": principal.role,
        "institution": names.get(principal.institution_id, "") if principal.institution_id else "",
        "calendar": my_calendar(session, principal, settings),
        "notice": _("Your calendar link is stopped: it no longer opens your calendar.") if done == STOPPED else None,
    })
