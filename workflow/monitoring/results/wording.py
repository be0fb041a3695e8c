"""The printable report's words and formats in the reader's language, English or Albanian.

The sentences live in one template per language (``templates/monitoring_report_<language>.html``);
here are the names of domain codes (measure statuses, verdicts, progress states, indicator
levels and directions, the GCM objectives in Albanian) and the locale formats (Babel): dates as
``30 June 2023`` / ``30 qershor 2023``, numbers as ``4,500,000.00`` / ``4 500 000,00`` and rates
as ``66.7%`` / ``66,7%``. A number keeps exactly the decimals its unit gave it (``units``).
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal, format_percent

from workflow.core import ReaderWords

MEASURE_STATUSES = {
    "en": {"not_started": "Not started", "on_track": "On track", "delayed": "Delayed", "completed": "Completed",
           "cancelled": "Cancelled"},
    "sq": {"not_started": "E pafilluar", "on_track": "Sipas planit", "delayed": "Me vonesë",
           "completed": "E përfunduar", "cancelled": "E anuluar"},
}
# What a measure planned in the year came to; None: not planned in the year.
VERDICTS: dict[str, dict[str | None, str]] = {
    "en": {"completed": "completed", "on_schedule": "on schedule", "not_implemented": "not implemented",
           None: "not planned"},
    "sq": {"completed": "e përfunduar", "on_schedule": "në vazhdim sipas afateve", "not_implemented": "e pazbatuar",
           None: "e paplanifikuar për vitin"},
}
PROGRESS_STATES = {
    "en": {"no_data": "no data", "regressed": "regressed", "in_progress": "in progress", "achieved": "achieved"},
    "sq": {"no_data": "pa të dhëna", "regressed": "në regres", "in_progress": "në përparim", "achieved": "e arritur"},
}
LEVELS = {
    "en": {"outcome": "outcome", "output": "output"},
    "sq": {"outcome": "rezultat", "output": "produkt"},
}
DIRECTIONS = {
    "en": {"increase": "increase", "decrease": "decrease"},
    "sq": {"increase": "rritje", "decrease": "ulje"},
}
# The 23 objectives of the Global Compact for Migration, short labels as in ``alignment.json``.
GCM_LABELS_SQ = {
    "gcm:1": "Të dhënat",
    "gcm:2": "Zbutja e faktorëve negativë që i shtyjnë njerëzit të migrojnë",
    "gcm:3": "Informimi",
    "gcm:4": "Identiteti ligjor dhe dokumentet",
    "gcm:5": "Rrugë të rregullta migrimi",
    "gcm:6": "Rekrutimi i drejtë dhe puna dinjitoze",
    "gcm:7": "Ulja e cenueshmërisë",
    "gcm:8": "Shpëtimi i jetëve",
    "gcm:9": "Lufta kundër kontrabandës së migrantëve",
    "gcm:10": "Çrrënjosja e trafikimit të qenieve njerëzore",
    "gcm:11": "Menaxhimi i kufijve",
    "gcm:12": "Verifikimi dhe referimi",
    "gcm:13": "Alternativat ndaj ndalimit",
    "gcm:14": "Mbrojtja konsullore",
    "gcm:15": "Qasja në shërbimet bazë",
    "gcm:16": "Përfshirja dhe kohezioni social",
    "gcm:17": "Eliminimi i diskriminimit",
    "gcm:18": "Zhvillimi dhe njohja e aftësive",
    "gcm:19": "Kontributi i migrantëve dhe i diasporës",
    "gcm:20": "Remitancat",
    "gcm:21": "Kthimi dinjitoz dhe riintegrimi",
    "gcm:22": "Mbrojtja sociale",
    "gcm:23": "Bashkëpunimi ndërkombëtar",
}


class ReportWords(ReaderWords):
    """The monitoring report's names, numbers, money and rates besides the shared formats."""

    def number(self, text: str | None) -> str:
        """A plain decimal string (``4500000.00``) grouped and punctuated for the language, same decimals."""
        if text is None:
            return ""
        decimals = len(text.partition(".")[2])
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return format_decimal(Decimal(text), format=pattern, locale=self.locale)

    def money(self, amount: str | None, currency: str | None) -> str:
        if amount is None:
            return ""
        return f"{self.number(amount)} {currency}" if currency else self.number(amount)

    def percent(self, value: Decimal | None) -> str:
        """A percentage (``66.7`` is 66.7 %) with one decimal and the locale's percent sign."""
        if value is None:
            return ""
        pattern = str(self.locale.percent_formats[None].pattern).replace("#,##0", "#,##0.0", 1)
        return format_percent(value / 100, format=pattern, locale=self.locale)

    def status(self, code: str) -> str:
        return MEASURE_STATUSES[self.language].get(code, code.replace("_", " "))

    def verdict(self, code: str | None) -> str:
        return VERDICTS[self.language].get(code, (code or "").replace("_", " "))

    def state(self, code: str) -> str:
        return PROGRESS_STATES[self.language].get(code, code.replace("_", " "))

    def level(self, code: str) -> str:
        return LEVELS[self.language].get(code, code)

    def direction(self, code: str) -> str:
        return DIRECTIONS[self.language].get(code, code)

    def gcm_label(self, tag: str, english: str) -> str:
        return GCM_LABELS_SQ.get(tag, english) if self.language == "sq" else english
