"""The Strategy page: what it shows (header, stepper, history, neighbours, reminders), who sees which
buttons, and the deadlines form (saved as the API's PATCH saves them, refused next to its fields)."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from html import unescape
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import select

from tests.services import unavailable
from tests.web.conftest import ARTA, BESNIK, DANIEL, KLODIANA, PersonFactory
from tests.web.console import csrf_of, post_form, sign_in
from web.words import DEADLINES
from workflow.calendar import working_calendar
from workflow.core import Settings, clock, unit_of_work
from workflow.directory import Contact, ContactCreate, create_contact, find_institution
from workflow.gaps import GAP_DEADLINE
from workflow.lifecycle import Strategy, StrategyCreate, StrategyPatch, create_strategy, update_strategy
from workflow.reminders import (
    DEADLINE_REMINDER,
    DELIVERY_FAILED,
    GAP_WARNING,
    LAPSE,
    REPORT_DUE,
    Notification,
    StrategyDeadlines,
    plan_deadline_reminders,
    sending_day,
)

MOI = "Ministry of Interior"
DIASPORA = "State Minister for Diaspora"
ADMIN = "ana.admin@example.org"


# --- helpers shared with test_strategy_transitions ----------------------------------------------


def institution_id(engine: Engine, name: str) -> int:
    with unit_of_work(engine) as session:
        found = find_institution(session, name)
        assert found is not None and found.id is not None
        return found.id


def new_strategy(engine: Engine, institution: str = MOI, **fields: object) -> int:
    """A strategy in drafting, registered now (by the clock, frozen or not)."""
    values: dict[str, object] = {
        "title": "Strategjia Kombëtare për Integrimin 2024-2027", "policy_area": "integration",
        "lead_institution_id": institution_id(engine, institution),
        "period_start": "2024-01-01", "period_end": "2027-12-31", **fields,
    }
    with unit_of_work(engine) as session:
        strategy = create_strategy(session, StrategyCreate.model_validate(values), now=clock.now(), actor="test",
                                   today=clock.today(ZoneInfo("Europe/Tirane")))
        assert strategy.id is not None
        return strategy.id


def stored(engine: Engine, strategy_id: int) -> Strategy:
    with unit_of_work(engine) as session:
        strategy = session.get(Strategy, strategy_id)
        assert strategy is not None
        session.expunge(strategy)
        return strategy


def by_title(engine: Engine, title: str) -> Strategy:
    with unit_of_work(engine) as session:
        strategy = session.scalars(select(Strategy).where(Strategy.title == title)).one()
        session.expunge(strategy)
        return strategy


def text_of(html: str) -> str:
    """The page's words as a reader sees them: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def section(html: str, section_id: str) -> str:
    found = re.search(rf'<(section|form|div|dl|p)[^>]*\bid="{section_id}".*?</\1>', html, re.S)
    assert found, f"no #{section_id} on the page"
    return found.group(0)


def admin_person(engine: Engine, client: TestClient) -> TestClient:
    with unit_of_work(engine) as session:
        create_contact(session, ContactCreate(
            name="Ana Admin", email=ADMIN, institution_id=institution_id(engine, DIASPORA), roles=["coordinator"],
            access_role="admin",
        ), now=clock.now())
    return sign_in(client, engine, ADMIN)


# --- what the page shows --------------------------------------------------------------------------

MIGRATION = "National Strategy for Migration 2024-2030"
TIRANE = ZoneInfo("Europe/Tirane")


