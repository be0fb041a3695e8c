"""What the consultation pages show: a strategy's rounds (its Consultation section, on the Strategy
page and on its own page), and one round with its history, events, submissions and answers.

Who may write is asked of the domain (``require_records_writer``: coordinators of the lead
institution, or admins); everyone else sees the same records without forms.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from web.forms import FormErrors
from web.i18n import catalog
from web.pages.consultation_forms import (
    HISTORY_EVENTS,
    ROUND_STATES,
    Refusal,
)
from web.words import namer
from workflow import consultation
from workflow.access import Principal
from workflow.calendar import WorkingCalendar, working_calendar
from workflow.core import Settings, clock
from workflow.directory import get_institution
from workflow.lifecycle import Stage, Strategy, get_strategy

REPORT_LANGUAGES = ("en", "sq")


def names(language: str) -> dict[str, Any]:
    """The template's names for the consultation's codes, in ``language``."""
    _ = catalog(language).gettext
    return {
        "round_state_name": namer(ROUND_STATES, _),
        "channel_name": lambda code: consultation.name_of("channel", code, language),
        "event_kind_name": lambda code: consultation.name_of("kind", code, language),
        "decision_name": lambda code: consultation.name_of("decision", code, language),
        "round_event_name": namer(HISTORY_EVENTS, _),
        "channels": list(consultation.CHANNELS), "event_kinds": list(consultation.EVENT_KINDS),
        "decisions": list(consultation.DECISIONS),
    }


def _bounds(
    strategy: Strategy, opened_on: date, settings: Settings, calendar: WorkingCalendar
) -> consultation.ClosingBounds:
    return consultation.closing_bounds(strategy, opened_on, settings=settings, calendar=calendar)


def strategy_block(
    session: Session, strategy: Strategy, principal: Principal, settings: Settings, language: str, *,
    calendar: WorkingCalendar, refusal: Refusal | None = None,
) -> dict[str, Any]:
    """The Consultation section of a strategy: its rounds, and the form to open one when it may be
    (``calendar``: the page's, read once for all it counts)."""
    assert strategy.id is not None
    today = clock.today(settings.zone)
    views = consultation.strategy_views(session, strategy.id, today=today, calendar=calendar)
    in_consultation = strategy.stage == Stage.CONSULTATION.value
    writer = consultation.may_write_records(principal, strategy)
    can_open = consultation.may_open_round(principal, strategy, [v.round for v in views])
    return {
        "strategy_id": strategy.id,
        "rounds": views,
        "in_consultation": in_consultation,
        "may_write": writer,
        "can_open": can_open,
        "bounds": _bounds(strategy, today, settings, calendar) if can_open else None,
        "today": today,
        "errors": refusal.errors if refusal else FormErrors(),
        "posted": refusal.values if refusal else {},
        "report_languages": REPORT_LANGUAGES,
        "names": names(language),
    }


def round_context(
    session: Session, round_id: int, principal: Principal, settings: Settings, language: str, *,
    refusal: Refusal | None = None,
) -> dict[str, Any]:
    """Everything the round page shows; its forms only to a writer, while they can be used."""
    today = clock.today(settings.zone)
    calendar = working_calendar(session, settings)
    view = consultation.round_view(session, round_id, today=today, calendar=calendar)
    round_ = view.round
    strategy = get_strategy(session, round_.strategy_id)
    writer = consultation.may_write_records(principal, strategy)
    actions = consultation.round_actions(principal, strategy, round_, today)
    is_open = round_.state == consultation.RoundState.OPEN
    categories = [(c.code, consultation.label(c, language)) for c in consultation.list_categories(session)]
    failed = refusal.form if refusal else ""
    return {
        "view": view,
        "round": round_,
        "strategy": strategy,
        "institution": get_institution(session, strategy.lead_institution_id).name,
        "may_write": writer,
        "may_record": actions.record,
        "may_extend": actions.extend,
        "may_close": actions.close,
        "latest": _bounds(strategy, round_.opened_on, settings, calendar).latest if is_open else None,
        "categories": categories,
        "category_name": dict(categories),
        "today": today,
        "failed": failed,
        "errors": refusal.errors if refusal else FormErrors(),
        "no_errors": FormErrors(),
        "posted": refusal.values if refusal else {},
        "report_languages": REPORT_LANGUAGES,
        **names(language),
    }
