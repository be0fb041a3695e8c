"""Moving a strategy through its life on the Strategy page: Arta (coordinator of the Ministry of
Interior, Albanian) walks one through every stage with the forms, meeting each refusal on the way;
a stale form, another institution's coordinator and a viewer change nothing."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from freezegun import freeze_time
from sqlalchemy import Engine, func, select

from tests.web.conftest import ARTA, BESNIK, DANIEL, KLODIANA, PersonFactory
from tests.web.console import post_form
from tests.web.test_strategy_page import (
    DIASPORA,
    MIGRATION,
    PLAN,
    admin_person,
    by_title,
    new_strategy,
    section,
    stored,
    text_of,
)
from workflow.calendar import WEEKDAYS_ONLY
from workflow.core import Settings, clock, unit_of_work
from workflow.lifecycle import StageChange, TransitionRequest, apply_transition


def form_of(html: str, event: str) -> str:
    return section(html, f"action-{event}")


def fire(client: TestClient, strategy_id: int, html: str, event: str, **fields: str):
    """Press ``event``'s button on the page ``html`` with ``fields`` filled in, as a browser does."""
    version = re.search(r'name="version" value="(\d+)"', form_of(html, event))
    assert version
    return post_form(client, f"/console/strategies/{strategy_id}/transitions", html,
                     {"event": event, "version": version.group(1), **fields}, follow_redirects=False)


def step(client: TestClient, strategy_id: int, html: str, event: str, notice: str, **fields: str) -> str:
    """A step that succeeds: 303 back to the page, which says so; the new page's HTML."""
    answer = fire(client, strategy_id, html, event, **fields)
    assert answer.status_code == 303, text_of(answer.text)
    assert answer.headers["location"].startswith(f"/console/strategies/{strategy_id}?done={event}")
    page = client.get(answer.headers["location"])
    assert page.status_code == 200
    assert f'<p class="notice" role="status">{notice}</p>' in page.text
    return page.text


def buttons(html: str) -> list[str]:
    return re.findall(r'<form class="action" id="action-(\w+)"', html)


def current_stage(html: str) -> str:
    found = re.search(r'<li class="current" aria-current="step">([^<]+)', section(html, "stage"))
    assert found
    return found.group(1).strip()


def changes(engine: Engine, strategy_id: int) -> int:
    with unit_of_work(engine) as session:
        return session.scalar(select(func.count()).select_from(StageChange)
                              .where(StageChange.strategy_id == strategy_id)) or 0


