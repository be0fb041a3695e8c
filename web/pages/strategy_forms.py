"""The Strategy page's forms: reading a transition's or the deadlines' fields into the domain's
request, and wording every refusal in the viewer's language from the domain error's *data* (a
guard's extensions, a field's pointer, the dates it names), never from its English detail.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from web.forms import FormErrors, errors_of, whole_number
from web.i18n import Formats, catalog
from web.words import N_, STAGES, namer
from workflow.core import (
    ConcurrentUpdate,
    DomainError,
    Forbidden,
    GuardRefused,
    IllegalTransition,
    StaleVersion,
    ValidationFailed,
)
from workflow.lifecycle import ConsultationProgress, Outstanding, StrategyRevision

# The fields each event's form shows, in the order shown; the domain decides which are required.
EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    "submit_for_consultation": ("effective_on", "effective_on_approximate", "comment"),
    "return_to_drafting": ("comment", "effective_on", "effective_on_approximate"),
    "submit_for_approval": ("effective_on", "effective_on_approximate", "comment"),
    "approve": ("approval_reference", "approval_reference_unknown", "approved_on", "effective_on",
                "effective_on_approximate", "comment"),
    "start_monitoring": ("effective_on", "effective_on_approximate", "comment"),
    "expire": ("reason", "effective_on", "effective_on_approximate", "comment"),
}
# Checkboxes: ticked means true; an unticked box is not posted, which leaves the request's default (false).
FLAG_FIELDS = frozenset({"effective_on_approximate", "approval_reference_unknown"})
DEADLINE_FIELDS = ("drafting_due", "consultation_due", "approval_due", "min_consultation_days")
DEADLINES_FORM = "deadlines"

DONE = {
    "submit_for_consultation": N_("Submitted for consultation."),
    "return_to_drafting": N_("Returned to drafting."),
    "submit_for_approval": N_("Submitted for approval."),
    "approve": N_("The approval is recorded: the strategy is now being implemented."),
    "start_monitoring": N_("Monitoring has started."),
    "expire": N_("The strategy has expired."),
    DEADLINES_FORM: N_("The deadlines are saved."),
}
# The notices that name the document, for an action plan (Albanian words a plan, masculine, otherwise).
DONE_FOR_PLAN = {
    "approve": N_("The approval is recorded: the action plan is now being implemented."),
    "expire": N_("The action plan has expired."),
}
PLAN = "action_plan"


def done_notice(done: str | None, kind: str, language: str) -> str | None:
    """The notice after a step (``?done=``) for a document of ``kind``; none for an unknown key."""
    if done not in DONE:
        return None
    message = DONE_FOR_PLAN.get(done, DONE[done]) if kind == PLAN else DONE[done]
    return catalog(language).gettext(message)


def by_kind(kind: str, strategy: str, plan: str) -> str:
    """The message of a strategy or of an action plan: each has its own msgid (and its own Albanian)."""
    return plan if kind == PLAN else strategy


@dataclass
class Refusal:
    """A form the server refused: which one, with what status, and what to say next to it."""

    form: str
    status: int
    errors: FormErrors = field(default_factory=FormErrors)
    values: dict[str, str] = field(default_factory=dict)
    stale: bool = False


def transition_values(event: str, posted: dict[str, str]) -> dict[str, Any]:
    """The request of ``event``'s form: its own fields, blank ones left out (a blank date means today)."""
    names = EVENT_FIELDS.get(event, ())
    values: dict[str, Any] = {"event": event}
    for name in names:
        text = posted.get(name, "").strip()
        if text:
            values[name] = True if name in FLAG_FIELDS else text
    return values


def deadline_values(posted: dict[str, str]) -> dict[str, Any]:
    """Every field of the deadlines form, a blank one meaning none (no deadline, the deployment's minimum)."""
    values: dict[str, Any] = {}
    for name in DEADLINE_FIELDS:
        text = posted.get(name, "").strip()
        number = whole_number(text) if name == "min_consultation_days" else None
        values[name] = number if number is not None else (text or None)
    return values


