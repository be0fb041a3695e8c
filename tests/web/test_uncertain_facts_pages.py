"""Uncertain facts on the Strategy page: an act number unknown and approximate dates, recorded with
the forms' checkboxes and shown as such in the summary and the history (Albanian and English)."""

from __future__ import annotations

import re

from freezegun import freeze_time
from sqlalchemy import Engine

from tests.web.conftest import ARTA, DANIEL, PersonFactory
from tests.web.test_strategy_page import by_title, new_strategy, section, stored, text_of
from tests.web.test_strategy_transitions import fire, form_of, step

MIGRATION_2024 = "National Strategy for Migration 2024-2030"
NAP_2021 = "National Action Plan on the Fight against Trafficking 2021-2023"


def test_the_demo_shows_an_unknown_act_number_and_approximate_dates(person: PersonFactory, demo: Engine):
    strategy = by_title(demo, MIGRATION_2024)
    english = person(DANIEL).get(f"/console/strategies/{strategy.id}").text
    assert "Approval act act number unknown" in text_of(section(english, "summary"))
    history = section(english, "history")
    rows = re.findall(r"<tr>\s*<td>(.*?)</td><td>([^<]*)</td>", history)
    flagged = {step for day, step in rows if "(approximate)" in day}
    assert flagged == {"Submitted for consultation", "Submitted for approval"}  # the approval is dated by its source
    assert "Approved on 2 May 2024 (approximate)" not in text_of(section(english, "summary"))

    albanian = person(ARTA).get(f"/console/strategies/{strategy.id}").text
    assert "Akti i miratimit numri i aktit nuk dihet" in text_of(section(albanian, "summary"))
    assert text_of(section(albanian, "history")).count("(e përafërt)") == 2


def test_a_standalone_plan_s_approval_date_is_shown_as_approximate(person: PersonFactory, demo: Engine):
    plan = by_title(demo, "National Action Plan on the Fight against Trafficking 2024-2025")
    page = person(DANIEL).get(f"/console/strategies/{plan.id}").text
    assert "Approved on 1 January 2024 (approximate)" in text_of(section(page, "summary"))


def test_the_forms_record_an_unknown_act_and_an_approximate_date(person: PersonFactory, demo: Engine):
    arta = person(ARTA)
    with freeze_time("2024-03-01 10:00"):
        strategy_id = new_strategy(demo)
        page = arta.get(f"/console/strategies/{strategy_id}").text
        form = form_of(page, "submit_for_consultation")
        assert re.search(r'<input id="submit_for_consultation-effective_on_approximate" '
                         r'name="effective_on_approximate" type="checkbox" value="on" '
                         r'aria-describedby="submit_for_consultation-effective_on_approximate-hint">', form)
        assert "Data është e përafërt" in text_of(form)
        page = step(arta, strategy_id, page, "submit_for_consultation", "U dërgua për konsultim.",
                    effective_on_approximate="on")
    with freeze_time("2024-04-15 10:00"):
        page = arta.get(f"/console/strategies/{strategy_id}").text
        page = step(arta, strategy_id, page, "submit_for_approval", "U dërgua për miratim.")
        refused = fire(arta, strategy_id, page, "approve", approval_reference="VKM nr. 1",
                       approval_reference_unknown="on", approved_on="2024-04-15")
        assert refused.status_code == 422
        assert re.search(r'id="approve-approval_reference_unknown-error">Shënoni ose aktin e miratimit, ose që '
                         r'numri i tij nuk dihet, jo të dyja\.</p>', form_of(refused.text, "approve"))
        assert 'type="checkbox" value="on" checked' in form_of(refused.text, "approve")  # what she ticked is kept
        page = step(arta, strategy_id, page, "approve", "Miratimi u regjistrua: strategjia tani është në zbatim.",
                    approval_reference_unknown="on", approved_on="2024-04-15")
    saved = stored(demo, strategy_id)
    assert (saved.approval_reference, saved.approval_reference_unknown) == (None, True)
    assert "Akti i miratimit numri i aktit nuk dihet" in text_of(section(page, "summary"))
    assert text_of(section(page, "history")).count("(e përafërt)") == 1  # only the consultation's date


def test_the_portfolio_shows_standalone_plans_covering_the_area_without_a_false_gap(person: PersonFactory):
    from tests.web.test_portfolio import section as area_of
    from tests.web.test_portfolio import text_of as words_of

    page = person(DANIEL).get("/console/portfolio?as_of=2021-06-30&policy_area=anti-trafficking")
    assert page.status_code == 200
    words = words_of(area_of(page.text, "area-anti-trafficking"))
    assert "Coverage by strategies and standalone action plans" in words
    assert words.count("Standalone action plan") == 2  # 2018-2020 and 2021-2023 (2024-2025 not yet drafted)
    assert "Gap:" not in words and "Lapsed, nothing in force since" not in words  # 2014 to 2025, always covered
    albanian = person(ARTA).get("/console/portfolio?as_of=2021-06-30&policy_area=anti-trafficking")
    assert "Plan veprimi i pavarur" in words_of(area_of(albanian.text, "area-anti-trafficking"))
