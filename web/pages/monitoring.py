"""A strategy's monitoring in the console: its reporting cycles with every period's reports, a contact
point's button to start their institution's report, the results with charts drawn server-side, and
the printable report and CSV opened with the session.

The same services as ``api/routers/monitoring_reports.py`` and ``monitoring_results.py``: reports are
opened through ``reports.open_report`` after ``require_report_author``; results come from
``monitoring_for`` (its own short session) and print through ``as_html`` / ``as_csv``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from web.charts.bars import BarChart, count_bars, progress_bars, stacked_bars
from web.deps import ReadSession, SettingsDep, changing
from web.forms import FormErrors, PostedForm, errors_of, form_values, parse, whole_number
from web.i18n import Formats, catalog
from web.people import PersonDep, check_csrf, read_viewer
from web.rendering import render
from web.words import MEASURE_STATUSES, N_
from workflow.access import Principal
from workflow.core import Conflict, DomainError, Forbidden, NotFound, Settings, clock
from workflow.directory import institution_names
from workflow.lifecycle import Strategy, get_strategy
from workflow.monitoring import (
    Monitoring,
    ProgressReport,
    ReportingCycle,
    ReportOpen,
    as_csv,
    as_html,
    expected_reports,
    get_cycle,
    monitoring_for,
    reports,
    require_report_author,
    scope_ids,
)

router = APIRouter()
StrategyId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Year = Annotated[int | None, Query(ge=1900, le=2200)]
OPEN_FIELDS = ("period", "institution_id")


@dataclass(frozen=True)
class ReportCell:
    institution_id: int
    institution: str
    report: ProgressReport | None
    may_open: bool


@dataclass(frozen=True)
class PeriodRows:
    label: str
    start: date
    end: date
    due_on: date
    cells: list[ReportCell]


@dataclass(frozen=True)
class PlanReporting:
    plan: Strategy
    cycle: ReportingCycle
    periods: list[PeriodRows]


def may_author(principal: Principal, institution_id: int) -> bool:
    """What ``require_report_author`` allows, as a yes or no for showing a button."""
    try:
        require_report_author(principal, institution_id)
    except Forbidden:
        return False
    return True


def reporting(session: Session, strategy: Strategy, principal: Principal) -> list[PlanReporting]:
    """Each document in the strategy's scope that has a reporting cycle: its periods, who is asked
    for a report on each (``expected_reports``) and the report, if started."""
    ids = scope_ids(session, strategy)
    started = {(r.plan_id, r.period_label, r.institution_id): r for r in reports.list_reports(session, ids)}
    found: list[tuple[Strategy, ReportingCycle, list[Any]]] = []
    for plan_id in ids:
        plan = get_strategy(session, plan_id)
        try:
            cycle = get_cycle(session, plan_id)
        except NotFound:
            continue
        found.append((plan, cycle, expected_reports(session, plan, cycle)))
    names = institution_names(session, {e.institution_id for _, _, expected in found for e in expected})
    plans = []
    for plan, cycle, expected in found:
        periods: dict[str, PeriodRows] = {}
        for item in expected:
            p = item.period
            row = periods.setdefault(p.label, PeriodRows(p.label, p.start, p.end, p.due_on, []))
            report = started.get((plan.id or 0, p.label, item.institution_id))
            row.cells.append(ReportCell(item.institution_id, names.get(item.institution_id, "?"), report,
                                        report is None and may_author(principal, item.institution_id)))
        plans.append(PlanReporting(plan, cycle, list(periods.values())))
    return plans


FREQUENCIES = {"quarterly": N_("quarterly"), "semi_annual": N_("half-yearly"), "annual": N_("yearly")}
STATUS_CLASSES = {code: f"s-{code}" for code in MEASURE_STATUSES}
TIMELINESS = (("on_time", N_("On time")), ("late", N_("Late")), ("missing", N_("Missing")),
              ("not_yet_due", N_("Not yet due")))


@dataclass(frozen=True)
class IndicatorLine:
    name: str
    unit: str
    baseline: str
    baseline_year: int
    latest: str
    latest_period: str | None
    target: str
    target_year: int
    progress: str
    state: str


@dataclass(frozen=True)
class ResultsView:
    """The results as the page shows them: numbers written for the viewer, and the three charts."""

    rate: str
    delivery_rate: str
    statuses: list[tuple[str, str, int]]  # (code, name, measures)
    status_chart: BarChart
    indicators: list[IndicatorLine]
    progress_chart: BarChart
    timeliness: list[tuple[str, list[int]]]  # (institution, counts in TIMELINESS order)
    timeliness_chart: BarChart
    timeliness_names: list[tuple[str, str]]  # (code, name)


def _value(fmt: Formats, text: str | None) -> str:
    """A decimal the domain wrote with its unit's precision, in the viewer's number format."""
    if text is None:
        return ""
    digits = len(text.partition(".")[2])
    return fmt.number(Decimal(text), digits)


def _share(percent: Decimal | None) -> Decimal | None:
    return None if percent is None else percent / 100


def results_view(result: Monitoring, language: str) -> ResultsView:
    fmt, _ = Formats(language), catalog(language).gettext
    counts = Counter(m.status for m in result.measures)
    statuses = [(code, _(name), counts.get(code, 0)) for code, name in MEASURE_STATUSES.items()]
    status_chart = count_bars([(name, n, STATUS_CLASSES[code], fmt.number(n, 0)) for code, name, n in statuses])
    lines = []
    for i in result.indicators:
        ratio = i.progress.ratio
        lines.append(IndicatorLine(
            i.name, i.unit, _value(fmt, i.baseline), i.baseline_year, _value(fmt, i.latest), i.latest_period,
            _value(fmt, i.target), i.target_year, fmt.percent(ratio, 1) if ratio is not None else _("No data yet"),
            i.progress.state,
        ))
    progress_chart = progress_bars([
        (f"{line.name} ({line.unit})", i.progress.ratio, f"p-{i.progress.state}", line.progress)
        for line, i in zip(lines, result.indicators, strict=True)
    ])
    timeliness = [(t.institution, [len(getattr(t.result, code)) for code, _name in TIMELINESS])
                  for t in result.timeliness]
    timeliness_chart = stacked_bars([
        (name, [(n, f"t-{code}") for n, (code, _name) in zip(row, TIMELINESS, strict=True)],
         fmt.number(sum(row), 0))
        for name, row in timeliness
    ])
    return ResultsView(
        rate=fmt.percent(_share(result.implementation.rate_percent), 1),
        delivery_rate=fmt.percent(_share(result.delivery.rate_percent), 1),
        statuses=statuses, status_chart=status_chart, indicators=lines, progress_chart=progress_chart,
        timeliness=timeliness, timeliness_chart=timeliness_chart,
        timeliness_names=[(code, _(name)) for code, name in TIMELINESS],
    )



def _result(request: Request, strategy_id: int, year: int | None, settings: Settings) -> Monitoring:
    return monitoring_for(request.app.state.engine, strategy_id, year=year,
                          today=clock.today(settings.zone))


def monitoring_page(
    request: Request, session: Session, settings: Settings, principal: Principal, strategy_id: int,
    year: int | None, *, errors: FormErrors | None = None, status_code: int = 200, notice: str | None = None,
) -> HTMLResponse:
    strategy = get_strategy(session, strategy_id)
    result = _result(request, strategy_id, year, settings)
    language = read_viewer(request).language
    today = clock.today(settings.zone)
    first, last = strategy.period_start.year, min(strategy.period_end.year, today.year)
    years = sorted(set(range(first, max(first, last) + 1)) | {result.year})
    return render(request, "monitoring.html", {
        "strategy": strategy, "plans": reporting(session, strategy, principal), "result": result,
        "view": results_view(result, language), "years": years, "year": result.year,
        "frequency_names": {code: catalog(language).gettext(name) for code, name in FREQUENCIES.items()},
        "errors": errors or FormErrors(), "notice": notice,
    }, status_code=status_code)


@router.get("/strategies/{strategy_id}/monitoring", response_class=HTMLResponse)
def monitoring_overview(
    strategy_id: StrategyId, request: Request, session: ReadSession, settings: SettingsDep, person: PersonDep,
    year: Year = None,
) -> HTMLResponse:
    return monitoring_page(request, session, settings, person.principal, strategy_id, year)


@router.post("/strategies/{strategy_id}/reports", response_class=HTMLResponse)
def start_report(
    strategy_id: StrategyId, request: Request, form: PostedForm, session: ReadSession, settings: SettingsDep,
    person: PersonDep,
) -> Response:
    """Start an institution's report for a period: ``open_report`` on the plan in the strategy's scope
    named by ``plan_id`` (the strategy itself by default), as ``POST /strategies/{plan_id}/reports``."""
    csrf = form.get("csrf")
    check_csrf(request, csrf if isinstance(csrf, str) else None)
    principal = person.principal
    language = read_viewer(request).language
    _ = catalog(language).gettext
    values = form_values(form)
    plan_text = values.pop("plan_id", str(strategy_id))
    institution_id = whole_number(values.get("institution_id"))
    if institution_id is not None:  # the request model's ids are strict integers
        values["institution_id"] = institution_id
    try:
        with changing(request) as change:
            scope = scope_ids(change, get_strategy(change, strategy_id))
            plan_id = whole_number(plan_text) or 0
            if plan_id not in scope:
                raise NotFound(f"strategy {strategy_id} has no action plan {plan_text}")
            command = parse(ReportOpen, values)
            require_report_author(principal, command.institution_id)
            report = reports.open_report(change, plan_id, command, now=clock.now())
            report_id = report.id
    except Forbidden:
        errors = FormErrors(general=[_("Only a contact point of the reporting institution may start its report.")])
        return monitoring_page(request, session, settings, principal, strategy_id, None, errors=errors,
                               status_code=403)
    except Conflict as refused:
        existing = refused.extensions.get("report_id")
        if isinstance(existing, int):
            return RedirectResponse(f"/console/reports/{existing}", status_code=303)
        return monitoring_page(request, session, settings, principal, strategy_id, None,
                               errors=errors_of(refused, language), status_code=409)
    except NotFound:
        raise
    except (ValidationError, DomainError) as refused:
        status = refused.status if isinstance(refused, DomainError) else 422
        return monitoring_page(request, session, settings, principal, strategy_id, None,
                               errors=errors_of(refused, language, locate=lambda _parts: None), status_code=status)
    return RedirectResponse(f"/console/reports/{report_id}?done=opened", status_code=303)


STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def report_policy(html: str) -> str:
    """The printable report's own CSP: nothing but its inline style sheets, by their hashes."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()}'" for css in STYLE.findall(html)
    )
    return "; ".join([
        "default-src 'none'", "style-src " + (hashes or "'none'"), "img-src 'self'", "base-uri 'none'",
        "form-action 'none'", "frame-ancestors 'none'",
    ])


@router.get("/strategies/{strategy_id}/monitoring/report", response_class=HTMLResponse)
def printable_report(
    strategy_id: StrategyId, request: Request, settings: SettingsDep, person: PersonDep, year: Year = None
) -> HTMLResponse:
    """The API's printable monitoring report (``as_html``), with the console's session, in the viewer's language."""
    html = as_html(_result(request, strategy_id, year, settings), read_viewer(request).language)
    return HTMLResponse(html, headers={"Content-Security-Policy": report_policy(html), "Cache-Control": "no-store"})


@router.get("/strategies/{strategy_id}/monitoring.csv", response_class=Response)
def monitoring_csv(
    strategy_id: StrategyId, request: Request, settings: SettingsDep, person: PersonDep, year: Year = None
) -> Response:
    result = _result(request, strategy_id, year, settings)
    filename = f"monitoring-{result.strategy.id}-{result.year}.csv"
    return Response(as_csv(result), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})
