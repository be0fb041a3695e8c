"""The console's two languages: gettext catalogs read with Babel, and locale-aware dates and numbers.

Messages are written in English in the templates and in code (``_("...")``); Albanian comes from
the catalogs in ``web/locale/sq/*.po`` (one file per page group, merged at start-up). A person sees
their contact language unless they chose the other one (a cookie); someone not signed in gets the
best match of their browser's Accept-Language.
"""

from __future__ import annotations

import gettext
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

LANGUAGES = ("en", "sq")
DEFAULT_LANGUAGE = "en"
LOCALES = {"en": "en_GB", "sq": "sq_AL"}
LANGUAGE_NAMES = {"en": "English", "sq": "Shqip"}
CATALOG_DIR = Path(__file__).parent / "locale"


class Catalog(gettext.NullTranslations):
    """The merged messages of one language; a message without a translation reads as its msgid."""

    def __init__(self, messages: dict[str, str], plurals: dict[str, tuple[str, ...]]) -> None:
        super().__init__()
        self._messages = messages
        self._plurals = plurals

    def gettext(self, message: str) -> str:
        return self._messages.get(message) or message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self._plural(msgid1, msgid1, msgid2, n)

    def pgettext(self, context: str, message: str) -> str:
        return self._messages.get(f"{context}\x04{message}") or message

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        return self._plural(f"{context}\x04{msgid1}", msgid1, msgid2, n)

    def _plural(self, key: str, msgid1: str, msgid2: str, n: int) -> str:
        forms = self._plurals.get(key)  # both languages have two forms: one, and other
        if forms and all(forms):
            return forms[0] if n == 1 else forms[-1]
        return msgid1 if n == 1 else msgid2


def catalog_files(language: str) -> list[Path]:
    return sorted((CATALOG_DIR / language).glob("*.po"))


@cache
def catalog(language: str) -> Catalog:
    messages: dict[str, str] = {}
    plurals: dict[str, tuple[str, ...]] = {}
    for path in catalog_files(language):
        with path.open("rb") as handle:
            po = read_po(handle, locale=LOCALES.get(language, language))
        for message in po:
            if not message.id or message.fuzzy:
                continue
            prefix = f"{message.context}\x04" if message.context else ""
            if isinstance(message.id, (tuple, list)):
                forms = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
                plurals[prefix + str(message.id[0])] = tuple(str(form or "") for form in forms)
            elif message.string:
                messages[prefix + str(message.id)] = str(message.string)
    return Catalog(messages, plurals)


def best_language(accept_language: str | None) -> str:
    """The first of the browser's languages that the console speaks (quality order), else English."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, position, tag.strip().lower()[:2]))
    for _, _, language in sorted(ranked):
        if language in LANGUAGES:
            return language
    return DEFAULT_LANGUAGE


def pick_language(*candidates: str | None) -> str:
    return next((c for c in candidates if c in LANGUAGES), DEFAULT_LANGUAGE)


class Formats:
    """Dates and numbers as the language writes them (``30 qer 2023`` / ``30 Jun 2023``)."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.locale = Locale.parse(LOCALES[language])

    def date(self, value: date | None, style: str = "medium") -> str:
        return "" if value is None else babel_format_date(value, style, locale=self.locale)

    def datetime(self, value: datetime | None, zone: object = None) -> str:
        if value is None:
            return ""
        return babel_format_datetime(value, "medium", tzinfo=zone, locale=self.locale)  # type: ignore[arg-type]

    def number(self, value: int | float | Decimal | None, digits: int = 1) -> str:
        if value is None:
            return ""
        return format_decimal(value, format=f"#,##0.{'#' * digits}" if digits else "#,##0", locale=self.locale)

    def percent(self, value: float | Decimal | None, digits: int = 0) -> str:
        """``value`` is a share (0.5 is 50 %); ``digits`` decimals at most."""
        if value is None:
            return ""
        pattern = f"#,##0.{'#' * digits}%" if digits else None
        return format_percent(value, format=pattern, locale=self.locale)

