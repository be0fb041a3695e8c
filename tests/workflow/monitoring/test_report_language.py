"""The printable monitoring report in the reader's language: English or Albanian wording,
``<html lang>``, status names, and dates and numbers as the language writes them."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from workflow.monitoring import as_html
from workflow.monitoring.results.alignment import frameworks
from workflow.monitoring.results.reading import IndicatorIn, Inputs, MeasureIn, PlanIn
from workflow.monitoring.results.summary import Monitoring, compute
from workflow.monitoring.results.wording import GCM_LABELS_SQ, MEASURE_STATUSES

PLAN = PlanIn(1, "Strategjia Kombëtare për Migracionin", "strategy", date(2022, 1, 1), date(2025, 12, 31))


def measure(id: int, code: str, status: str, start: date, end: date, completed_on: date | None = None,
            cost: Decimal | None = None) -> MeasureIn:
    return MeasureIn(id, 1, code, f"Measure {code}", 7, status, start, end, completed_on, cost,
                     "ALL" if cost is not None else None, ("gcm:11",) if id == 1 else ())


def monitoring(*, today: date = date(2024, 3, 1), extra: tuple[MeasureIn, ...] = ()) -> Monitoring:
    """2023: 1.1 completed on 30 June, 1.2 on track, 1.3 delayed past its end: 2 of 3 implemented."""
    measures = [
        measure(1, "1.1", "completed", date(2023, 1, 1), date(2023, 6, 30), date(2023, 6, 30), Decimal("4500000.00")),
        measure(2, "1.2", "on_track", date(2023, 1, 1), date(2024, 12, 31)),
        measure(3, "1.3", "delayed", date(2023, 1, 1), date(2023, 9, 30)),
        measure(4, "1.4", "not_started", date(2025, 1, 1), date(2025, 6, 30)),
        measure(5, "1.5", "cancelled", date(2025, 1, 1), date(2025, 6, 30)),
        *extra,
    ]
    indicator = IndicatorIn(1, "Returned migrants reintegrated", "outcome", "persons", "increase",
                            Decimal("1200.0000"), 2022, Decimal("3000.0000"), 2025)
    inputs = Inputs(strategy=PLAN, measures=measures, indicators=[indicator],
                    latest={1: (Decimal("2400.0000"), "2023-Q4")}, objective_tags=[(1, ("gcm:11",))],
                    cycles=[], first_submitted={}, names={7: "Ministria e Brendshme"})
    return compute(inputs, year=2023, today=today)


def flat(html: str) -> str:
    """The page with each run of white space as one space, as a browser shows it."""
    return re.sub(r"[ \t\r\n]+", " ", html)  # not \s: it would eat the no-break spaces


def cells(html: str, heading: str) -> list[list[str]]:
    """The body rows of the table after ``heading``, as the cells' text."""
    table = html[html.index(heading):]
    body = table[table.index("<tbody>"):table.index("</tbody>")]
    return [[re.sub(r"<[^>]+>", " ", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)]


def test_the_albanian_report_reads_in_albanian_with_albanian_dates_and_numbers() -> None:
    html = flat(as_html(monitoring(), "sq"))
    assert '<html lang="sq">' in html
    assert "<title>Raporti i monitorimit 2023: Strategjia Kombëtare për Migracionin</title>" in html
    for heading in ("<h2>Shkalla e zbatimit</h2>", "<h2>Masat</h2>", "<h2>Treguesit</h2>",
                    "<th>Vlera e synuar</th>", "<th>Institucioni përgjegjës</th>",
                    "<h2>Respektimi i afateve të raportimit, periudhat që mbyllen në vitin 2023</h2>"):
        assert heading in html
    # 2 of the 3 measures planned for 2023: decimal comma, Albanian percent.
    assert '<span class="rate">66,7%</span>' in html
    assert "U zbatuan 2 nga 3 masat e planifikuara për vitin 2023: 1 e përfunduar dhe 1 në vazhdim" in html
    assert "Përgatitur në Continuum më 1 mars 2024." in html
    assert "<h3>Masat me afat deri më 31 dhjetor 2023</h3>" in html
    assert "nga 2 masat me afat përfundimi deri më 31 dhjetor 2023, deri në atë datë ishte përfunduar 1." in html
    assert "1 masë e ka kaluar afatin e planifikuar pa u zbatuar: 1.3." in html
    measures = {row[0]: row for row in cells(html, "<h2>Masat</h2>")}
    assert measures["1.1"][3] == "1 janar 2023 – 30 qershor 2023"
    assert measures["1.1"][4] == "4\xa0500\xa0000,00 ALL"
    assert measures["1.1"][5] == "E përfunduar (30 qershor 2023)" and measures["1.1"][6] == "e përfunduar"
    assert measures["1.2"][5:] == ["Sipas planit", "në vazhdim sipas afateve"]
    assert measures["1.3"][5].startswith("Me vonesë") and "ka kaluar afatin e planifikuar" in measures["1.3"][5]
    assert measures["1.4"][5:] == ["E pafilluar", "e paplanifikuar për vitin"]
    assert measures["1.5"][5] == "E anuluar"
    indicator = cells(html, "<h2>Treguesit</h2>")[0]
    assert indicator[0] == "Returned migrants reintegrated  (persons, rritje)" and indicator[1] == "rezultat"
    assert indicator[2:] == ["1\xa0200 (2022)", "3\xa0000 (2025)", "2\xa0400 (2023-Q4)", "66,7% (në përparim)"]
    assert "11. Menaxhimi i kufijve" in html and "8. Shpëtimi i jetëve" in html
    for english in ("Implementation rate", "Measures", "Indicators", "On track", "Completed", "to date", "June"):
        assert english not in html


def test_a_running_year_in_albanian_says_to_date() -> None:
    html = flat(as_html(monitoring(today=date(2023, 11, 15)), "sq"))
    assert "<title>Raporti i monitorimit 2023 (deri më sot): " in html
    assert "<strong>deri më sot</strong>" in html and "Deri më sot janë zbatuar 2 nga 3" in html
    assert "kjo shifër është e datës 15 nëntor 2023" in html


def test_the_english_report_keeps_english_with_british_dates_and_numbers() -> None:
    html = as_html(monitoring())
    assert html == as_html(monitoring(), "en")
    assert '<html lang="en">' in html and "<title>Monitoring report 2023: Strategjia" in html
    assert '<span class="rate">66.7%</span>' in html and "<h3>Everything due by 31 December 2023</h3>" in html
    measures = {row[0]: row for row in cells(html, "<h2>Measures</h2>")}
    assert measures["1.1"][3:7] == ["1 January 2023 to 30 June 2023", "4,500,000.00 ALL",
                                    "Completed (30 June 2023)", "completed"]
    assert [measures[c][5].split(" ")[0] for c in ("1.2", "1.4", "1.5")] == ["On", "Not", "Cancelled"]
    assert measures["1.3"][5].startswith("Delayed")
    assert cells(html, "<h2>Indicators</h2>")[0][2:] == ["1,200 (2022)", "3,000 (2025)", "2,400 (2023-Q4)",
                                                         "66.7% (in progress)"]
    assert "11. Manage borders" in html and "qershor" not in html


def test_both_languages_share_one_style_sheet_so_one_policy_fits() -> None:
    styles = {lang: re.findall(r"<style>(.*?)</style>", as_html(monitoring(), lang), re.DOTALL)
              for lang in ("en", "sq")}
    assert styles["en"] and styles["en"] == styles["sq"]


def test_titles_stay_escaped_in_albanian() -> None:
    hostile = measure(9, "9.9", "delayed", date(2023, 1, 1), date(2023, 3, 31))
    hostile = MeasureIn(**{**{f: getattr(hostile, f) for f in hostile.__slots__}, "title": "<script>x</script>"})
    html = as_html(monitoring(extra=(hostile,)), "sq")
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html


@pytest.mark.parametrize("language", ["fr", "", "SQ", "sq_AL", "en-GB"])
def test_an_unknown_language_is_refused(language: str) -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        as_html(monitoring(), language)


def test_every_status_and_gcm_objective_has_its_albanian_name() -> None:
    assert MEASURE_STATUSES["sq"] == {"not_started": "E pafilluar", "on_track": "Sipas planit",
                                      "delayed": "Me vonesë", "completed": "E përfunduar",
                                      "cancelled": "E anuluar"}
    gcm = next(f for f in frameworks() if f.key == "gcm")
    assert {item.tag for item in gcm.items} == set(GCM_LABELS_SQ)