def version_seen(text: str) -> set[int]:
    """The version a form was rendered from; a missing or garbled one matches no version (a stale form)."""
    version = whole_number(text)
    return {version} if version is not None else {0}


_DATE = r"(\d{4}-\d{2}-\d{2})"
# Domain details that name a date, worded again from that date: (pattern, message, placeholder names).
DATED_DETAILS: list[tuple[re.Pattern[str], str, tuple[str, ...]]] = [
    (re.compile(rf"must not be in the future \(today is {_DATE}\)"),
     N_("The date must not be in the future (today is %(day)s)."), ("day",)),
    (re.compile(rf"must not precede the previous transition, effective on {_DATE}"),
     N_("The date must not be before the previous step, which took effect on %(day)s."), ("day",)),
    (re.compile(rf"must not precede the submission for approval on {_DATE}"),
     N_("The approval act cannot be dated before the submission for approval on %(day)s."), ("day",)),
    (re.compile(rf"must lie between {_DATE} and {_DATE}"),
     N_("Enter a date between %(first)s and %(last)s."), ("first", "last")),
]


def _reworded(message: str, language: str) -> str:
    _ = catalog(language).gettext
    fmt = Formats(language)
    for pattern, wording, names in DATED_DETAILS:
        found = pattern.search(message)
        if found:
            values = zip(names, found.groups(), strict=True)
            days = {name: fmt.date(date.fromisoformat(value), "long") for name, value in values}
            return _(wording) % days
    return message


def _reword(errors: FormErrors, language: str) -> FormErrors:
    return errors.reworded(lambda message: _reworded(message, language))


def _pointers(failure: DomainError) -> list[str]:
    return [str(item.get("pointer", "")) for item in failure.extensions.get("errors", []) if isinstance(item, dict)]


def guard_sentence(extensions: dict[str, Any], language: str) -> str:
    """A refused guard in words, built from its extensions."""
    _ = catalog(language).gettext
    fmt = Formats(language)
    sentences = []
    if "working_days" in extensions and "earliest_on" in extensions:
        sentences.append(_(
            "The consultation has lasted %(lasted)s of the %(required)s working days required; the earliest day "
            "it can be submitted for approval is %(day)s."
        ) % {"lasted": extensions["working_days"], "required": extensions["required_working_days"],
             "day": fmt.date(date.fromisoformat(str(extensions["earliest_on"])), "long")})
    if extensions.get("open_rounds"):
        sentences.append(_("Close the open consultation round first."))
    if extensions.get("unanswered_submissions"):
        sentences.append(_("Answer every consultation comment first (%(count)s without an answer).") % {
            "count": len(extensions["unanswered_submissions"])})
    if sentences:
        return " ".join(sentences)
    if "period_end" in extensions:
        return _(
            "Its period runs until %(day)s. To end it before then, choose a reason: superseded by a "
            "successor, or terminated early."
        ) % {"day": fmt.date(date.fromisoformat(str(extensions["period_end"])), "long")}
    return _("This step cannot be taken yet.")


@dataclass(frozen=True)
class Note:
    """What the page says beside a button before it is pressed; ``refused`` when its guard would refuse."""

    text: str
    refused: bool


def consultation_note(
    progress: ConsultationProgress | None, language: str, outstanding: Outstanding | None = None
) -> Note | None:
    """The consultation against its minimum and its records today, worded as its guard would refuse
    it (everything still missing), or as ready."""
    extensions: dict[str, Any] = {}
    if progress is not None and not progress.long_enough:
        extensions |= {"working_days": progress.working_days, "required_working_days": progress.required_working_days,
                       "earliest_on": progress.earliest_on.isoformat()}
    if outstanding is not None and not outstanding.settled:
        extensions |= {"open_rounds": list(outstanding.open_rounds),
                       "unanswered_submissions": list(outstanding.unanswered_submissions)}
    if extensions:
        return Note(guard_sentence(extensions, language), refused=True)
    if progress is None:
        return None
    return Note(catalog(language).gettext(
        "The consultation has lasted %(lasted)s working days, no fewer than the %(required)s required."
    ) % {"lasted": progress.working_days, "required": progress.required_working_days}, refused=False)


