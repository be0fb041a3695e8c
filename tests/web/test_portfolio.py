"""The portfolio page: every area's coverage as of a day, drawn and stated, filtered, for anyone signed in."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import unescape

import freezegun
from fastapi.testclient import TestClient

from tests.web.conftest import ARTA, BESNIK, DANIEL, PersonFactory
from web.pages import portfolio_view

SVG = "{http://www.w3.org/2000/svg}"


def section(html: str, key: str) -> str:
    found = re.search(rf'<section class="area" id="{key}".*?</section>', html, re.S)
    assert found, f"no section {key}"
    return found.group(0)


def svg_of(html: str) -> ET.Element:
    found = re.search(r"<svg .*?</svg>", html, re.S)
    assert found, "no chart"
    return ET.fromstring(found.group(0))


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def gaps_in(chart: ET.Element) -> list[tuple[str, str]]:
    return [(r.get("data-start", ""), r.get("data-end", "")) for r in chart.iter(f"{SVG}rect")
            if r.get("class") == "gap"]


def test_as_of_mid_2023_the_migration_gap_that_opened_on_new_year_is_shown_in_text_and_drawing(
    person: PersonFactory,
) -> None:
    page = person(DANIEL).get("/console/portfolio?as_of=2023-06-30")
    assert page.status_code == 200, page.text
    migration = section(page.text, "area-migration")
    words = text_of(migration)
    assert "Gap: no strategy in force since 1 Jan 2023 (181 days)." in words
    assert "National Strategy on Migration Governance and Action Plan 2019-2022" in words
    assert "19 Jun 2019 to 31 Dec 2022" in words  # its interval in force, then the lapse
    assert "181 days without a strategy in force." in words
    assert "Coverage by strategies 1 Jan 2023 30 Jun 2023 (still open) 181 days" in words  # the gaps table
    assert "National Strategy for Migration 2024-2030" in words  # its successor, in drafting since October 2022
    chart = svg_of(migration)
    assert chart.get("role") == "img"
    assert ("2023-01-01", "2023-06-30") in gaps_in(chart)
    labels = [t.text for t in chart.iter(f"{SVG}text") if t.get("class") == "gap-label"]
    assert "181 days" in labels
    title = chart.find(f"{SVG}title")
    desc = chart.find(f"{SVG}desc")
    assert title is not None and title.text == "Coverage of Migration"
    assert desc is not None and "1 Jan 2023 to 30 Jun 2023, 181 days" in (desc.text or "")
    assert [line.get("data-day") for line in chart.iter(f"{SVG}line") if line.get("class") == "asof"] == ["2023-06-30"]
    assert 'href="/console/strategies/3"' in migration


def test_as_of_2021_the_migration_strategy_is_in_force_and_no_gap_is_open(person: PersonFactory) -> None:
    page = person(ARTA).get("/console/portfolio?as_of=2021-06-30&policy_area=migration")
    assert page.status_code == 200
    migration = section(page.text, "area-migration")
    assert 'id="area-diaspora"' not in page.text  # the area filter
    assert "Gap:" not in text_of(migration) and "Boshllëk:" not in text_of(migration)
    chart = svg_of(migration)
    gaps = gaps_in(chart)
    assert ("2023-01-01", "2023-06-30") not in gaps
    assert all(end < "2021-06-30" for _, end in gaps)  # only the 2011-2019 vacuum, long closed
    forces = [(r.get("data-start"), r.get("data-end")) for r in chart.iter(f"{SVG}rect") if r.get("class") == "force"
              and r.get("data-start")]
    assert ("2019-06-19", "2022-12-31") in forces


def test_a_viewer_sees_the_portfolio_and_a_visitor_is_sent_to_sign_in(
    person: PersonFactory, visitor: TestClient
) -> None:
    assert person(BESNIK).get("/console/portfolio").status_code == 200
    answer = visitor.get("/console/portfolio?as_of=2023-06-30", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/console/sign-in?next=")


def test_the_filters_keep_the_documents_asked_for(person: PersonFactory) -> None:
    daniel = person(DANIEL)
    plans = daniel.get("/console/portfolio?kind=action_plan")
    assert plans.status_code == 200
    assert "Action Plan of the National Strategy for Migration 2024-2026" in plans.text
    assert "National Diaspora Strategy" not in plans.text
    assert 'id="area-migration"' in plans.text and 'id="area-diaspora"' not in plans.text
    page = daniel.get("/console/portfolio")
    diaspora_lead = re.search(r'<option value="(\d+)">State Minister for Diaspora</option>', page.text)
    assert diaspora_lead
    led = daniel.get(f"/console/portfolio?institution={diaspora_lead.group(1)}&as_of=2022-01-01")
    assert led.status_code == 200
    assert 'id="area-diaspora"' in led.text and 'id="area-migration"' not in led.text
    assert f'<option value="{diaspora_lead.group(1)}" selected>' in led.text


def test_a_bad_day_is_refused_next_to_its_field_in_the_viewers_language(person: PersonFactory) -> None:
    arta = person(ARTA).get("/console/portfolio?as_of=2023-02-30")
    assert arta.status_code == 422
    assert re.search(r'<p class="field-error" id="as_of-error">Shkruani datën në formën VVVV-MM-DD', arta.text)
    assert 'aria-describedby="as_of-hint as_of-error"' in arta.text
    assert "<svg" not in arta.text
    daniel = person(DANIEL).get("/console/portfolio?as_of=2023-02-30&kind=plan&policy_area=nowhere")
    assert daniel.status_code == 422
    assert re.search(r'id="as_of-error">Enter a date as YYYY-MM-DD', daniel.text)
    assert re.search(r'id="kind-error">Choose one of the options offered.', daniel.text)


def test_an_unknown_area_or_institution_is_refused_next_to_its_field(person: PersonFactory) -> None:
    daniel = person(DANIEL)
    area = daniel.get("/console/portfolio?policy_area=fisheries")
    assert area.status_code == 422
    assert re.search(r'id="policy_area-error">Choose one of the options offered.', area.text)
    institution = daniel.get("/console/portfolio?institution=99999")
    assert institution.status_code == 422 and 'id="institution-error"' in institution.text
    far = daniel.get("/console/portfolio?as_of=1800-01-01")
    assert far.status_code == 422 and "from 1 Jan 1900 to 31 Dec 2200" in far.text


def test_at_risk_lapses_are_marked_with_the_successors_expected_approval(person: PersonFactory) -> None:
    """On 2023-10-02 the 2021-2023 anti-trafficking plan lapses within the horizon and its successor
    (in consultation since 4 Sep 2023) is not approved yet: the chart marks the lapse up to the projection."""
    page = person(DANIEL).get("/console/portfolio?as_of=2023-10-02&policy_area=anti-trafficking")
    assert page.status_code == 200
    area = section(page.text, "area-anti-trafficking")
    chart = svg_of(area)
    risks = [r for r in chart.iter(f"{SVG}rect") if r.get("class") == "risk"]
    assert len(risks) == 1 and risks[0].get("data-lapse") == "2023-12-31"
    until = risks[0].get("data-until")
    assert until and until > "2023-12-31"
    words = text_of(area)
    assert "At risk of a gap" in words
    assert "National Action Plan on the Fight against Trafficking 2024-2025" in words


def test_a_gap_with_a_successor_on_its_way_is_marked_up_to_its_expected_approval(person: PersonFactory) -> None:
    page = person(DANIEL).get("/console/portfolio?as_of=2023-12-01&policy_area=migration")
    migration = section(page.text, "area-migration")
    [risk] = [r for r in svg_of(migration).iter(f"{SVG}rect") if r.get("class") == "risk"]
    assert risk.get("data-lapse") == "2022-12-31"
    until = risk.get("data-until")
    assert until and until > "2023-12-01"
    words = text_of(migration)
    assert "Gap: no strategy in force since 1 Jan 2023 (335 days)." in words
    assert "Successor: National Strategy for Migration 2024-2030 (Consultation), approval expected" in words
    assert re.search(r"approval expected \d+ \w+ 2024 \(\d+ \w+ 202\d to \d+ \w+ 202\d\)\.", words)  # and its range
    assert "not approved; period 1 Jan 2024 to 31 Dec 2030" in words  # the successor, still pending
    assert [r.get("data-start") for r in svg_of(migration).iter(f"{SVG}rect") if r.get("class") == "pending"] == [
        "2024-01-01", "2024-01-01"]  # the strategy and its action plan


def table(html: str, css: str) -> str:
    found = re.search(rf'<table class="{css}">.*?</table>', html, re.S)
    return text_of(found.group(0)) if found else ""


def rects_of(chart: ET.Element, css: str) -> list[tuple[str, str]]:
    return [(r.get("data-start", ""), r.get("data-end", "")) for r in chart.iter(f"{SVG}rect") if r.get("class") == css]


PLANS_2024 = "Action plans of National Strategy for Migration 2024-2030"


def test_a_hole_that_begins_after_the_day_is_foreseen_not_a_gap(person: PersonFactory) -> None:
    """On 1 Dec 2026 the 2024-2030 strategy's only action plan runs to 31 Dec 2026: nothing covers
    2027-2030 yet, but those days have not happened. Dashed and listed apart, never red nor a gap."""
    with freezegun.freeze_time("2026-12-01 09:00:00"):
        migration = section(person(DANIEL).get("/console/portfolio?policy_area=migration").text, "area-migration")
        albanian = section(person(ARTA).get("/console/portfolio?policy_area=migration").text, "area-migration")
    chart = svg_of(migration)
    assert ("2027-01-01", "2030-12-31") not in gaps_in(chart)
    assert rects_of(chart, "risk foreseen") == [("2027-01-01", "2030-12-31")]
    labels = {t.text: t.get("class") for t in chart.iter(f"{SVG}text")}
    assert labels.get("not covered yet from 1 Jan 2027") == "foreseen-label"
    assert "1,461 days" not in labels
    desc = chart.find(f"{SVG}desc")
    assert desc is not None and "2027" not in (desc.text or "").split("Not covered yet")[0]
    assert "Not covered yet, after 1 Dec 2026: 1 Jan 2027 to 31 Dec 2030, 1,461 days." in (desc.text or "")
    gaps = table(migration, "holes")
    assert "Gaps in the coverage of Migration" in gaps and PLANS_2024 not in gaps and "2027" not in gaps
    assert f"{PLANS_2024} 1 Jan 2027 31 Dec 2030 1,461 days" in table(migration, "foreseen")
    assert "ende pa mbulim nga 1 jan 2027" in [t.text for t in svg_of(albanian).iter(f"{SVG}text")]
    assert "Ende pa mbulim në" in table(albanian, "foreseen")


def test_a_gap_open_on_the_day_counts_its_days_up_to_that_day_and_the_rest_is_foreseen(
    person: PersonFactory,
) -> None:
    with freezegun.freeze_time("2026-12-01 09:00:00"):
        page = person(DANIEL).get("/console/portfolio?policy_area=migration&as_of=2027-02-01")
    migration = section(page.text, "area-migration")
    chart = svg_of(migration)
    assert ("2027-01-01", "2027-02-01") in gaps_in(chart)
    assert rects_of(chart, "risk foreseen") == [("2027-02-02", "2030-12-31")]
    assert f"{PLANS_2024} 1 Jan 2027 1 Feb 2027 (still open) 32 days" in table(migration, "holes")
    assert f"{PLANS_2024} 2 Feb 2027 31 Dec 2030 1,429 days" in table(migration, "foreseen")
    assert "32 days" in [t.text for t in chart.iter(f"{SVG}text") if t.get("class") == "gap-label"]


def test_policy_areas_are_named_in_the_viewers_language(person: PersonFactory) -> None:
    arta = person(ARTA).get("/console/portfolio?as_of=2023-06-30")
    migration = section(arta.text, "area-migration")
    assert '<h2 id="area-migration-heading">Migracioni</h2>' in migration
    title = svg_of(migration).find(f"{SVG}title")
    assert title is not None and title.text == "Mbulimi i fushës: Migracioni"
    assert '<option value="migration">Migracioni</option>' in arta.text
    assert '<option value="anti-trafficking">Lufta kundër trafikimit</option>' in arta.text
    daniel = person(DANIEL).get("/console/portfolio?as_of=2023-06-30")
    assert '<h2 id="area-migration-heading">Migration</h2>' in daniel.text
    assert not hasattr(portfolio_view, "area_name")  # one vocabulary: web.words


def test_the_portfolio_as_it_was_known_then(person: PersonFactory) -> None:
    daniel = person(DANIEL)
    now_known = text_of(section(daniel.get("/console/portfolio?as_of=2022-11-30").text, "area-migration"))
    assert "National Strategy for Migration 2024-2030" in now_known  # in drafting since October 2022
    page = daniel.get("/console/portfolio?as_of=2022-11-30&known_on=2022-09-30")
    assert page.status_code == 200
    assert "Portfolio as of 30 November 2022, as known on 30 September 2022" in text_of(page.text)
    assert "National Strategy for Migration 2024-2030" not in text_of(section(page.text, "area-migration"))
    refused = daniel.get("/console/portfolio?known_on=2199-01-01")
    assert refused.status_code == 422
    assert re.search(r'id="known_on-error">What will be known later cannot be shown', refused.text)


def test_an_area_carried_by_a_standalone_action_plan_says_so(person: PersonFactory) -> None:
    page = person(DANIEL).get("/console/portfolio?as_of=2022-06-30&policy_area=anti-trafficking")
    words = text_of(section(page.text, "area-anti-trafficking"))
    assert "No gap on 30 Jun 2022: a standalone action plan is in force." in words


def test_a_strategy_at_risk_says_why_in_the_viewers_language_as_the_api_and_the_warning_do(
    person: PersonFactory,
) -> None:
    """June 2021, as known then: the 2019-2022 migration strategy has no successor and a pipeline longer
    than the 18 months left; the console words it as ``GET /gaps`` does, in English and in Albanian."""
    query = "/console/portfolio?as_of=2021-06-30&known_on=2021-06-30"
    english = text_of(section(person(DANIEL).get(query).text, "area-migration"))
    assert "Why at risk, and what would avoid the gap" in english
    assert "It lapses on 2022-12-31: 18 months left." in english
    assert "No successor is under way; in this history a new one takes" in english
    assert "To avoid the gap the deadline was 2021-01-05 (start drafting)" in english
    albanian = text_of(section(person(ARTA).get(query).text, "area-migration"))
    assert "Pse është në rrezik, dhe çfarë do ta shmangte boshllëkun" in albanian
    assert "Skadon më 2022-12-31: kanë mbetur 18 muaj." in albanian
    assert "Në rrezik sepse ditët e mbetura (18 muaj)" in albanian
