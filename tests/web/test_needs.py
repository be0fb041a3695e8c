"""What needs me: a person's own deadlines, reports and strategies at risk, most urgent first.

The clock stands on 1 Dec 2026 while the demo loads and the pages are read: its action plan reports
quarterly from 2026-Q3 (due 30 Oct 2026, so a month overdue) and lapses on 31 Dec 2026 with no successor.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import freezegun
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlmodel import col

from tests.web.conftest import ARTA, DANIEL, KLODIANA, PersonFactory
from tests.web.console import sign_in
from workflow.core import clock, unit_of_work
from workflow.directory import ContactCreate, Institution, create_contact, find_institution
from workflow.lifecycle import Strategy
from workflow.monitoring import ReportOpen, reports

TODAY = "2026-12-01 09:00:00"
PLAN = "Action Plan of the National Strategy for Migration 2024-2026"


@pytest.fixture
def frozen() -> Iterator[None]:
    with freezegun.freeze_time(TODAY):
        yield


@pytest.fixture
def at(frozen: None, person: PersonFactory) -> PersonFactory:
    """``person``, with the clock standing on ``TODAY`` from before the demo is loaded."""
    return person


def items(html: str) -> list[tuple[str, str, str]]:
    """(kind, due day, text) of each item, in page order."""
    found = re.findall(r'<li class="[a-z_]+" data-kind="([a-z_]+)" data-due="([0-9-]+)">(.*?)</li>', html, re.S)
    return [(kind, due, " ".join(re.sub(r"<[^>]+>", " ", body).split())) for kind, due, body in found]


def plan_id(engine: Engine) -> int:
    with unit_of_work(engine) as session:
        found = session.scalar(select(col(Strategy.id)).where(col(Strategy.title) == PLAN))
        assert found is not None
        return found


def test_a_coordinator_sees_her_institutions_items_most_urgent_first(at: PersonFactory, demo: Engine) -> None:
    page = at(ARTA).get("/console/me")
    assert page.status_code == 200
    listed = items(page.text)
    assert [kind for kind, _, _ in listed] == [
        "gap", "gap", "report_due", "report_due", "at_risk", "report_due", "report_due", "period_end",
    ]
    dues = [due for _, due, _ in listed]
    assert dues == sorted(dues)
    assert dues[0] == "2016-01-01"  # the reintegration strategy's gap, the longest open
    overdue = listed[2][2]
    assert "Raporti i progresit 2026-Q3 i institucionit Ministry of Interior" in overdue
    assert "Afati: 30 tet 2026 · 32 ditë me vonesë" in overdue
    assert f'href="/console/strategies/{plan_id(demo)}/monitoring"' in page.text


def test_a_lapse_is_said_in_plain_albanian_worded_by_the_kind_of_document(at: PersonFactory) -> None:
    """The action plan (masculine: plani) lapses in 30 days with no successor; the strategy (feminine:
    strategjia) in 1,491 days, not at risk yet."""
    listed = items(at(ARTA).get("/console/me").text)
    at_risk, period_end = listed[4][2], " ".join(listed[-1][2].replace("\u00a0", " ").replace("\u202f", " ").split())
    assert ("Skadon më 31 dhjetor 2026 dhe ende nuk ka pasardhës të miratuar: "
            "plani i ri duhet të jetë në fuqi më 1 janar 2027. mbeten 30 ditë") in at_risk
    assert "të nesërmen" not in at_risk + period_end and "pasardhëse" not in at_risk
    assert ("National Strategy for Migration 2024-2030 Skadon më 31 dhjetor 2030: "
            "strategjia pasardhëse duhet të jetë në fuqi më 1 janar 2031. mbeten 1 491 ditë") in period_end
    for _, _, text in listed:
        assert not re.search(r"[.:;,] ?[.·:]", text), text  # no doubled punctuation


def test_a_contact_point_sees_only_the_reports_his_institution_owes(at: PersonFactory) -> None:
    page = at(DANIEL).get("/console/me")
    listed = items(page.text)
    assert [(kind, due) for kind, due, _ in listed] == [("report_due", "2026-10-30"), ("report_due", "2027-01-30")]
    assert "Progress report 2026-Q3 of Ministry of Interior" in listed[0][2]
    assert "32 days overdue" in listed[0][2]
    assert "60 days left" in listed[1][2]
    assert "Technical Committee on Migration" not in page.text
    assert "2 items need attention." in page.text


def test_another_institutions_coordinator_does_not_see_the_ministrys_items(at: PersonFactory) -> None:
    page = at(KLODIANA).get("/console/me")
    listed = items(page.text)
    assert [(kind, due) for kind, due, _ in listed] == [("gap", "2026-01-01")]
    assert "National Diaspora Strategy and Action Plan 2021-2025" in listed[0][2]
    assert "335 ditë pa strategji në fuqi." in listed[0][2]
    for theirs in ("Ministry of Interior", "Migration", "Reintegration", "Border", "2026-Q3"):
        assert theirs not in page.text


def test_someone_with_nothing_to_do_is_told_so(at: PersonFactory) -> None:
    page = at("ilir.basha@example.org").get("/console/me")  # contact point of the diaspora: no reports asked
    assert page.status_code == 200
    assert 'id="nothing"' in page.text and "Nothing needs you now" in page.text
    assert items(page.text) == []


def test_an_opened_report_links_to_its_page_and_a_submitted_one_waits_for_review(
    at: PersonFactory, demo: Engine
) -> None:
    arta = at(ARTA)
    plan = plan_id(demo)
    with unit_of_work(demo) as session:
        ministry = find_institution(session, "Ministry of Interior")
        assert ministry is not None and ministry.id is not None
        report = reports.open_report(session, plan, ReportOpen(period="2026-Q3", institution_id=ministry.id),
                                     now=clock.now())
        assert report.id is not None
        report_id = report.id
    daniel = at(DANIEL).get("/console/me")
    assert f'<a href="/console/reports/{report_id}">Progress report 2026-Q3 of Ministry of Interior</a>' in daniel.text
    with unit_of_work(demo) as session:
        reports.submit_report(session, report_id, actor="Daniel Price", today=date(2026, 12, 1), now=clock.now())
    listed = items(arta.get("/console/me").text)
    review = [text for kind, _, text in listed if kind == "report_review"]
    assert review == ["Për shqyrtim Shqyrtoni raportin e progresit 2026-Q3 të institucionit Ministry of Interior "
                      f"{PLAN} Dorëzuar më 1 dhj 2026"]
    assert all("2026-Q3 i institucionit Ministry" not in text for kind, _, text in listed if kind == "report_due")
    assert [kind for kind, _, _ in items(at(DANIEL).get("/console/me").text)] == ["report_due"]  # only 2026-Q4 left


def test_an_admin_sees_every_institutions_items(at: PersonFactory, demo: Engine) -> None:
    with unit_of_work(demo) as session:
        institution = session.scalars(select(Institution).order_by(col(Institution.id))).first()
        assert institution is not None and institution.id is not None
        create_contact(session, ContactCreate(name="Ada Admin", email="ada.admin@example.org",
                                              institution_id=institution.id, roles=["escalation"],
                                              access_role="admin"), now=clock.now())
    client = at(ARTA)  # the same app; a second browser signs in as the admin
    admin = sign_in(TestClient(client.app, raise_server_exceptions=False), demo, "ada.admin@example.org")
    page = admin.get("/console/me")
    assert "Everything in Continuum that needs someone" in page.text
    texts = " ".join(text for _, _, text in items(page.text))
    assert "National Diaspora Strategy and Action Plan 2021-2025" in texts
    assert "Progress report 2026-Q3 of Technical Committee on Migration" in texts
    assert ("Action Plan of the National Strategy for Migration 2024-2026 Lapses on 31 December 2026 with no "
            "successor approved: the next action plan must be in force from 1 January 2027. 30 days left") in texts
    assert ("National Strategy for Migration 2024-2030 Lapses on 31 December 2030: the next strategy must be in "
            "force from 1 January 2031. 1,491 days left") in texts
    assert "the next day" not in texts and ". ·" not in texts


def test_a_visitor_is_sent_to_sign_in(visitor: TestClient) -> None:
    answer = visitor.get("/console/me", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/console/sign-in?next=%2Fconsole%2Fme"