def test_arta_walks_a_strategy_through_every_stage(person: PersonFactory, demo: Engine):
    arta = person(ARTA)  # signed in now; the walk happens on earlier days, within her session
    with freeze_time("2024-03-01 10:00"):  # a Friday
        strategy_id = new_strategy(demo)
        page = arta.get(f"/console/strategies/{strategy_id}").text
        assert current_stage(page) == "Hartimi" and buttons(page) == ["submit_for_consultation"]
        assert ">Dërgoje për konsultim</button>" in page
        page = step(arta, strategy_id, page, "submit_for_consultation", "U dërgua për konsultim.")
        assert current_stage(page) == "Konsultimi"
        assert buttons(page) == ["return_to_drafting", "submit_for_approval"]

    with freeze_time("2024-03-19 10:00"):  # 10 working days later (14 and 15 March are public holidays)
        page = arta.get(f"/console/strategies/{strategy_id}").text
        # before the click: the page says the consultation is too short, in words
        sentence = ("Konsultimi ka zgjatur 10 nga 20 ditët e punës që kërkohen; dita më e hershme kur mund të "
                    "dërgohet për miratim është 4 prill 2024.")
        assert sentence in text_of(form_of(page, "submit_for_approval"))
        refused = fire(arta, strategy_id, page, "submit_for_approval")
        assert refused.status_code == 409
        form = form_of(refused.text, "submit_for_approval")
        assert 'role="alert" id="submit_for_approval-refusal"' in form and sentence in text_of(form)
        assert 'aria-describedby="submit_for_approval-refusal"' in form
        assert text_of(form).count(sentence) == 1  # said once, as the refusal
        assert "working days" not in refused.text and "earliest_on" not in refused.text  # no raw detail
        assert stored(demo, strategy_id).stage == "consultation"

        # returning to drafting needs a comment: the refusal sits next to the comment field, in Albanian
        refused = fire(arta, strategy_id, page, "return_to_drafting", comment="  ")
        assert refused.status_code == 422
        form = form_of(refused.text, "return_to_drafting")
        assert re.search(r'<p class="field-error" id="return_to_drafting-comment-error">Shkruani një koment që '
                         r'shpjegon pse drafti kthehet për rishikim\.</p>', form)
        assert re.search(r'<textarea id="return_to_drafting-comment" name="comment" rows="3" '
                         r'aria-describedby="return_to_drafting-comment-hint return_to_drafting-comment-error" '
                         r'aria-invalid="true"', form)
        assert stored(demo, strategy_id).stage == "consultation"
        page = step(arta, strategy_id, page, "return_to_drafting", "U kthye për rishikim.",
                    comment="Shtoni rezultatet e konsultimit me diasporën.")
        assert current_stage(page) == "Hartimi"
        assert "Shtoni rezultatet e konsultimit me diasporën." in text_of(section(page, "history"))
        page = step(arta, strategy_id, page, "submit_for_consultation", "U dërgua për konsultim.")

    with freeze_time("2024-04-22 10:00"):  # the consultation of 19 March has lasted 21 working days (Easter: 1 April)
        page = arta.get(f"/console/strategies/{strategy_id}").text
        assert "Konsultimi ka zgjatur 21 ditë pune, aq sa kërkohet (të paktën 20)." in text_of(page)
        page = step(arta, strategy_id, page, "submit_for_approval", "U dërgua për miratim.")
        assert current_stage(page) == "Miratimi" and buttons(page) == ["return_to_drafting", "approve"]

        refused = fire(arta, strategy_id, page, "approve")  # without the act
        assert refused.status_code == 422
        form = form_of(refused.text, "approve")
        assert re.search(r'id="approve-approval_reference-error">Shënoni aktin e miratimit, p\.sh\. «VKM nr\. '
                         r'400», ose shënoni që numri i tij nuk dihet\.</p>', form)
        assert re.search(r'id="approve-approved_on-error">Shënoni datën e aktit të miratimit\.</p>', form)
        refused = fire(arta, strategy_id, page, "approve", approval_reference="VKM nr. 123",
                       approved_on="2024-05-02")  # a day still to come
        assert refused.status_code == 422
        form = form_of(refused.text, "approve")
        assert re.search(r'id="approve-approved_on-error">Data nuk mund të jetë në të ardhmen '
                         r'\(sot është 22 prill 2024\)\.</p>', form)
        assert 'value="VKM nr. 123"' in form  # what she typed is kept
        assert stored(demo, strategy_id).stage == "approval"
        page = step(arta, strategy_id, page, "approve",
                    "Miratimi u regjistrua: strategjia tani është në zbatim.",
                    approval_reference="VKM nr. 123", approved_on="2024-04-22")
        assert current_stage(page) == "Zbatimi"
        words = text_of(page)
        assert "Akti i miratimit VKM nr. 123" in words
        assert "Në fuqi nga 22 prill 2024 deri më 31 dhjetor 2027" in words

    with freeze_time("2024-05-06 10:00"):
        page = arta.get(f"/console/strategies/{strategy_id}").text
        page = step(arta, strategy_id, page, "start_monitoring", "Monitorimi nisi.")
        assert current_stage(page) == "Monitorimi" and buttons(page) == ["expire"]

        refused = fire(arta, strategy_id, page, "expire")  # before its period ends, without a reason
        assert refused.status_code == 409
        assert re.search(r'id="expire-reason-error">Periudha zgjat deri më 31 dhjetor 2027\. Për ta mbyllur më '
                         r'herët, zgjidhni arsyen: zëvendësohet nga pasardhësi ose ndërpritet para afatit\.</p>',
                         form_of(refused.text, "expire"))  # next to the reason it lacks
        assert stored(demo, strategy_id).stage == "monitoring"
        page = step(arta, strategy_id, page, "expire", "Vlefshmëria e strategjisë u mbyll.", reason="terminated")

    assert current_stage(page) == "Skaduar" and buttons(page) == []
    assert section(page, "stage").count('class="done"') == 5
    assert "Strategjia ka skaduar: nuk ka më hapa të tjerë në ciklin e saj." in text_of(page)
    assert "Ndërpritet para afatit" in text_of(section(page, "summary"))
    expired = stored(demo, strategy_id)
    assert (expired.stage, expired.expired_on, expired.expiry_reason) == ("expiry", date(2024, 5, 6), "terminated")
    assert (expired.approval_reference, expired.approved_on) == ("VKM nr. 123", date(2024, 4, 22))
    assert changes(demo, strategy_id) == 7
    history = text_of(section(page, "history"))
    assert history.count("Arta Hoxha") == 7
    steps = re.findall(r"<tr>\s*<td>[^<]*</td><td>([^<]*)</td>", section(page, "history"))
    assert steps == ["Mbyllur", "Nisi monitorimi", "Miratuar", "Dërguar për miratim", "Dërguar për konsultim",
                     "Kthyer për rishikim", "Dërguar për konsultim"]  # what happened, newest first


