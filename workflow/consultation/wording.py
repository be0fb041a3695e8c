"""The consultation report's words and formats in the reader's language, English or Albanian.

The sentences live in one template per language (``templates/consultation_report_<language>.html``);
here are the names of the codes (channels, event kinds, decisions, round states), the CSV's
headings, and dates as ``12 December 2025`` / ``12 dhjetor 2025`` (Babel). Stakeholder categories
carry their own labels in both languages (``categories``).
"""

from __future__ import annotations

from workflow.core import ReaderWords, check_language

NAMES: dict[str, dict[str, dict[str, str]]] = {
    "channel": {
        "en": {"e_register": "Electronic register (e-Consultation)", "meetings": "Meetings",
               "written": "Written comments", "online": "Online"},
        "sq": {"e_register": "Regjistri elektronik për njoftimet dhe konsultimet publike", "meetings": "Takime",
               "written": "Komente me shkrim", "online": "Në internet"},
    },
    "kind": {
        "en": {"roundtable": "Roundtable", "workshop": "Workshop", "hearing": "Public hearing",
               "online_session": "Online session"},
        "sq": {"roundtable": "Tryezë e rrumbullakët", "workshop": "Punëtori", "hearing": "Dëgjesë publike",
               "online_session": "Takim në internet"},
    },
    "decision": {
        "en": {"accepted": "Accepted", "partly_accepted": "Partly accepted", "not_accepted": "Not accepted"},
        "sq": {"accepted": "Pranuar", "partly_accepted": "Pranuar pjesërisht", "not_accepted": "Nuk u pranua"},
    },
    "state": {
        "en": {"open": "open", "closed": "closed"},
        "sq": {"open": "i hapur", "closed": "i mbyllur"},
    },
}

CSV_HEADINGS = {
    "en": {
        "section": "Section", "round": "Round", "opened_on": "Opened on", "closes_on": "Closes on",
        "closed_on": "Closed on", "state": "State", "channels": "Channels", "working_days": "Working days",
        "date": "Date", "kind": "Kind", "place": "Place", "category": "Category", "category_label": "Category name",
        "count": "Count", "submission_id": "Submission id", "submitted_by": "From", "organisation": "Organisation",
        "received_on": "Received on", "late": "Late", "summary": "Summary", "decision": "Decision",
        "decision_label": "Decision (words)", "reason": "Reason", "responded_on": "Responded on",
        "illustrative": "Illustrative",
    },
    "sq": {
        "section": "Seksioni", "round": "Raundi", "opened_on": "Hapur më", "closes_on": "Mbyllet më",
        "closed_on": "Mbyllur më", "state": "Gjendja", "channels": "Kanalet", "working_days": "Ditë pune",
        "date": "Data", "kind": "Lloji", "place": "Vendi", "category": "Kategoria",
        "category_label": "Emri i kategorisë", "count": "Numri", "submission_id": "ID e komentit",
        "submitted_by": "Nga",
        "organisation": "Organizata", "received_on": "Marrë më", "late": "Pas afatit", "summary": "Përmbledhja",
        "decision": "Vendimi", "decision_label": "Vendimi (me fjalë)", "reason": "Arsyeja",
        "responded_on": "Përgjigjur më", "illustrative": "Ilustrues",
    },
}
YES_NO = {"en": ("yes", "no"), "sq": ("po", "jo")}


def name_of(vocabulary: str, code: str, language: str) -> str:
    """The name of a channel, event kind or decision code (``vocabulary``: ``channel``, ``kind``,
    ``decision``) in ``language``: the one vocabulary the report and the console share."""
    return NAMES[vocabulary][check_language(language)].get(code, code.replace("_", " "))


class Words(ReaderWords):
    """The consultation's names besides the shared formats."""

    def name(self, vocabulary: str, code: str) -> str:
        return name_of(vocabulary, code, self.language)

    def channels(self, codes: list[str]) -> str:
        return ", ".join(self.name("channel", code) for code in codes)

    def yes_no(self, value: bool) -> str:
        yes, no = YES_NO[self.language]
        return yes if value else no
