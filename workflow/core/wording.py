"""The languages a printed report speaks, and what every report's words share: the reader's
locale and dates in it (``30 June 2023`` / ``30 qershor 2023``, Babel). Each topic's report adds
its own names and formats on top (``ReaderWords`` subclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from babel import Locale
from babel.dates import format_date

LANGUAGES = ("en", "sq")
LOCALES = {"en": "en_GB", "sq": "sq_AL"}


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; expected one of {LANGUAGES}")
    return language


@dataclass(frozen=True)
class ReaderWords:
    """Formats for one language; the templates call these and only compose sentences."""

    language: str
    locale: Locale = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "locale", Locale.parse(LOCALES[check_language(self.language)]))

    def date(self, value: date | None) -> str:
        return "" if value is None else format_date(value, "long", locale=self.locale)
