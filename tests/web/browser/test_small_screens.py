"""The console on a phone (390 px wide): no page scrolls sideways, and no control sticks out of its panel;
wide tables and the timelines scroll inside their own box."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.web.browser.harness import sign_in
from tests.web.conftest import ARTA
from tests.web.test_strategy_page import MIGRATION, by_title

WIDTH = 390
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('main *')]
    .filter(e => e.getBoundingClientRect().right > width + 1 && !e.closest('.table-wrap, figure, table'))
    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : ''))
    .slice(0, 8);
}"""


@pytest.fixture
def phone(browser, console) -> Iterator[object]:
    context = browser.new_context(viewport={"width": WIDTH, "height": 844}, locale="en-GB")
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()


def test_pages_fit_a_phones_width(phone, console, demo) -> None:
    sign_in(phone, console, ARTA)
    strategy = by_title(demo, MIGRATION)
    widths = {}
    for path in ("/console/portfolio", "/console/portfolio?as_of=2023-06-30", "/console/me",
                 f"/console/strategies/{strategy.id}"):
        phone.goto(f"{console.url}{path}")
        widths[path] = (phone.evaluate("document.documentElement.scrollWidth"), phone.evaluate(OVERFLOWING))
    assert widths == {path: (WIDTH, []) for path in widths}
    phone.goto(f"{console.url}/console/portfolio")
    lead = phone.get_by_label("Institucioni përgjegjës")
    panel = phone.locator("#filters").bounding_box()
    box = lead.bounding_box()
    assert panel is not None and box is not None
    assert box["x"] >= panel["x"] and box["x"] + box["width"] <= panel["x"] + panel["width"]  # inside its panel