def test_the_page_shows_the_strategy_its_stage_history_and_neighbours(person: PersonFactory, demo: Engine):
    strategy = by_title(demo, MIGRATION)
    daniel = person(DANIEL)  # English
    page = daniel.get(f"/console/strategies/{strategy.id}")
    assert page.status_code == 200
    words = text_of(page.text)
    assert f"<h1>{MIGRATION}</h1>" in page.text
    for fact in ("Kind Strategy", "Policy area Migration", "Lead institution Ministry of Interior",
                 "Period 1 January 2024 – 31 December 2030", "In force from 2 May 2024 to 31 December 2030",
                 "Drafting started 3 October 2022", "Stage Monitoring since 30 September 2024"):
        assert fact in words, fact
    stepper = section(page.text, "stage")
    assert stepper.count('class="done"') == 4
    assert re.search(r'<li class="current" aria-current="step">Monitoring', stepper)
    history = text_of(section(page.text, "history"))
    assert "Monitoring started Implementation Monitoring continuum demo" in history  # what happened, not a button
    assert history.index("Monitoring started") < history.index("Submitted for consultation")  # newest first
    assert "Start monitoring" not in history and "Submit for consultation" not in history
    related = section(page.text, "related")
    predecessor = by_title(demo, "National Strategy on Migration Governance and Action Plan 2019-2022")
    plan = by_title(demo, "Action Plan of the National Strategy for Migration 2024-2026")
    assert f'href="/console/strategies/{predecessor.id}"' in related
    assert f'href="/console/strategies/{plan.id}"' in related
    assert f'href="/console/strategies/{strategy.id}/monitoring"' in page.text
    # a contact point sees the page, not the buttons
    assert "/transitions" not in page.text and 'id="deadlines-form"' not in page.text

    older = daniel.get(f"/console/strategies/{predecessor.id}")
    assert f'href="/console/strategies/{strategy.id}"' in section(older.text, "related")  # its successor
    assert "Successor" in text_of(section(older.text, "related"))
    child = daniel.get(f"/console/strategies/{plan.id}")
    assert "Part of " + MIGRATION in text_of(section(child.text, "related"))


def test_the_page_speaks_the_viewers_language(person: PersonFactory, demo: Engine):
    strategy = by_title(demo, MIGRATION)
    words = text_of(person(ARTA).get(f"/console/strategies/{strategy.id}").text)
    assert "Institucioni përgjegjës Ministry of Interior" in words
    assert "Fusha e politikës Migracioni" in words and "migration" not in words  # the area's name, not its code
    assert "Faza Monitorimi që nga 30 shtator 2024" in words
    assert "Mbyll vlefshmërinë" in words and "Hapat e radhës" in words


