"""Turn a notification into subject, plain text and HTML, in the recipient's language.

Pure: the only I/O is reading the templates shipped in ``workflow/mail/templates``. HTML is
autoescaped; a missing variable is an error (StrictUndefined), never an empty string.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from workflow.mail.context import LANGUAGES, NotificationContext, check_fits_kind
from workflow.mail.phrases import Phrases


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


@lru_cache(maxsize=1)
def template_environment() -> Environment:
    return Environment(
        loader=PackageLoader("workflow.mail", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(kind: str, language: str, context: NotificationContext) -> RenderedMail:
    """Render ``kind`` (see ``NOTIFICATION_KINDS``) in ``language`` ('en' or 'sq')."""
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; expected one of {LANGUAGES}")
    check_fits_kind(kind, context)
    variables = template_variables(Phrases(language), context)
    environment = template_environment()

    def render_file(suffix: str) -> str:
        return environment.get_template(f"{language}/{kind}.{suffix}").render(variables)

    subject = render_file("subject.txt").strip()
    variables["subject"] = subject  # the HTML <title>, escaped there like every other value
    text, html = render_file("txt"), render_file("html")
    return RenderedMail(subject=subject, text=text.strip() + "\n", html=html.strip() + "\n")


@dataclass(frozen=True)
class RenderedItem:
    """What one notice says inside an email of several (a digest, a same-day merge): its subject,
    and the body of its text and HTML without the greeting and footer, in the single email's words."""

    subject: str
    text: str
    html: Markup
    app_url: str | None


def render_item(kind: str, language: str, context: NotificationContext) -> RenderedItem:
    """``render`` of one notice, as an item: the ``body`` block of its text template, the ``banner``
    and ``content`` blocks of its HTML one, and its subject."""
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; expected one of {LANGUAGES}")
    check_fits_kind(kind, context)
    environment = template_environment()
    macros = vars(environment.get_template("macros.html").module)  # a block rendered alone runs no import
    variables = {**template_variables(Phrases(language), context), "facts": macros["facts"],
                 "banner": macros["banner"]}
    subject = environment.get_template(f"{language}/{kind}.subject.txt").render(variables).strip()
    text_template = environment.get_template(f"{language}/{kind}.txt")
    text = "".join(text_template.blocks["body"](text_template.new_context(variables)))
    html_template = environment.get_template(f"{language}/{kind}.html")
    html_context = html_template.new_context(variables)
    html = "".join("".join(html_template.blocks[name](html_context))
                   for name in ("banner", "content") if name in html_template.blocks)
    return RenderedItem(subject=subject, text=text.strip(), html=Markup(html.strip()), app_url=context.app_url)


def render_several(
    language: str, items: Sequence[RenderedItem], *, recipient_name: str, digest_day: date | None = None,
    weekly: bool = False,
) -> RenderedMail:
    """One email saying each of ``items``: a digest for ``digest_day`` (daily, or ``weekly``), or,
    without a day, the notices about one lapse merged (its subject is the first item's)."""
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; expected one of {LANGUAGES}")
    if not items:
        raise ValueError("an email of several notices needs at least one")
    phrases = Phrases(language)
    variables: dict[str, Any] = {
        "lang": language, "recipient_name": recipient_name, "items": list(items), "app_url": None,
        "combined": digest_day is None, "weekly": weekly, "reminders": phrases.reminder_count(len(items)),
        "day": phrases.digest_day(digest_day) if digest_day else None,
    }
    environment = template_environment()

    def render_file(suffix: str) -> str:
        return environment.get_template(f"{language}/several.{suffix}").render(variables)

    subject = render_file("subject.txt").strip()
    variables["subject"] = subject
    text, html = render_file("txt"), render_file("html")
    return RenderedMail(subject=subject, text=text.strip() + "\n", html=html.strip() + "\n")


def template_variables(phrases: Phrases, context: NotificationContext) -> dict[str, Any]:
    """Finished phrases and values for the templates; dates as ISO 8601."""
    days_late = -context.days if context.days < 0 else 0
    gap_days = None
    if context.projected_approval is not None and context.projected_approval > context.due_on:
        gap_days = (context.projected_approval - context.due_on).days
    failed_recipient = context.failed_recipient
    if failed_recipient and context.failed_recipient_email:
        failed_recipient = f"{failed_recipient} <{context.failed_recipient_email}>"
    return {
        "lang": phrases.language,
        "title": context.strategy_title,
        "strategy_id": context.strategy_id,
        "recipient_name": context.recipient_name,
        "deadline": phrases.deadline_name(context.deadline_kind),
        "is_lapse": context.is_lapse,
        "due_on": context.due_on.isoformat(),
        "when": phrases.when_ahead(context.days) if context.days >= 0 else phrases.when_past(days_late),
        "days_left": phrases.day_count(max(context.days, 0)),
        "days_late": phrases.day_count(days_late),
        "escalated": context.escalated,
        "recipient_escalates": context.recipient_escalates,
        "escalate_after": phrases.day_count(
            context.escalate_after_days if context.escalate_after_days is not None else days_late
        ),
        "successor_title": context.successor_title,
        "successor_stage": phrases.stage_name(context.successor_stage),
        "projected_approval": context.projected_approval.isoformat() if context.projected_approval else None,
        "projection_basis": phrases.basis_description(context.projection_basis),
        "projected_gap": phrases.day_count(gap_days) if gap_days else None,
        "risk_statement": list((context.risk_statement or {}).get(phrases.language, ())),
        "failed_recipient": failed_recipient,
        "last_error": context.last_error,
        "reporting_period": context.reporting_period,
        "reporting_institution": context.reporting_institution,
        "round_number": context.round_number,
        "unanswered": context.unanswered,
        "document": phrases.document(context.document_kind),
        "of_document": phrases.document_after_of(context.document_kind),
        **phrases.document_words(context.document_kind),
        "app_url": context.app_url,
    }
