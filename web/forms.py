"""Forms: reading a posted form into a domain request, and putting every refusal next to its field
in the viewer's language.

A page's form posts plain fields; ``parse`` builds the domain's own request model from them (the
same validation the API applies), and ``errors_of`` turns pydantic's errors and the domain's
``ValidationFailed`` pointers (``#/approved_on``) into ``FormErrors`` keyed by field name. Messages
are worded from the error's type in the catalogs; a domain message without a translation is shown
as the domain wrote it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from web.i18n import catalog
from workflow.core import DomainError, FieldError, ValidationFailed

Model = TypeVar("Model", bound=BaseModel)


@dataclass
class FormErrors:
    fields: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)

    def add(self, name: str | None, message: str) -> None:
        if name:
            self.fields.setdefault(name, []).append(message)
        else:
            self.general.append(message)

    def of(self, name: str) -> list[str]:
        return self.fields.get(name, [])

    def reworded(self, reword: Callable[[str], str]) -> FormErrors:
        """The same errors in the same places, each message passed through ``reword``."""
        return FormErrors({name: [reword(m) for m in messages] for name, messages in self.fields.items()},
                          [reword(m) for m in self.general])


async def posted_form(request: Request) -> FormData:
    """The posted form, read before the handler runs, so the handler itself can be a plain ``def``
    (run in a worker thread: its database work never blocks the event loop the API shares)."""
    return await request.form()


PostedForm = Annotated[FormData, Depends(posted_form)]
MAX_ID_DIGITS = 10


def whole_number(text: str | None) -> int | None:
    """``text`` as a non-negative whole number of at most ten ASCII digits, else None (never an
    exception: ``"²".isdigit()`` is true, and ``int`` of 5,000 digits refuses to parse)."""
    if text is None:
        return None
    text = text.strip()
    if not text or len(text) > MAX_ID_DIGITS or not (text.isascii() and text.isdecimal()):
        return None
    return int(text)


def form_values(form: FormData, *, drop: tuple[str, ...] = ("csrf", "version")) -> dict[str, Any]:
    """The posted fields as a dict: blank fields are left out (a blank optional field means 'not given')."""
    values: dict[str, Any] = {}
    for name in form:
        if name in drop:
            continue
        items = [v for v in form.getlist(name) if isinstance(v, str)]
        if name.endswith("[]"):
            values[name[:-2]] = [v for v in items if v.strip()]
        elif items and items[-1].strip():
            values[name] = items[-1].strip()
    return values


def parse(model: type[Model], values: Mapping[str, Any]) -> Model:
    """The domain's request model from form values; pydantic's ``ValidationError`` when they do not fit."""
    return model.model_validate(dict(values))


def _pydantic_message(error: Mapping[str, Any], language: str) -> str:
    _ = catalog(language).gettext
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in ("string_too_long", "too_long"):
        return _("Too long: at most %(max)s characters.") % {"max": ctx.get("max_length", "?")}
    if kind in ("string_too_short", "too_short"):
        return _("This field is required.")
    if kind.startswith("date") or kind.startswith("datetime"):
        return _("Enter a date as YYYY-MM-DD, e.g. 2024-05-31.")
    if kind in ("int_parsing", "int_type", "decimal_parsing", "float_parsing", "decimal_type"):
        return _("Enter a number.")
    if kind == "decimal_max_digits":
        return _("Too many digits: at most %(max)s.") % {"max": ctx.get("max_digits", "?")}
    if kind == "decimal_whole_digits":
        return _("At most %(max)s digits before the decimal point.") % {"max": ctx.get("whole_digits", "?")}
    if kind == "decimal_max_places":
        return _("At most %(max)s decimal places.") % {"max": ctx.get("decimal_places", "?")}
    if kind in ("greater_than_equal", "greater_than"):
        return _("Must be at least %(limit)s.") % {"limit": ctx.get("ge", ctx.get("gt", "?"))}
    if kind in ("less_than_equal", "less_than"):
        return _("Must be at most %(limit)s.") % {"limit": ctx.get("le", ctx.get("lt", "?"))}
    if kind in ("literal_error", "enum"):
        return _("Choose one of the options offered.")
    if kind == "string_pattern_mismatch":
        return _("This value is not in the expected form.")
    if kind == "value_error":
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        return _(message)
    return _(str(error.get("msg", "This value is not accepted.")))


def _first(location: list[str]) -> str | None:
    return location[0] if location else None


def errors_of(
    failure: ValidationError | DomainError, language: str, *, known: tuple[str, ...] = (),
    locate: Callable[[list[str]], str | None] = _first,
) -> FormErrors:
    """``failure`` as messages by form field; a field the form does not show goes to the general list.
    ``locate`` names the form field of an error's location (``["measures", "0", "note"]``): by
    default its first part, for a form whose fields are the request's."""
    _ = catalog(language).gettext
    errors = FormErrors()
    if isinstance(failure, ValidationError):
        for error in failure.errors():
            name = locate([str(part) for part in error.get("loc", ())])
            errors.add(name if name in known or not known else None, _pydantic_message(error, language))
        return errors
    # A refusal naming fields (ValidationFailed, or e.g. a Conflict over a duplicate name) is shown next to them.
    pointed = failure.errors if isinstance(failure, ValidationFailed) else [
        FieldError(str(item.get("pointer", "")), str(item.get("detail", failure.detail)))
        for item in failure.extensions.get("errors") or [] if isinstance(item, dict)
    ]
    for item in pointed:
        name = locate([part for part in item.pointer.removeprefix("#/").split("/") if part])
        errors.add(name if (name in known or not known) else None, _(item.detail))
    if not pointed:
        errors.add(None, _(failure.detail))
    return errors
