"""A progress report in the console, end to end with TestClient: Daniel (contact point of the
Ministry of Interior) starts, saves and submits his institution's report; Arta (its coordinator,
Albanian UI) accepts or returns it; Klodiana (another institution) can do neither; bad input and
stale forms are refused with nothing saved."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlmodel import col

from tests.web.conftest import ARTA, DANIEL, KLODIANA, PersonFactory
from tests.web.console import post_form
from workflow.core import clock, unit_of_work
from workflow.demo.monitoring import DEMO_PLAN_TITLE, LEAD
from workflow.directory import ContactCreate, create_contact, find_institution
from workflow.lifecycle import Strategy
from workflow.monitoring import Measure, ProgressReport, expected_reports, get_cycle, reports


@dataclass(frozen=True)
class Target:
    strategy_id: int  # the migration strategy 2024-2030, whose monitoring page lists the plan's reports
    plan_id: int
    institution_id: int  # the Ministry of Interior
    period: str


def target_of(engine: Engine) -> Target:
    """The first period the demo's cycle asks the Ministry of Interior to report on (it depends on today)."""
    with unit_of_work(engine) as session:
        plan = session.scalars(select(Strategy).where(col(Strategy.title) == DEMO_PLAN_TITLE)).one()
        moi = find_institution(session, LEAD)
        assert plan.id and plan.parent_id and moi and moi.id
        asked = [e for e in expected_reports(session, plan, get_cycle(session, plan.id)) if e.institution_id == moi.id]
        assert asked, "the demo asks the Ministry of Interior for a report"
        return Target(plan.parent_id, plan.id, moi.id, asked[0].period.label)


@dataclass(frozen=True)
class Opened:
    report_id: int
    measure_ids: list[int]
    indicator_ids: list[int]


def start_report(client: TestClient, engine: Engine, target: Target) -> Opened:
    page = client.get(f"/console/strategies/{target.strategy_id}/monitoring")
    assert page.status_code == 200
    assert f"Start the {target.period} report" in page.text
    done = post_form(client, f"/console/strategies/{target.strategy_id}/reports", page.text,
                     {"plan_id": str(target.plan_id), "period": target.period,
                      "institution_id": str(target.institution_id)}, follow_redirects=False)
    assert done.status_code == 303, done.text
    found = re.fullmatch(r"/console/reports/(\d+)\?done=opened", done.headers["location"])
    assert found, done.headers["location"]
    report_id = int(found.group(1))
    with unit_of_work(engine) as session:
        scope = reports.report_scope(session, reports.get_report(session, report_id))
        return Opened(report_id, [m.id for m in scope.measures if m.id], [i.id for i in scope.indicators if i.id])


def stored(engine: Engine, report_id: int) -> tuple[ProgressReport, list, list]:
    with unit_of_work(engine) as session:
        report = reports.get_report(session, report_id)
        measures, values = reports.report_lines(session, report_id)
        session.expunge_all()
        return report, measures, values


def content(opened: Opened, **overrides: str) -> dict[str, str]:
    data = {f"status-{m}": "on_track" for m in opened.measure_ids}
    data[f"note-{opened.measure_ids[0]}"] = "Profile for 2025 drafted"
    data[f"value-{opened.indicator_ids[0]}"] = "1"
    data["narrative"] = "Work continues as planned."
    return {**data, **overrides}