def test_a_stale_form_is_refused_with_the_fresh_strategy(person: PersonFactory, demo: Engine, settings: Settings):
    strategy_id = new_strategy(demo)
    arta = person(ARTA)
    page = arta.get(f"/console/strategies/{strategy_id}").text
    with unit_of_work(demo) as session:  # meanwhile, someone else submits it for consultation
        apply_transition(session, strategy_id, TransitionRequest(event="submit_for_consultation"), actor="Elira",
                         now=clock.now(), today=clock.today(settings.zone), default_min_consultation_days=20,
                         calendar=WEEKDAYS_ONLY)
    stale = fire(arta, strategy_id, page, "submit_for_consultation", comment="Hapur për konsultim.")
    assert stale.status_code == 412
    banner = text_of(section(stale.text, "stale"))
    assert "Dikush e ndryshoi këtë strategji ndërkohë që e kishit të hapur, prandaj nuk u ruajt asgjë." in banner
    assert current_stage(stale.text) == "Konsultimi"  # the fresh data
    assert buttons(stale.text) == ["return_to_drafting", "submit_for_approval"]
    assert 'name="version" value="2"' in form_of(stale.text, "submit_for_approval")
    assert (stored(demo, strategy_id).version, changes(demo, strategy_id)) == (2, 1)
    assert "Hapur për konsultim." not in stale.text


def test_a_step_dated_before_the_strategy_was_registered_is_refused_next_to_the_date(
    person: PersonFactory, demo: Engine
):
    with freeze_time("2024-03-01 10:00"):
        strategy_id = new_strategy(demo)
    arta = person(ARTA)
    page = arta.get(f"/console/strategies/{strategy_id}").text
    refused = fire(arta, strategy_id, page, "submit_for_consultation", effective_on="2024-02-01")
    assert refused.status_code == 403
    assert re.search(r'id="submit_for_consultation-effective_on-error">Vetëm administratori mund të regjistrojë '
                     r'një hap me datë para 1 mars 2024', form_of(refused.text, "submit_for_consultation"))
    assert (stored(demo, strategy_id).stage, changes(demo, strategy_id)) == ("drafting", 0)


@pytest.mark.parametrize("email", [KLODIANA, BESNIK, DANIEL])
def test_who_may_not_change_the_strategy_sees_no_buttons_and_is_refused(
    person: PersonFactory, demo: Engine, email: str
):
    strategy_id = new_strategy(demo)
    client = person(email)
    page = client.get(f"/console/strategies/{strategy_id}").text
    assert buttons(page) == [] and "/transitions" not in page
    assert "Dërgoje për konsultim</button>" not in page and "Submit for consultation</button>" not in page
    for event in ("submit_for_consultation", "expire"):
        answer = post_form(client, f"/console/strategies/{strategy_id}/transitions", page,
                           {"event": event, "version": "1"}, follow_redirects=False)
        assert answer.status_code == 403
        assert "Ministry of Interior" in text_of(section(answer.text, "refusal"))
        assert buttons(answer.text) == []
    strategy = stored(demo, strategy_id)
    assert (strategy.stage, strategy.version, changes(demo, strategy_id)) == ("drafting", 1, 0)


def test_an_admin_moves_another_institutions_strategy(person: PersonFactory, demo: Engine):
    strategy_id = new_strategy(demo, institution=DIASPORA)
    klodiana_page = person(KLODIANA).get(f"/console/strategies/{strategy_id}").text
    assert buttons(klodiana_page) == ["submit_for_consultation"]  # her own institution's
    admin = admin_person(demo, person(DANIEL))
    page = admin.get(f"/console/strategies/{strategy_id}").text
    page = step(admin, strategy_id, page, "submit_for_consultation", "Submitted for consultation.")
    assert stored(demo, strategy_id).stage == "consultation"


def test_a_form_of_a_step_no_longer_allowed_is_refused_in_words(person: PersonFactory, demo: Engine):
    strategy_id = new_strategy(demo)
    arta = person(ARTA)
    page = arta.get(f"/console/strategies/{strategy_id}").text
    answer = post_form(arta, f"/console/strategies/{strategy_id}/transitions", page,
                       {"event": "approve", "version": "1", "approval_reference": "VKM nr. 1",
                        "approved_on": "2024-01-05"}, follow_redirects=False)
    assert answer.status_code == 409
    assert "Ky hap nuk është i mundur në fazën aktuale të strategjisë (Hartimi)." in text_of(
        section(answer.text, "refusal"))
    assert stored(demo, strategy_id).stage == "drafting"


