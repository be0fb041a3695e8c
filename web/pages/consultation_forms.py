"""The consultation pages' forms: reading posted fields into the domain's requests
(``workflow.consultation``'s ``RoundOpen``, ``EventCreate``, ``SubmissionCreate``, ``ResponseCreate``,
``RoundExtend``, ``RoundClose``), and wording every refusal in the viewer's language next to its
field, from the dates and numbers the domain's detail names (never its English sentence).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from web.forms import FormErrors, errors_of, whole_number
from web.i18n import Formats, catalog
from web.pages.strategy_forms import DATED_DETAILS
from web.words import N_
from workflow.core import ConcurrentUpdate, DomainError, Forbidden, StaleVersion

ROUND_STATES = {"open": N_("Open"), "closed": N_("Closed")}
HISTORY_EVENTS = {"open": N_("Round opened"), "extend": N_("Round extended"), "close": N_("Round closed")}

# The fields of each form, in the order shown (``participants-<code>`` are added per category).
OPEN_FIELDS = ("opened_on", "channel", "closes_on", "illustrative", "effective_on_approximate")
EVENT_FIELDS = ("date", "kind", "place", "illustrative")
SUBMISSION_FIELDS = ("submitted_by", "organisation", "category", "received_on", "summary", "illustrative")
ANSWER_FIELDS = ("decision", "reason", "responded_on", "effective_on_approximate")
EXTEND_FIELDS = ("closes_on", "reason", "effective_on")
CLOSE_FIELDS = ("closed_on", "reason")
FLAGS = frozenset({"illustrative", "effective_on_approximate"})

STALE = N_("Someone changed this round after you opened the page, so nothing was saved. Here it is as it is now: "
           "check it and try again.")
NOT_WRITER = N_("Only a coordinator of %(institution)s or an administrator may record this consultation.")

_D = r"(\d{4}-\d{2}-\d{2})"
_N = r"(\d+)"
DATE_NAMES = frozenset({"day", "first", "last"})
# The domain's details, worded again: (pattern, message, placeholder names in the order of the groups).
DETAILS: list[tuple[re.Pattern[str], str, tuple[str, ...]]] = [
    *DATED_DETAILS,
    (re.compile(rf"must not precede the start of the consultation stage on {_D}"),
     N_("A round cannot open before the consultation stage began, on %(day)s."), ("day",)),
    (re.compile(rf"must not precede the close of round {_N} on {_D}"),
     N_("A round cannot open before round %(number)s closed, on %(day)s."), ("number", "day")),
    (re.compile(rf"must be after opened_on \({_D}\)"),
     N_("The closing day must come after the opening day, %(day)s."), ("day",)),
    (re.compile(rf"closes at least {_N} working days after it opens, on {_D} or later"),
     N_("A round lasts at least %(days)s working days: it closes on %(day)s or later. Only an administrator may "
        "set an earlier day."), ("days", "day")),
    (re.compile(rf"lasts at most {_N} working days .*?: {_D} at the latest"),
     N_("A round lasts at most %(days)s working days: it closes on %(day)s at the latest."), ("days", "day")),
    (re.compile(rf"round {_N} \(/consultations/\d+\) is still open"),
     N_("Round %(number)s is still open: close it before opening another."), ("number",)),
    (re.compile(r"only while the strategy is in consultation"),
     N_("This is possible only during the consultation stage."), ()),
    (re.compile(rf"must not precede opened_on \({_D}\)"),
     N_("The date must not be before the round opened, on %(day)s."), ("day",)),
    (re.compile(rf"extended on or before its closing day, {_D}"),
     N_("A round is extended on or before its closing day, %(day)s; after that, close it and open a new round."),
     ("day",)),
    (re.compile(rf"must be after the current closing day, {_D}"),
     N_("The new closing day must come after the current one, %(day)s."), ("day",)),
    (re.compile(rf"the round runs until {_D}; it can be closed on that day or later"),
     N_("The round runs until %(day)s; it can be closed on that day or later."), ("day",)),
    (re.compile(rf"must lie within the round, {_D} to {_D}"),
     N_("The date must lie within the round, from %(first)s to %(last)s."), ("first", "last")),
    (re.compile(r"not a stakeholder category"), N_("Choose one of the stakeholder categories offered."), ()),
    (re.compile(rf"must not precede the round's opening on {_D}"),
     N_("A submission cannot have been received before the round opened, on %(day)s."), ("day",)),
    (re.compile(r"a reason is required when a comment is"),
     N_("Give the reason: it is required unless the comment is accepted."), ()),
    (re.compile(rf"must not precede the submission, received on {_D}"),
     N_("The answer cannot be dated before the submission was received, on %(day)s."), ("day",)),
    (re.compile(r"only an? \w+ round can be \w+; this one is closed"),
     N_("This round is closed: it can no longer be extended or closed."), ()),
]


def reworded(message: str, language: str) -> str:
    """A domain detail in ``language``, from what it names; a detail not known here is kept."""
    _ = catalog(language).gettext
    fmt = Formats(language)
    for pattern, wording, names in DETAILS:
        found = pattern.search(message)
        if found:
            values = {
                name: fmt.date(date.fromisoformat(value), "long") if name in DATE_NAMES else value
                for name, value in zip(names, found.groups(), strict=True)
            }
            return _(wording) % values if values else _(wording)
    return message


def _reword(errors: FormErrors, language: str) -> FormErrors:
    return errors.reworded(lambda message: reworded(message, language))


@dataclass
class Refusal:
    """A refused form of a consultation page: which one, its status, its messages, what was posted."""

    form: str
    status: int
    errors: FormErrors = field(default_factory=FormErrors)
    values: dict[str, Any] = field(default_factory=dict)


def refusal_of(
    failure: DomainError | ValidationError, language: str, *, form: str, known: tuple[str, ...],
    posted: dict[str, Any], institution: str, locate: Any = None,
) -> Refusal:
    """``failure`` as messages next to the fields of ``form`` (a field it does not show: beside its button)."""
    _ = catalog(language).gettext
    known = known or ("",)
    where = {"locate": locate} if locate else {}
    if isinstance(failure, ValidationError):
        return Refusal(form, 422, _reword(errors_of(failure, language, known=known, **where), language), posted)
    if isinstance(failure, (StaleVersion, ConcurrentUpdate)):
        return Refusal(form, failure.status, FormErrors(general=[_(STALE)]))
    pointed = isinstance(failure, Forbidden) and failure.extensions.get("errors")
    if isinstance(failure, Forbidden) and not pointed:
        return Refusal(form, failure.status, FormErrors(general=[_(NOT_WRITER) % {"institution": institution}]),
                       posted)
    return Refusal(form, failure.status, _reword(errors_of(failure, language, known=known, **where), language),
                   posted)


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def posted_of(form: FormData, names: tuple[str, ...]) -> dict[str, Any]:
    """What the form holds for ``names``, to show again (flags as booleans, ``channel`` as a list)."""
    shown: dict[str, Any] = {}
    for name in names:
        if name == "channel":
            shown[name] = [v for v in form.getlist(name) if isinstance(v, str)]
        elif name in FLAGS:
            shown[name] = bool(text(form, name))
        else:
            shown[name] = text(form, name)
    return shown


def request_values(posted: dict[str, Any]) -> dict[str, Any]:
    """A request's values from posted ones: blank fields left out (a blank date means its default)."""
    values: dict[str, Any] = {}
    for name, value in posted.items():
        if name in FLAGS:
            if value:
                values[name] = True
        elif name == "channel":
            values[name] = value
        elif value:
            values[name] = value
    return values


def participants_of(form: FormData, codes: list[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The head count by category from ``participants-<code>`` fields: whole numbers as ints, anything
    else as typed (the request refuses it next to its field); blank fields left out. Also what to show."""
    counts: dict[str, Any] = {}
    shown: dict[str, str] = {}
    for code in codes:
        typed = text(form, f"participants-{code}")
        shown[code] = typed
        if typed:
            number = whole_number(typed)
            counts[code] = number if number is not None else typed
    return counts, shown


def event_locate(parts: list[str]) -> str | None:
    """``["participants", "diaspora"]`` is the field ``participants-diaspora``."""
    if parts[:1] == ["participants"] and len(parts) > 1:
        return f"participants-{parts[1]}"
    return parts[0] if parts else None


def version_seen(form: FormData) -> set[int]:
    """The round's version the form was rendered from; a missing or garbled one matches none (stale)."""
    version = whole_number(text(form, "version"))
    return {version} if version is not None else {0}
