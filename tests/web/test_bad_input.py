"""Garbage in any form or query of the console gets a page that says so, never a server error, and
what was posted is shown as text, never as markup."""

from __future__ import annotations

import pytest

from tests.web.conftest import ARTA, DANIEL
from tests.web.console import post_form
from tests.web.test_report_flow import target_of
from tests.web.test_strategy_page import MIGRATION, by_title

GARBAGE = ["\u00b2", "9" * 5000, "-1", "1e3", "<b id=inj>x</b>", "%d %s", "\u0661\u0662"]


@pytest.mark.parametrize("value", GARBAGE)
def test_the_portfolio_filters_refuse_garbage(person, value: str):
    page = person(DANIEL).get("/console/portfolio", params={"institution": value, "as_of": value[:40]})
    assert page.status_code == 422
    assert "<b id=inj>" not in page.text


@pytest.mark.parametrize("value", GARBAGE)
def test_a_strategy_form_with_garbage_is_refused(person, demo, value: str):
    arta = person(ARTA)
    strategy = by_title(demo, MIGRATION)
    page = arta.get(f"/console/strategies/{strategy.id}")
    for path, data in [
        (f"/console/strategies/{strategy.id}/transitions", {"event": "expire", "version": value, "reason": value}),
        (f"/console/strategies/{strategy.id}/deadlines", {"version": value, "min_consultation_days": value,
                                                           "drafting_due": value}),
    ]:
        answer = post_form(arta, path, page.text, data)
        assert 400 <= answer.status_code < 500, (path, answer.status_code)
        assert "<b id=inj>" not in answer.text
    assert by_title(demo, MIGRATION).version == strategy.version


@pytest.mark.parametrize("value", GARBAGE)
def test_a_report_form_with_garbage_is_refused(person, demo, value: str):
    daniel = person(DANIEL)
    target = target_of(demo)
    page = daniel.get(f"/console/strategies/{target.strategy_id}/monitoring")
    answer = post_form(daniel, f"/console/strategies/{target.strategy_id}/reports", page.text,
                       {"plan_id": value, "period": value, "institution_id": value})
    assert 400 <= answer.status_code < 500
    assert "<b id=inj>" not in answer.text
