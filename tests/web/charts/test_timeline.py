"""The coverage timeline as SVG, drawn from plain values: where bars, gaps and marks fall, and what they say."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pytest

from web.charts.timeline import (
    LEFT,
    RIGHT,
    Bar,
    Chart,
    Coverage,
    Gap,
    Risk,
    Scale,
    chart_height,
    draw_timeline,
    year_step,
)

SVG = "{http://www.w3.org/2000/svg}"
PER_DAY = (RIGHT - LEFT) / 1461  # 2020 to 2023: 366 + 365 + 365 + 365 days


def chart(**overrides: object) -> Chart:
    values: dict[str, object] = dict(
        key="chart-migration", title="Coverage of Migration", description="2 documents shown.",
        first_year=2020, last_year=2023, as_of=date(2023, 6, 30), as_of_label="as of 30 Jun 2023",
        bars=(
            Bar("Migration 2019-2022 · Expired", date(2020, 1, 1), date(2022, 12, 31)),
            Bar("Migration 2024-2030 · Consultation", date(2024, 1, 1), date(2030, 12, 31), pending=True),
        ),
        coverage=(Coverage("Coverage by strategies", ((date(2020, 1, 1), date(2022, 12, 31)),),
                           (Gap(date(2023, 1, 1), date(2023, 6, 30), "181 days"),)),),
    )
    values.update(overrides)
    return Chart(**values)  # type: ignore[arg-type]


def parsed(drawn: Chart) -> ET.Element:
    return ET.fromstring(str(draw_timeline(drawn)))


def rects(svg: ET.Element, css: str) -> list[ET.Element]:
    return [r for r in svg.iter(f"{SVG}rect") if r.get("class") == css]


def test_the_scale_puts_each_day_at_its_share_of_the_years() -> None:
    scale = Scale(2020, 2023)
    assert scale.x(date(2020, 1, 1)) == LEFT
    assert scale.x(date(2024, 1, 1)) == RIGHT
    assert scale.x(date(2021, 1, 1)) == round(LEFT + 366 * PER_DAY, 1)
    x, width = scale.span(date(2021, 1, 1), date(2021, 12, 31))  # both days included
    assert (x, width) == (round(LEFT + 366 * PER_DAY, 1), pytest.approx(365 * PER_DAY, abs=0.11))
    assert scale.x(date(1990, 5, 1)) == LEFT and scale.x(date(2040, 1, 1)) == RIGHT  # clamped to the axis


def test_bars_fall_on_their_days_and_pending_ones_are_drawn_apart() -> None:
    svg = parsed(chart())
    [force] = [r for r in rects(svg, "force") if r.get("data-start")]
    assert float(force.get("x", "")) == LEFT
    assert float(force.get("width", "")) == pytest.approx(1096 * PER_DAY, abs=0.11)  # 2020-2022
    [pending] = rects(svg, "pending")
    assert (pending.get("data-start"), pending.get("data-end")) == ("2024-01-01", "2030-12-31")
    assert float(pending.get("x", "")) == RIGHT  # after the axis: clamped to its end
    assert float(force.get("y", "")) < float(pending.get("y", ""))  # one row each, in order


def test_a_gap_is_red_on_its_days_labelled_with_its_day_count_and_shaded_behind_the_rows() -> None:
    svg = parsed(chart())
    [gap] = rects(svg, "gap")
    assert (gap.get("data-start"), gap.get("data-end")) == ("2023-01-01", "2023-06-30")
    assert float(gap.get("x", "")) == round(LEFT + 1096 * PER_DAY, 1)
    assert float(gap.get("width", "")) == pytest.approx(181 * PER_DAY, abs=0.11)
    labels = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "gap-label"]
    assert labels == ["181 days"]
    [band] = rects(svg, "gap-band")
    assert band.get("x") == gap.get("x")
    unshaded = parsed(chart(coverage=(Coverage("Action plans of X", (), (Gap(date(2021, 1, 1), date(2021, 3, 31),
                                                                            "90 days"),), band=False),)))
    assert rects(unshaded, "gap-band") == [] and len(rects(unshaded, "gap")) == 1


def test_an_at_risk_lapse_runs_to_the_projected_approval_and_says_so() -> None:
    bar = Bar("Action plan 2021-2023", date(2021, 1, 1), date(2023, 12, 31),
              risk=Risk(date(2023, 12, 31), date(2024, 1, 5), "At risk: successor expected 5 Jan 2024"))
    svg = parsed(chart(first_year=2021, last_year=2025, bars=(bar,), coverage=()))
    [risk] = rects(svg, "risk")
    scale = Scale(2021, 2025)
    assert float(risk.get("x", "")) == scale.x(date(2024, 1, 1))
    assert float(risk.get("width", "")) == pytest.approx(scale.x(date(2024, 1, 5)) - scale.x(date(2024, 1, 1)),
                                                         abs=0.11)
    assert (risk.get("data-lapse"), risk.get("data-until")) == ("2023-12-31", "2024-01-05")
    assert "At risk: successor expected 5 Jan 2024" in [t.text for t in svg.iter(f"{SVG}text")]
    unknown = parsed(chart(bars=(Bar("Plan", date(2021, 1, 1), date(2022, 6, 30),
                                     risk=Risk(date(2022, 6, 30), None, "At risk: no successor yet")),), coverage=()))
    [open_risk] = rects(unknown, "risk")
    assert float(open_risk.get("x", "")) + float(open_risk.get("width", "")) == pytest.approx(RIGHT, abs=0.11)


def test_the_chart_is_one_labelled_image_with_the_as_of_line_and_escaped_text() -> None:
    svg = parsed(chart(title="Coverage of <b>Migration</b>", as_of=date(2022, 1, 1)))
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "chart-migration-title"
    assert svg.get("aria-describedby") == "chart-migration-desc"
    title = svg.find(f"{SVG}title")
    assert title is not None and title.text == "Coverage of <b>Migration</b>"  # text, not markup
    desc = svg.find(f"{SVG}desc")
    assert desc is not None and desc.text == "2 documents shown."
    [line] = [line for line in svg.iter(f"{SVG}line") if line.get("class") == "asof"]
    assert float(line.get("x1", "")) == round(LEFT + 731 * PER_DAY, 1) == float(line.get("x2", ""))
    assert svg.get("viewBox") == f"0 0 960 {chart_height(chart())}"
    assert list(svg.iter(f"{SVG}a")) == []  # nothing focusable inside an image


def test_year_labels_thin_out_on_long_axes() -> None:
    years = [t.text for t in parsed(chart(first_year=2005, last_year=2031)).iter(f"{SVG}text")
             if t.get("class") == "small" and (t.text or "").isdigit()]
    assert years == [str(y) for y in range(2005, 2032, 2)]
    assert (year_step(4), year_step(27), year_step(50), year_step(120)) == (1, 2, 5, 10)


def test_a_foreseen_hole_is_dashed_like_a_risk_labelled_in_words_and_never_red() -> None:
    later = Gap(date(2027, 1, 1), date(2030, 12, 31), "not covered yet from 1 Jan 2027")
    plans = Coverage("Action plans of Migration 2024-2030", ((date(2024, 5, 2), date(2026, 12, 31)),), (),
                     band=False, foreseen=(later,))
    svg = parsed(chart(first_year=2024, last_year=2030, as_of=date(2026, 12, 1), bars=(), coverage=(plans,)))
    assert rects(svg, "gap") == [] and rects(svg, "gap-band") == []
    [foreseen] = rects(svg, "risk foreseen")
    assert (foreseen.get("data-start"), foreseen.get("data-end")) == ("2027-01-01", "2030-12-31")
    assert float(foreseen.get("x", "")) == Scale(2024, 2030).x(date(2027, 1, 1))
    texts = {t.text: t.get("class") for t in svg.iter(f"{SVG}text")}
    assert texts["not covered yet from 1 Jan 2027"] == "foreseen-label"
    assert not any(css == "gap-label" for css in texts.values())