def test_an_unknown_step_is_refused_in_words(person: PersonFactory, demo: Engine):
    strategy_id = new_strategy(demo)
    arta = person(ARTA)
    page = arta.get(f"/console/strategies/{strategy_id}").text
    answer = post_form(arta, f"/console/strategies/{strategy_id}/transitions", page,
                       {"event": "publish", "version": "1"}, follow_redirects=False)
    assert answer.status_code == 422
    assert "Zgjidhni një nga mundësitë e dhëna." in text_of(section(answer.text, "refusal"))
    assert (stored(demo, strategy_id).version, changes(demo, strategy_id)) == (1, 0)


def reason_options(html: str) -> list[tuple[str, str]]:
    select = re.search(r'<select id="expire-reason" name="reason"[^>]*>(.*?)</select>', form_of(html, "expire"), re.S)
    assert select
    return re.findall(r'<option value="(\w*)"[^>]*>([^<]*)</option>', select.group(1))


def test_before_its_period_ends_the_expire_form_asks_for_a_reason(person: PersonFactory, demo: Engine):
    strategy = by_title(demo, MIGRATION)  # in monitoring, its period ends on 31 December 2030
    arta = person(ARTA)
    page = arta.get(f"/console/strategies/{strategy.id}").text
    assert reason_options(page) == [("", "Zgjidhni arsyen"), ("superseded", "Zëvendësohet nga pasardhësi"),
                                    ("terminated", "Ndërpritet para afatit")]  # no "its period ended"
    form = form_of(page, "expire")
    assert re.search(r'<label for="expire-reason">Arsyeja <span class="required">', form)
    assert 'aria-required="true"' in re.search(r"<select[^>]*>", form).group(0)  # type: ignore[union-attr]
    english = person(DANIEL)  # a contact point: no form; an admin sees it in English
    assert "/transitions" not in english.get(f"/console/strategies/{strategy.id}").text
    admin = admin_person(demo, english)
    assert [text for _, text in reason_options(admin.get(f"/console/strategies/{strategy.id}").text)] == [
        "Choose a reason", "Superseded by a successor", "Terminated early"]


def test_after_its_period_ended_it_ends_without_a_reason(person: PersonFactory, demo: Engine):
    strategy = by_title(demo, MIGRATION)
    with freeze_time("2031-01-15 10:00"):
        arta = person(ARTA)
        page = arta.get(f"/console/strategies/{strategy.id}").text
        assert reason_options(page) == [("", "I përfundoi periudha"), ("superseded", "Zëvendësohet nga pasardhësi"),
                                        ("terminated", "Ndërpritet para afatit")]
        assert "Periudha përfundoi më 31 dhjetor 2030, prandaj nuk nevojitet arsye" in text_of(form_of(page, "expire"))
        page = step(arta, strategy.id, page, "expire", "Vlefshmëria e strategjisë u mbyll.")  # the first choice
    ended = stored(demo, strategy.id)
    assert (ended.stage, ended.expiry_reason, ended.expired_on) == ("expiry", "period_ended", date(2031, 1, 15))
    assert "Mbyllur 15 janar 2031 (I përfundoi periudha)" in text_of(section(page, "summary"))


def test_an_action_plans_refusals_name_a_plan(person: PersonFactory, demo: Engine):
    plan = by_title(demo, PLAN)
    path = f"/console/strategies/{plan.id}"
    klodiana = person(KLODIANA)
    page = klodiana.get(path).text
    answer = post_form(klodiana, f"{path}/transitions", page, {"event": "expire", "version": str(plan.version),
                                                                "reason": "terminated"}, follow_redirects=False)
    assert answer.status_code == 403
    assert ("Këtë plan veprimi mund ta ndryshojë vetëm një koordinator i institucionit Ministry of Interior"
            in text_of(section(answer.text, "refusal")))
    arta = person(ARTA)
    page = arta.get(path).text
    answer = post_form(arta, f"{path}/transitions", page, {"event": "approve", "version": str(plan.version),
                       "approval_reference": "VKM nr. 1", "approved_on": "2024-01-05"}, follow_redirects=False)
    assert answer.status_code == 409
    assert "Ky hap nuk është i mundur në fazën aktuale të planit të veprimit (Monitorimi)." in text_of(
        section(answer.text, "refusal"))
    stale = fire(arta, plan.id, page.replace(f'name="version" value="{plan.version}"', 'name="version" value="0"'),
                 "expire", reason="terminated")
    assert stale.status_code == 412
    assert "Dikush e ndryshoi këtë plan veprimi ndërkohë që e kishit të hapur" in text_of(section(stale.text, "stale"))
    assert stored(demo, plan.id).stage == "monitoring"