def word_failure(
    failure: DomainError | ValidationError,
    language: str,
    *,
    form: str,
    known: tuple[str, ...],
    kind: str,
    lead_institution: str,
    backdating_floor: Callable[[], date | None],
    consultation_floor: int | None,
) -> Refusal:
    """``failure`` as a refusal of ``form``: messages next to their fields and next to its button."""
    _ = catalog(language).gettext
    fmt = Formats(language)
    known = known or ("",)  # a form without fields (an unknown event): every message goes beside its button
    if isinstance(failure, ValidationError):
        return Refusal(form, 422, _reword(errors_of(failure, language, known=known), language))
    refusal = Refusal(form, failure.status)
    errors = refusal.errors
    if isinstance(failure, (StaleVersion, ConcurrentUpdate)):
        refusal.stale = True
    elif isinstance(failure, ValidationFailed):
        refusal.errors = _reword(errors_of(failure, language, known=known), language)
    elif isinstance(failure, GuardRefused):
        # an early end without a reason is refused next to the reason it lacks
        beside = "reason" if "period_end" in failure.extensions and "reason" in known else None
        errors.add(beside, guard_sentence(failure.extensions, language))
    elif isinstance(failure, IllegalTransition):
        stage = namer(STAGES, _)(str(failure.extensions.get("stage", "")))
        message = by_kind(kind, N_("This step is not possible while the strategy is at the %(stage)s stage."),
                          N_("This step is not possible while the action plan is at the %(stage)s stage."))
        errors.add(None, _(message) % {"stage": stage})
    elif isinstance(failure, Forbidden) and "#/effective_on" in _pointers(failure):
        floor = backdating_floor()
        message = by_kind(
            kind, N_("Only an administrator may record a step dated before %(day)s, the day this strategy was "
                     "registered in Continuum."),
            N_("Only an administrator may record a step dated before %(day)s, the day this action plan was "
               "registered in Continuum."),
        )
        errors.add("effective_on", _(message) % {"day": fmt.date(floor, "long") if floor else ""})
    elif isinstance(failure, Forbidden) and "#/min_consultation_days" in _pointers(failure):
        errors.add("min_consultation_days", _(
            "Only an administrator may set fewer working days than the legal minimum of %(days)s."
        ) % {"days": consultation_floor})
    elif isinstance(failure, Forbidden):
        message = by_kind(
            kind, N_("Only a coordinator of %(institution)s or an administrator may change this strategy."),
            N_("Only a coordinator of %(institution)s or an administrator may change this action plan."),
        )
        errors.add(None, _(message) % {"institution": lead_institution})
    else:
        errors.add(None, _(failure.detail))
    return refusal


@dataclass(frozen=True)
class ChangeRow:
    """One changed field of one revision, its values worded for the page (None: not set)."""

    effective_on: date
    approximate: bool
    field: str
    before: str | None
    after: str | None
    actor: str | None


DATE_FIELDS = frozenset({"period_start", "period_end", "drafting_started_on", "drafting_due", "consultation_due",
                         "approval_due"})


def change_rows(
    revisions: list[StrategyRevision], language: str, *, named: Callable[[str, Any], str | None]
) -> list[ChangeRow]:
    """The record's changes, newest first, one row per changed field; dates in the reader's words,
    linked rows and codes by their names (``named(field, value)``, None to show the value as it is)."""
    fmt = Formats(language)

    def worded(name: str, value: Any) -> str | None:
        if value is None:
            return None
        if name in DATE_FIELDS and isinstance(value, str):
            try:
                return fmt.date(date.fromisoformat(value))
            except ValueError:
                return value
        if isinstance(value, list):
            return ", ".join(str(item) for item in value)
        return named(name, value) or str(value)

    return [
        ChangeRow(revision.effective_on, revision.effective_on_approximate, name, worded(name, values[0]),
                  worded(name, values[1]), revision.actor)
        for revision in reversed(revisions)
        for name, values in revision.changes.items()
    ]
