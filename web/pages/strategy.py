"""The Strategy page: one strategy's stage as a stepper, the events allowed now as buttons with the
fields each needs, its history, deadlines, reminders and neighbours.

A transition is applied exactly as the API's ``POST /strategies/{id}/transitions`` applies it, and
the deadlines are saved as its ``PATCH`` saves them (same authorization, floors and version check);
a refusal is caught outside the unit of work, so nothing is half-saved, and the page is rendered
again from fresh data with the refusal worded next to its form.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from web.deps import ReadSession, SettingsDep, changing
from web.forms import FormErrors, parse
from web.i18n import catalog
from web.pages.consultation_views import strategy_block
from web.pages.strategy_forms import (
    DEADLINE_FIELDS,
    DEADLINES_FORM,
    EVENT_FIELDS,
    PLAN,
    Refusal,
    change_rows,
    consultation_note,
    deadline_values,
    done_notice,
    transition_values,
    version_seen,
    word_failure,
)
from web.people import PersonDep, check_csrf
from web.rendering import render
from web.words import POLICY_AREAS, namer
from workflow.access import Principal
from workflow.calendar import working_calendar
from workflow.consultation import RECORDS
from workflow.core import DomainError, Settings, clock, unit_of_work
from workflow.directory import Institution, get_contact, get_institution
from workflow.lifecycle import (
    Stage,
    Strategy,
    StrategyFilter,
    StrategyPatch,
    TransitionRequest,
    allowed_events,
    backdating_floor_for,
    consultation_floor_for,
    consultation_status,
    edit_as,
    get_strategy,
    guards,
    history,
    in_force_interval,
    list_strategies,
    revisions_of,
    transition_as,
)
from workflow.reminders import list_notifications

router = APIRouter()
StrategyId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Text = Annotated[str, Form(max_length=20_000)]
Short = Annotated[str, Form(max_length=200)]
LISTED = 200  # at most this many reminders and action plans are shown


def may_change(principal: Principal, strategy: Strategy) -> bool:
    """What the API asks of a writer of this strategy: a coordinator (or admin) acting for its lead institution."""
    return principal.has_role("coordinator") and principal.may_act_for(strategy.lead_institution_id)


def _named(session: Session, field: str, value: object, language: str) -> str | None:
    """What a revision's value stands for: an institution's name, a strategy's title, an area's name."""
    if field == "lead_institution_id" and isinstance(value, int):
        institution = session.get(Institution, value)
        return institution.name if institution is not None else None
    if field in ("predecessor_id", "parent_id") and isinstance(value, int):
        linked = session.get(Strategy, value)
        return linked.title if linked is not None else None
    if field == "policy_area" and isinstance(value, str):
        return namer(POLICY_AREAS, catalog(language).gettext)(value)
    return None


def page_context(
    session: Session, strategy_id: int, principal: Principal, settings: Settings, language: str
) -> dict[str, Any]:
    strategy = get_strategy(session, strategy_id)
    assert strategy.id is not None
    today = clock.today(settings.zone)
    stages = list(Stage)
    current = stages.index(Stage(strategy.stage))
    in_consultation = strategy.stage == Stage.CONSULTATION
    calendar = working_calendar(session, settings)
    outstanding = RECORDS.outstanding(session, strategy.id, today) if in_consultation else None
    notifications, total_notifications = list_notifications(
        session, strategy_id=strategy.id, status=None, limit=LISTED, offset=0
    )
    contacts = {cid: get_contact(session, cid).name for cid in {n.contact_id for n in notifications}}
    successors, _ = list_strategies(session, StrategyFilter(predecessor_id=strategy.id), limit=LISTED, offset=0)
    plans, _ = list_strategies(session, StrategyFilter(parent_id=strategy.id), limit=LISTED, offset=0)
    return {
        "strategy": strategy,
        "plan": strategy.kind == PLAN,  # an action plan: its texts name a plan, not a strategy
        "institution": get_institution(session, strategy.lead_institution_id).name,
        "interval": in_force_interval(strategy),
        "steps": [(stage.value, "done" if i < current else "current" if i == current else "") for i, stage in
                  enumerate(stages)],
        "may_change": may_change(principal, strategy),
        "events": allowed_events(strategy.stage),
        "event_fields": EVENT_FIELDS,
        "expiry_reasons": guards.EXPIRY_REASONS,
        # on or before period_end the guard refuses an end without a reason: then none is offered
        "period_over": today > strategy.period_end,
        "foreseen": {"submit_for_approval": consultation_note(consultation_status(
            strategy, today=today, default_min_consultation_days=settings.min_consultation_days,
            calendar=calendar,
        ), language, outstanding)},
        "default_min_consultation_days": settings.min_consultation_days,
        "today": today,
        "history": history(session, strategy.id),
        "revisions": change_rows(revisions_of(session, strategy.id), language,
                                 named=lambda name, value: _named(session, name, value, language)),
        "notifications": notifications,
        "total_notifications": total_notifications,
        "contacts": contacts,
        "zone": settings.zone,
        "predecessor": get_strategy(session, strategy.predecessor_id) if strategy.predecessor_id else None,
        "parent": get_strategy(session, strategy.parent_id) if strategy.parent_id else None,
        "successors": successors,
        "action_plans": plans,
        "deadline_fields": DEADLINE_FIELDS,
        "consultation": strategy_block(session, strategy, principal, settings, language, calendar=calendar),
    }


def show(
    request: Request,
    strategy_id: int,
    principal: Principal,
    settings: Settings,
    *,
    session: Session | None = None,
    refusal: Refusal | None = None,
    done: str | None = None,
) -> HTMLResponse:
    language = request.state.viewer.language
    if session is None:
        with unit_of_work(request.app.state.engine) as fresh:
            context = page_context(fresh, strategy_id, principal, settings, language)
    else:
        context = page_context(session, strategy_id, principal, settings, language)
    failed = refusal.form if refusal and not refusal.stale else ""  # a stale form is shown afresh
    shown = (*context["events"], DEADLINES_FORM) if context["may_change"] else ()
    context.update(
        refusal=refusal or Refusal("", 200),
        failed=failed,
        errors=refusal.errors if refusal else FormErrors(),
        no_errors=FormErrors(),
        refused_elsewhere=bool(refusal and refusal.errors and failed not in shown),
        posted=refusal.values if refusal else {},
        notice=done_notice(done, context["strategy"].kind, language),
    )
    return render(request, "strategy.html", context, status_code=refusal.status if refusal else 200)


@router.get("/strategies/{strategy_id}", response_class=HTMLResponse)
def strategy_page(
    request: Request,
    strategy_id: StrategyId,
    person: PersonDep,
    session: ReadSession,
    settings: SettingsDep,
    done: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    return show(request, strategy_id, person.principal, settings, session=session, done=done)


def _refused(
    request: Request, strategy_id: int, principal: Principal, settings: Settings,
    failure: DomainError | ValidationError, *, form: str, known: tuple[str, ...], posted: dict[str, str],
) -> HTMLResponse:
    with unit_of_work(request.app.state.engine) as session:
        strategy = get_strategy(session, strategy_id)
        institution = get_institution(session, strategy.lead_institution_id).name

    def floor() -> date | None:
        registered_on = backdating_floor_for(principal.role, settings.zone)
        return registered_on(strategy) if registered_on else None

    refusal = word_failure(
        failure, request.state.viewer.language, form=form, known=known, kind=strategy.kind,
        lead_institution=institution,
        backdating_floor=floor,
        consultation_floor=consultation_floor_for(principal.role, settings.min_consultation_days),
    )
    refusal.values = {} if refusal.stale else posted
    return show(request, strategy_id, principal, settings, refusal=refusal)


@router.post("/strategies/{strategy_id}/transitions")
def transition(
    request: Request,
    strategy_id: StrategyId,
    person: PersonDep,
    settings: SettingsDep,
    csrf: Short = "",
    event: Short = "",
    version: Short = "",
    comment: Text = "",
    effective_on: Short = "",
    approval_reference: Text = "",
    approval_reference_unknown: Short = "",
    approved_on: Short = "",
    reason: Short = "",
    effective_on_approximate: Short = "",
) -> Response:
    """As ``api.routers.strategies.transition``: a coordinator (or admin) of the lead institution."""
    check_csrf(request, csrf)
    principal = person.principal
    posted = {"comment": comment, "effective_on": effective_on, "approval_reference": approval_reference,
              "approved_on": approved_on, "reason": reason, "effective_on_approximate": effective_on_approximate,
              "approval_reference_unknown": approval_reference_unknown}
    try:
        principal.require_role("coordinator")
        command = parse(TransitionRequest, transition_values(event, posted))
        with changing(request) as session:
            transition_as(session, principal, strategy_id, command, settings=settings, now=clock.now(),
                          if_match=version_seen(version), consultation=RECORDS)
    except (DomainError, ValidationError) as failure:
        return _refused(request, strategy_id, principal, settings, failure, form=event,
                        known=EVENT_FIELDS.get(event, ()), posted=posted)
    return RedirectResponse(f"/console/strategies/{strategy_id}?done={event}#stage", status_code=303)


@router.post("/strategies/{strategy_id}/deadlines")
def deadlines(
    request: Request,
    strategy_id: StrategyId,
    person: PersonDep,
    settings: SettingsDep,
    csrf: Short = "",
    version: Short = "",
    drafting_due: Short = "",
    consultation_due: Short = "",
    approval_due: Short = "",
    min_consultation_days: Short = "",
) -> Response:
    """As ``api.routers.strategies.edit`` (PATCH), for the deadlines and the consultation minimum."""
    check_csrf(request, csrf)
    principal = person.principal
    posted = {"drafting_due": drafting_due, "consultation_due": consultation_due, "approval_due": approval_due,
              "min_consultation_days": min_consultation_days}
    try:
        principal.require_role("coordinator")
        command = parse(StrategyPatch, deadline_values(posted))
        with changing(request) as session:
            edit_as(session, principal, strategy_id, command, settings=settings, now=clock.now(),
                    if_match=version_seen(version))
    except (DomainError, ValidationError) as failure:
        return _refused(request, strategy_id, principal, settings, failure, form=DEADLINES_FORM,
                        known=DEADLINE_FIELDS, posted=posted)
    return RedirectResponse(f"/console/strategies/{strategy_id}?done={DEADLINES_FORM}#deadlines", status_code=303)
