"""A gap entry's risk in words a ministry reads, in English and Albanian: what lapses when, what the
successor still needs, how late it is likely to be, what would avoid the gap, and which rule flagged it.

One function (``risk_statement``) words it for ``GET /gaps`` (English), the warning emails and the
console (the reader's language), so the three say the same thing. Grammar lives here, in Python, as
in ``workflow.mail.phrases``: durations from 60 days on are whole months ("muaj" is the same in
singular and plural, as "ditë" is).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from workflow.gaps.entry import AT_RISK, GapEntry
from workflow.gaps.forecast import PIPELINE

DAYS_PER_MONTH = 30.4375
LANGUAGES = ("en", "sq")

_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "lapse": "It lapses on {lapse}: {left} left.",
        "none": "No successor is under way; in this history a new one takes {span} from the start of drafting to "
                "approval ({basis}).",
        "under_way": "The successor is in {stage}; it still needs {span} until approval ({basis}).",
        "span": "{low} to {high}",
        "approved_later": "The successor is approved but comes into force only {late} after the lapse.",
        "late": "It is likely to be {late} late, up to {late_upper}: {share} of past pipelines would finish after "
                "the lapse.",
        "close": "At the median it is in time, but {share} of past pipelines would finish after the lapse (up to "
                 "{late_upper} late).",
        "in_time": "It is likely to be in time.",
        "act": "To avoid the gap: {step} by {by}.",
        "act_missed": "To avoid the gap the deadline was {by} ({step}); now only a faster course than usual can "
                      "avoid it.",
        "pipeline": "At risk because the days left ({left}) are fewer than the successor needs at the 80th "
                    "percentile ({needed}).",
        "horizon": "At risk because it lapses within the warning horizon and the successor is missing or likely "
                   "late.",
        "policy_area": "this area's history, {n}", "portfolio": "the portfolio's history, {n}",
        "default": "defaults, with {n} recorded", "due_date": "the deadline set",
        "stint": "1 stint", "stints": "{n} stints",
        "day": "1 day", "days": "{n} days", "month": "1 month", "months": "{n} months",
        "drafting": "drafting", "consultation": "consultation", "approval": "approval",
        "start_drafting": "start drafting", "submit_for_consultation": "open the consultation",
        "submit_for_approval": "submit it for approval", "approve": "approve it",
    },
    "sq": {
        "lapse": "Skadon më {lapse}: kanë mbetur {left}.",
        "none": "Nuk ka pasardhës në përgatitje; sipas historikut, një i ri kërkon {span} nga fillimi i hartimit "
                "deri në miratim ({basis}).",
        "under_way": "Pasardhësi është në fazën e {stage}; i duhen edhe {span} deri në miratim ({basis}).",
        "span": "{low} deri në {high}",
        "approved_later": "Pasardhësi është miratuar, por hyn në fuqi vetëm {late} pas skadimit.",
        "late": "Ka gjasa të vonohet {late}, deri në {late_upper}: {share} e proceseve të mëparshme do të "
                "përfundonin pas skadimit.",
        "close": "Sipas mesores arrin në kohë, por {share} e proceseve të mëparshme do të përfundonin pas "
                 "skadimit (me vonesë deri në {late_upper}).",
        "in_time": "Ka gjasa të arrijë në kohë.",
        "act": "Për të shmangur boshllëkun: {step} deri më {by}.",
        "act_missed": "Afati për të shmangur boshllëkun ishte {by} ({step}); tani vetëm një proces më i shpejtë "
                      "se zakonisht mund ta shmangë.",
        "pipeline": "Në rrezik sepse ditët e mbetura ({left}) janë më pak se sa i duhen pasardhësit sipas "
                    "percentilit të 80-të ({needed}).",
        "horizon": "Në rrezik sepse skadon brenda horizontit të paralajmërimit dhe pasardhësi mungon ose ka gjasa "
                   "të vonohet.",
        "policy_area": "historiku i kësaj fushe, {n}", "portfolio": "historiku i portofolit, {n}",
        "default": "vlera të paracaktuara, me {n} të regjistruar", "due_date": "afati i caktuar",
        "stint": "1 rast", "stints": "{n} raste",
        "day": "1 ditë", "days": "{n} ditë", "month": "1 muaj", "months": "{n} muaj",
        "drafting": "hartimit", "consultation": "konsultimit", "approval": "miratimit",
        "start_drafting": "filloni hartimin", "submit_for_consultation": "hapni konsultimin",
        "submit_for_approval": "dërgojeni për miratim", "approve": "miratojeni",
    },
}
STAGE_LABELS = {
    "en": {"drafting": "drafting", "consultation": "consultation", "approval": "approval"},
    "sq": {"drafting": "hartimi", "consultation": "konsultimi", "approval": "miratimi"},
}


def duration(days: int, language: str = "en") -> str:
    """'45 days' under 60 days, else whole months: '17 months' / '17 muaj'."""
    words = _WORDS[language]
    if days < 60:
        return words["day"] if days == 1 else words["days"].format(n=days)
    months = round(days / DAYS_PER_MONTH)
    return words["month"] if months == 1 else words["months"].format(n=months)


def span(low: int, high: int, language: str = "en") -> str:
    """'10 to 22 months', '45 days to 3 months' / '10 deri në 22 muaj'."""
    first, second = duration(low, language), duration(high, language)
    if first == second:
        return first
    low_number, _, low_unit = first.partition(" ")
    high_number, _, high_unit = second.partition(" ")
    if low_unit == high_unit or (low_number == "1" and second.endswith(low_unit + "s")):
        first = low_number
    return _WORDS[language]["span"].format(low=first, high=second)


def basis_words(entry: GapEntry, language: str = "en") -> str:
    """Per stage ahead: which history, and how many stints it holds."""
    words = _WORDS[language]
    parts = []
    for step in entry.projection_steps:
        count = words["stint"] if step.samples == 1 else words["stints"].format(n=step.samples)
        basis = words.get(step.basis, step.basis).format(n=count)
        parts.append(f"{STAGE_LABELS[language][step.stage.value]}: {basis}")
    return "; ".join(parts)


def risk_statement(entry: GapEntry, language: str = "en") -> tuple[str, ...]:
    """The sentences (see the module); none for an entry with no risk numbers (covered, a gap).
    Kept for the entries last worded: a page of ``GET /gaps`` asks for the same ones again."""
    if entry.days_left is None:
        return ()
    return _worded(entry, language)


@lru_cache(maxsize=8_192)
def _worded(entry: GapEntry, language: str) -> tuple[str, ...]:
    days_left = entry.days_left
    assert days_left is not None, "worded only with its numbers"
    words = _WORDS[language]
    as_of = entry.lapses_on + timedelta(days=1) - timedelta(days=days_left)
    said = [words["lapse"].format(lapse=entry.lapses_on.isoformat(), left=duration(days_left, language))]
    late, late_upper = entry.projected_gap_days or 0, entry.projected_gap_days_upper or 0
    if entry.successor_in_force_from is not None:
        said.append(words["approved_later"].format(late=duration(late, language)))
    elif entry.needed_days is not None and entry.needed_days_upper is not None:
        key = "none" if entry.successor_id is None else "under_way"
        stage = words.get(entry.successor_stage or "", entry.successor_stage or "")
        said.append(words[key].format(span=span(entry.needed_days, entry.needed_days_upper, language),
                                      stage=stage, basis=basis_words(entry, language)))
    share = f"{round((entry.gap_risk or 0) * 100)} %" if language == "sq" else f"{round((entry.gap_risk or 0) * 100)}%"
    if late > 0:
        said.append(words["late"].format(late=duration(late, language), late_upper=duration(late_upper, language),
                                         share=share))
    elif late_upper > 0:
        said.append(words["close"].format(late_upper=duration(late_upper, language), share=share))
    else:
        said.append(words["in_time"])
    if entry.act is not None and entry.act_by is not None and late_upper > 0:
        said.append(_act(entry.act, entry.act_by, as_of, language))
    if entry.status == AT_RISK:
        if entry.risk_rule == PIPELINE and entry.needed_days_upper is not None:
            said.append(words["pipeline"].format(left=duration(days_left, language),
                                                 needed=duration(entry.needed_days_upper, language)))
        elif entry.risk_rule is not None:
            said.append(words["horizon"])
    return tuple(said)


def _act(act: str, by: date, as_of: date, language: str) -> str:
    words = _WORDS[language]
    key = "act" if by >= as_of else "act_missed"
    return words[key].format(step=words[act], by=by.isoformat())