def test_an_unknown_strategy_is_not_found_and_a_visitor_is_sent_to_sign_in(
    person: PersonFactory, demo: Engine, visitor: TestClient
):
    assert person(DANIEL).get("/console/strategies/999999").status_code == 404
    strategy = by_title(demo, MIGRATION)
    answer = visitor.get(f"/console/strategies/{strategy.id}", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/console/sign-in")


def test_buttons_only_for_the_lead_institutions_coordinator_or_an_admin(person: PersonFactory, demo: Engine):
    strategy_id = new_strategy(demo)
    path = f"/console/strategies/{strategy_id}"
    arta = person(ARTA).get(path).text
    assert 'id="action-submit_for_consultation"' in arta and 'id="deadlines-form"' in arta
    for email in (KLODIANA, BESNIK, DANIEL):
        page = person(email).get(path).text
        assert "/transitions" not in page and 'id="deadlines-form"' not in page, email
        assert "Ministry of Interior" in text_of(section(page, "actions")), email  # who may, in words
    admin = admin_person(demo, person(DANIEL))
    assert 'id="action-submit_for_consultation"' in admin.get(path).text


def test_the_reminders_sent_and_pending_for_the_strategy(person: PersonFactory, demo: Engine, settings: Settings):
    # 7 days after the day whose reminders may go out now (before the send hour: yesterday's)
    due = sending_day(clock.now(), settings.zone, settings.send_hour) + timedelta(days=7)
    strategy_id = new_strategy(demo, drafting_due=due.isoformat(), reminder_offsets=[7])
    with unit_of_work(demo) as session:
        recorded = plan_deadline_reminders(session, [StrategyDeadlines()], now=clock.now(), settings=settings,
                                           calendar=working_calendar(session, settings)).recorded
        rows = session.scalars(select(Notification).where(Notification.strategy_id == strategy_id)).all()
        assert recorded >= 1 and rows
        rows[0].status, rows[0].sent_at, rows[0].due_at = "sent", clock.now(), None
    page = person(ARTA).get(f"/console/strategies/{strategy_id}")
    reminders = text_of(section(page.text, "reminders"))
    assert "Afati i hartimit" in reminders and "Kujtesë për afatin" in reminders and "Arta Hoxha" in reminders
    assert "Dërguar" in reminders
    assert len(rows) == 1 or "Në pritje të dërgimit" in reminders
    empty = person(ARTA).get(f"/console/strategies/{new_strategy(demo)}")
    assert "nuk është dërguar apo planifikuar ende asnjë kujtesë" in text_of(section(empty.text, "reminders"))


# --- the deadlines form ---------------------------------------------------------------------------


def post_deadlines(client: TestClient, strategy_id: int, html: str, **fields: str):
    form = section(html, "deadlines-form")
    version = re.search(r'name="version" value="(\d+)"', form)
    assert version
    current = {name: value for name, value in re.findall(r'name="(\w+)" type="(?:date|number)" value="([^"]*)"', form)}
    return post_form(client, f"/console/strategies/{strategy_id}/deadlines", html,
                     {"version": version.group(1), **current, **fields}, follow_redirects=False)


def test_a_coordinator_sets_and_clears_deadlines(person: PersonFactory, demo: Engine):
    strategy_id = new_strategy(demo, consultation_due="2025-06-30")
    arta = person(ARTA)
    page = arta.get(f"/console/strategies/{strategy_id}")
    done = post_deadlines(arta, strategy_id, page.text, drafting_due="2025-03-31", consultation_due="",
                          min_consultation_days="30")
    assert done.status_code == 303 and "done=deadlines" in done.headers["location"]
    after = arta.get(done.headers["location"])
    assert "Afatet u ruajtën." in after.text
    assert "Afati i hartimit 31 mars 2025" in text_of(section(after.text, "deadline-dates"))
    assert "Konsultimi zgjat të paktën 30 ditë pune." in text_of(after.text)
    saved = stored(demo, strategy_id)
    assert (saved.drafting_due, saved.consultation_due, saved.min_consultation_days) == (date(2025, 3, 31), None, 30)
    assert saved.version == 2


def test_bad_deadlines_are_refused_next_to_their_field_and_nothing_is_saved(person: PersonFactory, demo: Engine):
    strategy_id = new_strategy(demo)
    arta = person(ARTA)
    page = arta.get(f"/console/strategies/{strategy_id}")
    bad = post_deadlines(arta, strategy_id, page.text, drafting_due="31.03.2025", approval_due="2025-09-30")
    assert bad.status_code == 422
    form = section(bad.text, "deadlines-form")
    assert re.search(r'id="drafting_due-error">Shkruani datën në formën VVVV-MM-DD', form)
    assert 'value="31.03.2025"' in form  # what was typed is kept
    assert 'aria-invalid="true"' in form
    below = post_deadlines(arta, strategy_id, page.text, min_consultation_days="5")
    assert below.status_code == 403
    assert re.search(r'id="min_consultation_days-error">Vetëm administratori mund të caktojë më pak ditë pune se '
                     r'minimumi ligjor prej 20 ditësh', below.text)
    saved = stored(demo, strategy_id)
    assert (saved.version, saved.approval_due, saved.min_consultation_days) == (1, None, None)


def test_stale_deadlines_are_refused_with_the_fresh_data(person: PersonFactory, demo: Engine):
    strategy_id = new_strategy(demo)
    arta = person(ARTA)
    page = arta.get(f"/console/strategies/{strategy_id}")
    assert post_deadlines(arta, strategy_id, page.text, drafting_due="2025-01-31").status_code == 303
    stale = post_deadlines(arta, strategy_id, page.text, drafting_due="2025-02-28")  # the old page: version 1
    assert stale.status_code == 412
    assert "Dikush e ndryshoi këtë strategji ndërkohë që e kishit të hapur" in stale.text
    assert 'value="2025-01-31"' in section(stale.text, "deadlines-form")  # the fresh data, its fresh version
    assert 'name="version" value="2"' in section(stale.text, "deadlines-form")
    assert stored(demo, strategy_id).drafting_due == date(2025, 1, 31)


def test_another_institution_may_not_change_the_deadlines(person: PersonFactory, demo: Engine):
    strategy_id = new_strategy(demo)
    for email in (KLODIANA, BESNIK):
        client = person(email)
        page = client.get(f"/console/strategies/{strategy_id}")
        answer = post_form(client, f"/console/strategies/{strategy_id}/deadlines", page.text,
                           {"version": "1", "drafting_due": "2025-01-31"})
        assert answer.status_code == 403, email
        assert "mund ta ndryshojë vetëm një koordinator i institucionit Ministry of Interior" in text_of(answer.text)
        assert csrf_of(answer.text)  # the page again, not a bare error
    saved = stored(demo, strategy_id)
    assert (saved.version, saved.drafting_due) == (1, None)


# --- an action plan is not a strategy -------------------------------------------------------------

PLAN = "Action Plan of the National Strategy for Migration 2024-2026"


def main_text(html: str) -> str:
    found = re.search(r"<main\b.*</main>", html, re.S)
    assert found
    return text_of(found.group(0))


def test_an_action_plans_page_names_a_plan_not_a_strategy(person: PersonFactory, demo: Engine):
    plan = by_title(demo, PLAN)
    assert plan.kind == "action_plan" and plan.stage == "monitoring"
    path = f"/console/strategies/{plan.id}"
    words = main_text(person(ARTA).get(path).text)  # Albanian, with the expire form
    for said in ("Monitorimi i këtij plani veprimi", "Mbyllni vlefshmërinë e planit të veprimit",
                 "Plani paraardhës asnjë", "Plani pasardhës ende asnjë", "Dokumente të lidhura",
                 "Për këtë plan veprimi nuk është dërguar apo planifikuar ende asnjë kujtesë."):
        assert said in words, said
    assert "strategji" not in words.lower().replace("pjesë e national strategy", "")  # only its parent's title
    english = main_text(person(DANIEL).get(path).text)
    for said in ("Monitoring of this action plan", "Predecessor plan none", "Successor plan none yet",
                 "can move this action plan to its next stage",
                 "No reminder has been sent or planned for this action plan"):
        assert said in english, said
    assert "this strategy" not in english and "Related strategies" not in english
    done = main_text(person(ARTA).get(f"{path}?done=expire").text)
    assert "Vlefshmëria e planit të veprimit u mbyll." in done

    # a strategy keeps its own words, in the feminine
    strategy = by_title(demo, MIGRATION)
    words = main_text(person(ARTA).get(f"/console/strategies/{strategy.id}").text)
    for said in ("Monitorimi i kësaj strategjie", "Mbyllni vlefshmërinë e strategjisë", "Strategjia paraardhëse",
                 "Strategjia pasardhëse", "Strategji të lidhura"):
        assert said in words, said
    assert "plan veprimi" not in words.replace("Planet e veprimit", "")


# --- no raw codes ---------------------------------------------------------------------------------


def notice_for(engine: Engine, strategy_id: int, deadline_kind: str, kind: str, due_on: date) -> None:
    with unit_of_work(engine) as session:
        arta = session.scalars(select(Contact).where(Contact.email_key == ARTA)).one()
        session.add(Notification(
            deadline_key=f"strategy:{strategy_id}:{deadline_kind}", deadline_kind=deadline_kind,
            strategy_id=strategy_id, due_on=due_on, offset_days=30, kind=kind, escalated=kind == GAP_WARNING,
            contact_id=arta.id, status="sent", sent_at=clock.now(), details={}, created_at=clock.now(),
        ))


def test_every_deadline_the_ledger_records_has_a_name(person: PersonFactory, demo: Engine):
    kinds = {"drafting_due", "consultation_due", "approval_due", LAPSE, REPORT_DUE, GAP_DEADLINE, DELIVERY_FAILED}
    assert kinds <= set(DEADLINES)
    strategy_id = new_strategy(demo)
    for deadline_kind, kind in ((GAP_DEADLINE, GAP_WARNING), (LAPSE, DEADLINE_REMINDER),
                                (DELIVERY_FAILED, DELIVERY_FAILED)):
        notice_for(demo, strategy_id, deadline_kind, kind, date(2027, 12, 31))
    albanian = section(person(ARTA).get(f"/console/strategies/{strategy_id}").text, "reminders")
    cells = re.findall(r"<td>([^<]*)</td>", albanian)
    assert {"Boshllëk në mbulim", "Skadon", "Email i padorëzuar"} <= set(cells), cells
    english = section(person(DANIEL).get(f"/console/strategies/{strategy_id}").text, "reminders")
    cells = re.findall(r"<td>([^<]*)</td>", english)
    assert {"Gap in coverage", "Lapses", "Undelivered email"} <= set(cells), cells
    for code in (GAP_DEADLINE, LAPSE, DELIVERY_FAILED):
        assert f"<td>{code}</td>" not in albanian + english and f"<td>{code.capitalize()}</td>" not in english


# --- the expire form's choices can be read whole --------------------------------------------------

MEASURE = """() => [...document.querySelectorAll("form.action select")].map(select => {
  const style = getComputedStyle(select);
  const pen = document.createElement("canvas").getContext("2d");
  pen.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const card = select.closest("form");
  const inner = card.clientWidth - parseFloat(getComputedStyle(card).paddingLeft)
    - parseFloat(getComputedStyle(card).paddingRight);
  return {
    longest: Math.max(...[...select.options].map(option => pen.measureText(option.text).width)),
    room: select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 24,
    width: select.getBoundingClientRect().width, card: inner,
  };
})"""


def measured(html: str, css: str, widths: tuple[int, ...]) -> dict[int, list[dict[str, float]]]:
    """The page laid out by Chromium at each viewport width: each select's room against its longest option."""
    from playwright.sync_api import sync_playwright

    from tests.web.browser.harness import CHROMIUM, QUIET

    if CHROMIUM is None:
        unavailable("Chromium", "not installed (apt-get install chromium)")

    def lay_out() -> dict[int, list[dict[str, float]]]:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=QUIET, headless=True)
            try:
                found = {}
                for width in widths:
                    page = browser.new_page(viewport={"width": width, "height": 900})
                    page.set_content(html)  # offline: its stylesheet link leads nowhere, the CSS is added
                    page.add_style_tag(content=css)
                    found[width] = page.evaluate(MEASURE)
                    page.close()
                return found
            finally:
                browser.close()

    with ThreadPoolExecutor(1) as thread:  # a thread of its own: the browser tests' Playwright may be running
        return thread.submit(lay_out).result()


