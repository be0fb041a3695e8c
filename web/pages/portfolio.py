"""The portfolio: every policy area's coverage as it stood on a day, drawn as a timeline (SVG) and
stated again as tables, with filters by area, lead institution and kind.

Anyone signed in may see it, as anyone with a token may read ``GET /gaps``. The deployment is read
once (``read_snapshots``; with an area chosen, that area alone, as ``GET /timeline`` reads it) and
``workflow.gaps.compute_portfolio`` computes every area's lanes, coverage and gap statuses in one
pass; this module only words and draws them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import Engine

from web.deps import ReadSession, SettingsDep
from web.forms import FormErrors, errors_of, parse, whole_number
from web.i18n import Formats, catalog
from web.pages.portfolio_view import Words, present
from web.people import PersonDep, read_viewer
from web.rendering import render
from workflow.core import EARLIEST_DATE, LATEST_DATE, SaneDate, Settings, clock, new_session
from workflow.directory import institution_names
from workflow.gaps import (
    StageHistory,
    StrategySnapshot,
    compute_portfolio,
    lead_institution_ids,
    load_areas,
    policy_areas,
    read_snapshots,
    read_typical,
    snapshots_known_on,
    typical_days,
)
from workflow.lifecycle import Kind

router = APIRouter()

FIELDS = ("policy_area", "institution", "kind", "as_of", "known_on")


class PortfolioQuery(BaseModel):
    """The filters; the area and the institution are checked against what the deployment holds."""

    model_config = ConfigDict(extra="ignore")

    policy_area: str | None = None
    institution: str | None = None
    kind: Kind | None = None
    as_of: SaneDate | None = None
    known_on: SaneDate | None = None


def _errors(values: dict[str, str], areas: list[str], leads: dict[int, str], language: str, today: date
            ) -> tuple[PortfolioQuery | None, FormErrors]:
    try:
        query = parse(PortfolioQuery, values)
    except ValidationError as failure:
        errors = errors_of(failure, language, known=FIELDS)
        if "as_of" in errors.fields and _calendar_day(values.get("as_of", "")):
            errors.fields["as_of"] = [catalog(language).gettext(
                "The portfolio can be seen as of a day from %(first)s to %(last)s."
            ) % {"first": Formats(language).date(EARLIEST_DATE), "last": Formats(language).date(LATEST_DATE)}]
        return None, errors
    errors = FormErrors()
    choose = catalog(language).gettext("Choose one of the options offered.")
    if query.policy_area is not None and query.policy_area not in areas:
        errors.add("policy_area", choose)
    if query.institution is not None and whole_number(query.institution) not in leads:
        errors.add("institution", choose)
    if query.known_on is not None and query.known_on > today:
        errors.add("known_on", catalog(language).gettext(
            "What will be known later cannot be shown: choose today or an earlier day."))
    return (None if errors else query), errors


def _calendar_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


@router.get("/portfolio", response_class=HTMLResponse)
def portfolio_page(request: Request, person: PersonDep, session: ReadSession, settings: SettingsDep) -> HTMLResponse:
    language = read_viewer(request).language
    values = {name: value.strip() for name, value in request.query_params.items() if name in FIELDS and value.strip()}
    leads = institution_names(session, lead_institution_ids(session))
    areas = policy_areas(session)
    today = clock.today(settings.zone)
    query, errors = _errors(values, areas, leads, language, today)
    words = Words(language)
    context: dict[str, Any] = {
        "values": values, "errors": errors, "area_options": sorted(((a, words.area(a)) for a in areas),
                                                                   key=lambda option: option[1]),
        "institution_options": sorted(leads.items(), key=lambda item: item[1]), "views": [], "as_of": None,
    }
    if query is None:
        return render(request, "portfolio.html", context, status_code=422)
    day = query.as_of or today
    snapshots, typical = _read(request.app.state.engine, settings, query, day)
    portfolio = compute_portfolio(
        snapshots_known_on(snapshots, query.known_on), as_of=day, horizon_days=settings.gap_horizon_days,
        settings=settings,
        policy_area=query.policy_area, lead_institution_id=int(query.institution) if query.institution else None,
        kind=query.kind, typical=typical,
    )
    titles = {s.id: s.title for s in snapshots}
    context.update(as_of=day, known_on=query.known_on, views=present(portfolio, words, query.kind, titles, leads),
                   day=words.date, days=words.days)
    return render(request, "portfolio.html", context)


def _read(engine: Engine, settings: Settings, query: PortfolioQuery, day: date
          ) -> tuple[list[StrategySnapshot], StageHistory | None]:
    """The deployment, or with an area chosen that area alone and the deployment's typical durations
    (``workflow.gaps.scoped``), in a short session closed before computing."""
    if query.policy_area is None:
        return read_snapshots(engine, zone=settings.zone), None
    with new_session(engine) as session:
        snapshots = load_areas(session, zone=settings.zone, areas={query.policy_area}, known_on=query.known_on)
        return snapshots, read_typical(session, as_of=day, known_on=query.known_on, defaults=typical_days(settings))
