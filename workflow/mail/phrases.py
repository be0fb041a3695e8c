"""The words that change with the number or the language: day counts, deadline and stage names.

Grammar lives here, in Python, so templates only compose finished phrases. Albanian notes:
"ditë" is the same in singular and plural ("1 ditë", "7 ditë"); after "pas" (in/after) it takes
the ablative: "pas 1 dite", "pas 7 ditësh".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Phrases:
    language: str

    def day_count(self, days: int) -> str:
        """'1 day', '7 days' / '1 ditë', '7 ditë'."""
        if self.language == "sq":
            return f"{days} ditë"
        return f"{days} day" if days == 1 else f"{days} days"

    def when_ahead(self, days: int) -> str:
        """A future day relative to the sending day: 'today', 'tomorrow', 'in 7 days'."""
        if self.language == "sq":
            if days == 0:
                return "sot"
            if days == 1:
                return "nesër"
            return f"pas {days} ditësh"
        if days == 0:
            return "today"
        if days == 1:
            return "tomorrow"
        return f"in {self.day_count(days)}"

    def when_past(self, days_late: int) -> str:
        """A past day: '1 day ago', '7 days ago' / '1 ditë më parë'."""
        if self.language == "sq":
            return f"{self.day_count(days_late)} më parë"
        return f"{self.day_count(days_late)} ago"

    def deadline_name(self, deadline_kind: str) -> str:
        """What is due, as it follows 'afati i ...' in Albanian, or before 'due' in English."""
        return DEADLINE_NAMES[self.language][deadline_kind]

    def document(self, kind: str) -> str:
        """The document as a label: 'Strategy' / 'Action plan'; 'Strategjia' / 'Plani i veprimit'."""
        return DOCUMENT_LABELS[self.language][kind]

    def document_after_of(self, kind: str) -> str:
        """The document after 'of'/'për': 'strategy' / 'action plan'; 'strategjinë' / 'planin e veprimit'."""
        return DOCUMENTS_AFTER_OF[self.language][kind]

    def document_words(self, kind: str) -> dict[str, str]:
        """The other forms the templates need: 'a strategy' / 'an action plan' (en); the document without
        its article and its successor, as subject and as label (sq: 'strategji', 'plan veprimi')."""
        return DOCUMENT_WORDS[self.language][kind]

    def stage_name(self, stage: str | None) -> str | None:
        if stage is None:
            return None
        return STAGE_NAMES[self.language].get(stage, stage)

    def reminder_count(self, count: int) -> str:
        """'1 reminder', '3 reminders' / '1 kujtesë', '3 kujtesa'."""
        if self.language == "sq":
            return f"{count} kujtesë" if count == 1 else f"{count} kujtesa"
        return f"{count} reminder" if count == 1 else f"{count} reminders"

    def digest_day(self, day: date) -> str:
        """The day a digest is for, as it follows 'for' / 'për': 'Tuesday 1 December' / 'të martën, 1 dhjetor'."""
        if self.language == "sq":
            return f"{WEEKDAYS_SQ[day.weekday()]}, {day.day} {MONTHS_SQ[day.month - 1]}"
        return f"{WEEKDAYS_EN[day.weekday()]} {day.day} {MONTHS_EN[day.month - 1]}"

    def basis_description(self, basis: str | None) -> str | None:
        """A projection basis code in words; unknown bases are shown as given."""
        if basis is None:
            return None
        return PROJECTION_BASES[self.language].get(basis, basis)


DEADLINE_NAMES = {
    "en": {
        "drafting_due": "drafting",
        "consultation_due": "consultation",
        "approval_due": "approval",
        "report_due": "progress report",
        "period_end": "lapse",
        "round_closes": "consultation round closing",
        "submissions_unanswered": "responses to consultation comments",
    },
    "sq": {
        "drafting_due": "hartimit",
        "consultation_due": "konsultimit",
        "approval_due": "miratimit",
        "report_due": "raportit të progresit",
        "period_end": "skadimit",
        "round_closes": "mbylljes së raundit të konsultimit",
        "submissions_unanswered": "përgjigjeve ndaj komenteve të konsultimit",
    },
}

STAGE_NAMES = {
    "en": {
        "drafting": "drafting",
        "consultation": "consultation",
        "approval": "approval",
        "implementation": "implementation (in force)",
        "monitoring": "monitoring (in force)",
        "expiry": "expired",
    },
    "sq": {
        "drafting": "hartimi",
        "consultation": "konsultimi",
        "approval": "miratimi",
        "implementation": "zbatimi (në fuqi)",
        "monitoring": "monitorimi (në fuqi)",
        "expiry": "e skaduar",
    },
}

PROJECTION_BASES = {
    "en": {
        "approved": "already approved",
        "approval_due": "the successor's approval due date",
        "due_dates": "the successor's own due dates",
        "typical_durations": "typical durations of the remaining stages",
        "policy_area": "this policy area's own history",
        "portfolio": "the history of the whole portfolio",
        "defaults": "default durations (too little history yet)",
        "mixed": "history and deadlines, stage by stage",
    },
    "sq": {
        "approved": "tashmë e miratuar",
        "approval_due": "afati i miratimit të strategjisë pasardhëse",
        "due_dates": "afatet e vetë strategjisë pasardhëse",
        "typical_durations": "kohëzgjatjet tipike të fazave të mbetura",
        "policy_area": "historiku i kësaj fushe politikash",
        "portfolio": "historiku i të gjithë portofolit",
        "defaults": "kohëzgjatjet e paracaktuara (ende pak historik)",
        "mixed": "historiku dhe afatet, fazë pas faze",
    },
}

# Albanian takes the accusative after "për": "për strategjinë", "për planin e veprimit".
DOCUMENT_LABELS = {
    "en": {"strategy": "Strategy", "action_plan": "Action plan"},
    "sq": {"strategy": "Strategjia", "action_plan": "Plani i veprimit"},
}
DOCUMENTS_AFTER_OF = {
    "en": {"strategy": "strategy", "action_plan": "action plan"},
    "sq": {"strategy": "strategjinë", "action_plan": "planin e veprimit"},
}
DOCUMENT_WORDS = {
    "en": {
        "strategy": {"a_document": "a strategy", "bare_document": "strategy", "successor_document": "successor",
                     "successor_label": "Successor", "successor_genitive": "successor"},
        "action_plan": {"a_document": "an action plan", "bare_document": "action plan",
                        "successor_document": "successor", "successor_label": "Successor",
                        "successor_genitive": "successor"},
    },
    "sq": {
        "strategy": {"a_document": "një strategji", "bare_document": "strategji",
                     "successor_document": "strategji pasardhëse", "successor_label": "Strategjia pasardhëse",
                     "successor_genitive": "strategjisë pasardhëse"},
        "action_plan": {"a_document": "një plan veprimi", "bare_document": "plan veprimi",
                        "successor_document": "plan veprimi pasardhës", "successor_label": "Plani pasardhës i veprimit",
                        "successor_genitive": "planit pasardhës të veprimit"},
    },
}

# Names, not the C locale's strftime: the process locale must not change what an email says.
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")
# After "për" the weekday takes the accusative with its article: "për të hënën".
WEEKDAYS_SQ = ("të hënën", "të martën", "të mërkurën", "të enjten", "të premten", "të shtunën", "të dielën")
MONTHS_SQ = ("janar", "shkurt", "mars", "prill", "maj", "qershor", "korrik", "gusht", "shtator", "tetor", "nëntor",
             "dhjetor")
