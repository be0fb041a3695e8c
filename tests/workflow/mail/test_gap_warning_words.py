"""The gap warning says in the reader's language what ``GET /gaps`` says in English: the same
sentences, from ``workflow.gaps.risk_statement``, in the text and the HTML part."""

from __future__ import annotations

from datetime import date

import pytest

from tests.workflow.gap_builders import DEFAULT_DAYS, approved_history, snap
from workflow.gaps import risk_statement
from workflow.gaps.rules import assess_gaps
from workflow.mail import NotificationContext, render


def _entry():
    past = [snap((date(y, 1, 1), date(y + 3, 12, 31)), drafting_started_on=date(y - 3, 1, 1),
                 events=approved_history(date(y - 1, 6, 1), consulted_days=90)) for y in (2005, 2010, 2015)]
    current = snap((date(2019, 1, 1), date(2022, 12, 31)), events=approved_history(date(2018, 12, 1)))
    entries = assess_gaps([*past, current], as_of=date(2021, 3, 1), horizon_days=365, default_days=DEFAULT_DAYS)
    return next(e for e in entries if e.strategy_id == current.id)


@pytest.mark.parametrize("language", ["en", "sq"])
def test_the_warning_carries_the_statement_in_its_language(language):
    entry = _entry()
    statement = {lang: list(risk_statement(entry, lang)) for lang in ("en", "sq")}
    mail = render("gap_warning", language, NotificationContext(
        strategy_title=entry.title, strategy_id=entry.strategy_id, deadline_kind="period_end",
        due_on=entry.lapses_on, days=(entry.lapses_on - date(2021, 3, 1)).days, recipient_name="Arta Hoxha",
        risk_statement=statement))
    assert statement[language]
    for line in statement[language]:
        assert f"- {line}" in mail.text
        assert line.replace("'", "&#39;") in mail.html
    other = "sq" if language == "en" else "en"
    assert statement[other][0] not in mail.text


def test_the_statement_names_the_rule_the_numbers_and_what_would_avoid_the_gap():
    english = risk_statement(_entry(), "en")
    assert english[0] == "It lapses on 2022-12-31: 22 months left."
    assert english[1].startswith("No successor is under way; in this history a new one takes")
    assert any(line.startswith("To avoid the gap") and "start drafting" in line for line in english)
    assert english[-1].startswith("At risk because the days left (22 months) are fewer than")
    albanian = risk_statement(_entry(), "sq")
    assert albanian[0] == "Skadon më 2022-12-31: kanë mbetur 22 muaj."
    assert albanian[-1].startswith("Në rrezik sepse ditët e mbetura (22 muaj)")
