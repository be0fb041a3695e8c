"""The consultation report's own guarantees: its one style is allowed by hash and nothing else,
illustrative records are said to be so, and an unsupported language is refused."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import date

import pytest

from tests.workflow.consultation.builders import a_round, in_consultation, people, submission
from workflow.calendar import working_calendar
from workflow.consultation import CONTENT_SECURITY_POLICY, as_csv, as_html, report_for

OPENED = date(2025, 11, 10)


@pytest.fixture
def report(session, settings):
    p = people(session)
    s = in_consultation(session, p.institution_id)
    round_ = a_round(session, p.coordinator, s.id, settings, today=OPENED, opened_on=OPENED)
    submission(session, p.coordinator, round_.id, settings, today=date(2025, 11, 20), illustrative=True)
    return report_for(session, s.id, today=date(2025, 11, 20), calendar=working_calendar(session, settings))


def test_the_page_style_is_the_one_the_policy_allows(report):
    page = as_html(report, "en")
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in CONTENT_SECURITY_POLICY
    assert "default-src 'none'" in CONTENT_SECURITY_POLICY and "<script" not in page


def test_illustrative_records_are_said_to_be(report):
    assert report.illustrative
    assert "illustrative (made up or reconstructed)" in as_html(report, "en")
    assert "janë ilustruese" in as_html(report, "sq")
    assert "Ilustrues" in as_csv(report, "sq").splitlines()[0]


def test_still_open_rounds_say_how_many_working_days_are_left(report):
    # 20 Nov is day 8 after 10 Nov; 24 Nov, 28 Nov, 1 Dec and 8 Dec are holidays before 12 Dec.
    assert "still open: 12 working days left" in as_html(report, "en")
    assert "ende i hapur: 12 ditë pune të mbetura" in as_html(report, "sq")


def test_only_english_and_albanian(report):
    with pytest.raises(ValueError, match="unsupported language"):
        as_html(report, "fr")