def version_of(html: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', html)
    assert found, "the page has no form with a version"
    return found.group(1)


@pytest.fixture
def target(demo: Engine) -> Target:
    return target_of(demo)


@pytest.fixture
def daniel(person: PersonFactory) -> TestClient:
    return person(DANIEL)


@pytest.fixture
def opened(daniel: TestClient, demo: Engine, target: Target) -> Opened:
    return start_report(daniel, demo, target)


def save(client: TestClient, report_id: int, data: dict[str, str], *, action: str = "") -> httpx.Response:
    page = client.get(f"/console/reports/{report_id}")
    return post_form(client, f"/console/reports/{report_id}{action}", page.text,
                     {"version": version_of(page.text), **data}, follow_redirects=False)


def test_daniel_saves_a_draft_then_submits_it_and_arta_accepts_it(
    daniel: TestClient, person: PersonFactory, demo: Engine, opened: Opened
) -> None:
    form = daniel.get(f"/console/reports/{opened.report_id}?done=opened")
    assert "The report is started as a draft" in form.text
    assert "<legend>1.1 Publish the annual Extended Migration Profile</legend>" in form.text
    assert 'type="radio"' in form.text and ">On track</label>" in form.text and ">Cancelled</label>" in form.text
    assert ">Save draft</button>" in form.text and ">Submit</button>" in form.text
    measure, indicator = opened.measure_ids[0], opened.indicator_ids[0]

    saved = save(daniel, opened.report_id, content(opened))
    assert saved.status_code == 303 and saved.headers["location"].endswith("?done=saved")
    report, lines, values = stored(demo, opened.report_id)
    assert (report.status, report.version, report.narrative) == ("draft", 2, "Work continues as planned.")
    assert {(line.measure_id, line.status) for line in lines} >= {(measure, "on_track")}
    assert [(v.indicator_id, str(v.value.normalize())) for v in values] == [(indicator, "1")]
    again = daniel.get(f"/console/reports/{opened.report_id}?done=saved")
    assert "The draft is saved." in again.text and "Profile for 2025 drafted" in again.text
    assert f'id="status-{measure}-on_track" name="status-{measure}" value="on_track" checked' in again.text

    submitted = save(daniel, opened.report_id, content(opened, narrative="Ready for review."), action="/submit")
    assert submitted.status_code == 303
    report, _, _ = stored(demo, opened.report_id)
    assert (report.status, report.narrative, report.submitted_by) == ("submitted", "Ready for review.", "Daniel Price")
    after = daniel.get(f"/console/reports/{opened.report_id}?done=submitted")
    assert "The report is submitted for review." in after.text
    assert ">Save draft</button>" not in after.text and ">Accept</button>" not in after.text

    arta = person(ARTA)
    review = arta.get(f"/console/reports/{opened.report_id}")
    assert review.headers["content-language"] == "sq"
    assert ">Pranoje</button>" in review.text and ">Ktheje</button>" in review.text
    accepted = post_form(arta, f"/console/reports/{opened.report_id}/accept", review.text,
                         {"version": version_of(review.text), "comment": "Faleminderit."}, follow_redirects=False)
    assert accepted.status_code == 303
    report, _, _ = stored(demo, opened.report_id)
    assert (report.status, report.reviewed_by, report.review_comment) == ("accepted", "Arta Hoxha", "Faleminderit.")
    with unit_of_work(demo) as session:
        assert session.get(Measure, measure).status == "on_track"  # type: ignore[union-attr]
    shown = arta.get(f"/console/reports/{opened.report_id}?done=accepted")
    assert "Raporti u pranua." in shown.text and ">Pranoje</button>" not in shown.text


def test_a_return_needs_a_comment_shown_next_to_it_in_albanian(
    daniel: TestClient, person: PersonFactory, demo: Engine, opened: Opened
) -> None:
    assert save(daniel, opened.report_id, content(opened), action="/submit").status_code == 303
    arta = person(ARTA)
    page = arta.get(f"/console/reports/{opened.report_id}")
    refused = post_form(arta, f"/console/reports/{opened.report_id}/return", page.text,
                        {"version": version_of(page.text), "comment": "   "})
    assert refused.status_code == 422
    return_form = refused.text[refused.text.index('id="return-form"'):]
    assert '<p class="field-error" id="comment-error">Kjo fushë duhet plotësuar.</p>' in return_form
    assert 'id="return-comment" name="comment"' in return_form and 'aria-invalid="true"' in return_form
    assert stored(demo, opened.report_id)[0].status == "submitted"

    returned = post_form(arta, f"/console/reports/{opened.report_id}/return", refused.text,
                         {"version": version_of(refused.text), "comment": "Shtoni numrin e profileve."},
                         follow_redirects=False)
    assert returned.status_code == 303
    assert stored(demo, opened.report_id)[0].status == "returned"
    back = daniel.get(f"/console/reports/{opened.report_id}")
    assert "Shtoni numrin e profileve." in back.text and ">Submit</button>" in back.text
    assert "The report was returned for changes" in back.text


def test_a_value_that_is_not_a_number_is_refused_next_to_its_field_and_nothing_is_saved(
    daniel: TestClient, demo: Engine, opened: Opened
) -> None:
    indicator, measure = opened.indicator_ids[0], opened.measure_ids[0]
    refused = save(daniel, opened.report_id, content(opened, **{f"value-{indicator}": "abc",
                                                                 f"note-{measure}": "x" * 4001}))
    assert refused.status_code == 422
    html = unescape(refused.text)
    assert f'<p class="field-error" id="value-{indicator}-error">Enter a number.</p>' in html
    assert f'<p class="field-error" id="note-{measure}-error">Too long: at most 4000 characters.</p>' in html
    assert 'value="abc"' in html  # what was typed is kept
    report, lines, values = stored(demo, opened.report_id)
    assert (report.version, report.narrative, lines, values) == (1, "", [], [])


def test_another_institution_can_neither_edit_nor_review_and_the_server_refuses_it(
    daniel: TestClient, person: PersonFactory, demo: Engine, target: Target, opened: Opened
) -> None:
    klodiana = person(KLODIANA)
    overview = klodiana.get(f"/console/strategies/{target.strategy_id}/monitoring")
    assert overview.status_code == 200 and "Start the " not in overview.text
    page = klodiana.get(f"/console/reports/{opened.report_id}")
    assert page.status_code == 200
    for label in ("Save draft", "Submit", "Accept", "Return"):
        assert f">{label}</button>" not in page.text and f">{label}</button>" not in unescape(page.text)
    assert 'name="version"' not in page.text

    data = {"csrf": re.search(r'name="csrf" value="([^"]+)"', page.text).group(1),  # type: ignore[union-attr]
            "version": "1", **content(opened)}
    refused = klodiana.post(f"/console/reports/{opened.report_id}", data=data)
    assert refused.status_code == 403
    assert "Vetëm pika e kontaktit e institucionit raportues" in refused.text
    assert stored(demo, opened.report_id)[0].version == 1 and stored(demo, opened.report_id)[1] == []

    assert save(daniel, opened.report_id, content(opened), action="/submit").status_code == 303
    for decision in ("accept", "return"):
        refused = klodiana.post(f"/console/reports/{opened.report_id}/{decision}",
                                data={"csrf": data["csrf"], "version": "3", "comment": "Jo."})
        assert refused.status_code == 403
    assert stored(demo, opened.report_id)[0].status == "submitted"

    started = klodiana.post(f"/console/strategies/{target.strategy_id}/reports",
                            data={"csrf": data["csrf"], "plan_id": str(target.plan_id), "period": target.period,
                                  "institution_id": str(target.institution_id)})
    assert started.status_code == 403
    assert "Vetëm pika e kontaktit e institucionit raportues mund ta nisë raportin e tij." in started.text
    with unit_of_work(demo) as session:
        assert len(list(session.scalars(select(ProgressReport)))) == 1  # only Daniel's


def test_a_stale_form_is_refused_with_412_and_the_report_as_it_is_now(
    daniel: TestClient, demo: Engine, opened: Opened
) -> None:
    old = daniel.get(f"/console/reports/{opened.report_id}")
    assert save(daniel, opened.report_id, content(opened)).status_code == 303
    stale = post_form(daniel, f"/console/reports/{opened.report_id}", old.text,
                      {"version": version_of(old.text), **content(opened, narrative="Overwrite?")})
    assert stale.status_code == 412
    assert "Someone changed this report after you opened it" in stale.text
    assert "Work continues as planned." in stale.text and version_of(stale.text) == "2"
    report, _, _ = stored(demo, opened.report_id)
    assert (report.version, report.narrative) == (2, "Work continues as planned.")


def test_a_submitted_report_can_no_longer_be_saved(daniel: TestClient, demo: Engine, opened: Opened) -> None:
    page = daniel.get(f"/console/reports/{opened.report_id}")
    assert save(daniel, opened.report_id, content(opened), action="/submit").status_code == 303
    late = post_form(daniel, f"/console/reports/{opened.report_id}", page.text,
                     {"version": "3", **content(opened, narrative="Late edit")})
    assert late.status_code == 409 and "the report&#39;s status is Submitted" in late.text
    assert stored(demo, opened.report_id)[0].narrative == "Work continues as planned."


def test_starting_a_report_twice_leads_to_the_one_that_exists(
    daniel: TestClient, demo: Engine, target: Target, opened: Opened
) -> None:
    page = daniel.get(f"/console/strategies/{target.strategy_id}/monitoring")
    assert f"Open the {target.period} report" in page.text and f"Start the {target.period} report" not in page.text
    again = post_form(daniel, f"/console/strategies/{target.strategy_id}/reports", page.text,
                      {"plan_id": str(target.plan_id), "period": target.period,
                       "institution_id": str(target.institution_id)}, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == f"/console/reports/{opened.report_id}"
    with unit_of_work(demo) as session:
        assert len(list(session.scalars(select(ProgressReport)))) == 1


def test_an_admin_may_write_any_report_and_a_draft_cannot_be_reviewed(
    person: PersonFactory, demo: Engine, target: Target, opened: Opened
) -> None:
    with unit_of_work(demo) as session:
        create_contact(session, ContactCreate(name="Ada Admin", email="ada.admin@example.org",
                                              institution_id=target.institution_id + 1, roles=["coordinator"],
                                              access_role="admin"), now=clock.now())
    admin = person("ada.admin@example.org")
    page = admin.get(f"/console/reports/{opened.report_id}")
    assert ">Save draft</button>" in page.text and ">Accept</button>" not in page.text  # a draft is not reviewed
    assert save(admin, opened.report_id, content(opened)).status_code == 303
    assert stored(demo, opened.report_id)[0].version == 2

    arta = person(ARTA)
    review = arta.get(f"/console/reports/{opened.report_id}")
    assert ">Pranoje</button>" not in review.text
    early = post_form(arta, f"/console/reports/{opened.report_id}/accept", review.text, {"version": "2"})
    assert early.status_code == 409 and "Ky veprim nuk mund të kryhet tani" in early.text
    assert stored(demo, opened.report_id)[0].status == "draft"