def test_the_reasons_to_end_a_strategy_are_shown_whole(person: PersonFactory, demo: Engine):
    arta = person(ARTA)
    css = arta.get("/console/static/console.css").text
    pages = [arta.get(f"/console/strategies/{by_title(demo, title).id}").text for title in (MIGRATION, PLAN)]
    for html in pages:
        assert 'id="action-expire"' in html
        for width, selects in measured(html, css, (1360, 800, 390)).items():
            assert selects, width
            for box in selects:
                assert box["longest"] <= box["room"], (width, box)  # no option cut short
                assert abs(box["width"] - box["card"]) < 1, (width, box)  # as wide as its card


def test_the_changes_to_the_record_are_listed_with_the_day_each_was_really_made(
    person: PersonFactory, demo: Engine
) -> None:
    strategy_id = new_strategy(demo, approval_due="2025-06-30")
    with unit_of_work(demo) as session:
        update_strategy(session, strategy_id, StrategyPatch(approval_due=date(2025, 12, 31),
                                                            effective_on=clock.today(TIRANE) - timedelta(days=1),
                                                            effective_on_approximate=True),
                        now=clock.now(), today=clock.today(TIRANE), actor="Arta Hoxha")
    page = person(ARTA).get(f"/console/strategies/{strategy_id}").text
    changes = text_of(section(page, "changes"))
    assert "Ndryshimet e të dhënave" in changes and "(e përafërt)" in changes
    assert "Afati i miratimit 30 qer 2025 31 dhj 2025 Arta Hoxha" in changes
    with unit_of_work(demo) as session:  # a title that looks like a date is a title
        update_strategy(session, strategy_id, StrategyPatch(title="2024-13-01"), now=clock.now(),
                        today=clock.today(TIRANE), actor="Arta Hoxha")
    page = person(ARTA).get(f"/console/strategies/{strategy_id}")
    assert page.status_code == 200 and "2024-13-01" in text_of(section(page.text, "changes"))
