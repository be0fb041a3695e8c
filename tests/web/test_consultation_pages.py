"""Consultation rounds in the console: Arta (coordinator of the Ministry of Interior, Albanian) opens
a round from the Strategy page, records an event and a submission, meets the refusal of an answer
without a reason next to its field, answers, extends and closes the round; another institution's
coordinator is refused and changes nothing; a viewer and a contact point read everything, with no form."""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient
from freezegun import freeze_time
from sqlalchemy import Engine, func, select

from tests.web.conftest import ARTA, BESNIK, DANIEL, KLODIANA, PersonFactory
from tests.web.console import post_form
from tests.web.test_strategy_page import new_strategy, section, text_of
from tests.web.test_strategy_transitions import form_of
from workflow import consultation
from workflow.calendar import working_calendar
from workflow.core import Settings, clock, unit_of_work
from workflow.lifecycle import TransitionRequest, apply_transition

OPENED = "2025-12-01 10:00"  # a Monday, and Liberation Day observed: day 0 of the count may be a holiday


def in_consultation(engine: Engine, settings: Settings) -> int:
    """A Ministry of Interior strategy, submitted for consultation today (by the clock, frozen or not)."""
    strategy_id = new_strategy(engine)
    with unit_of_work(engine) as session:
        apply_transition(session, strategy_id, TransitionRequest(event="submit_for_consultation"), actor="test",
                         now=clock.now(), today=clock.today(settings.zone), default_min_consultation_days=20,
                         calendar=working_calendar(session, settings))
    return strategy_id


def stored_round(engine: Engine, round_id: int) -> consultation.ConsultationRound:
    with unit_of_work(engine) as session:
        round_ = consultation.get_round(session, round_id)
        session.expunge(round_)
        return round_


def count(engine: Engine, table: type) -> int:
    """Rows of ``table`` beside the demo's own (illustrative) consultation."""
    query = select(func.count()).select_from(table)
    if table is consultation.SubmissionResponse:
        query = query.join(consultation.Submission,
                           consultation.Submission.id == consultation.SubmissionResponse.submission_id)
        table = consultation.Submission
    query = query.where(table.illustrative.is_(False))  # type: ignore[attr-defined]
    with unit_of_work(engine) as session:
        return session.scalar(query) or 0


def follow(client: TestClient, answer, where: str) -> str:  # type: ignore[no-untyped-def]
    assert answer.status_code == 303, text_of(answer.text)
    assert answer.headers["location"].startswith(where), answer.headers["location"]
    page = client.get(answer.headers["location"])
    assert page.status_code == 200
    return page.text


def submission_of(html: str, submission_id: int) -> str:
    found = re.search(rf'<article[^>]*\bid="submission-{submission_id}".*?</article>', html, re.S)
    assert found, f"no submission {submission_id} on the page"
    return found.group(0)


def version_of(html: str, form_id: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', section(html, form_id))
    assert found
    return found.group(1)


def open_a_round(client: TestClient, strategy_id: int) -> int:
    page = client.get(f"/console/strategies/{strategy_id}").text
    answer = post_form(client, f"/console/strategies/{strategy_id}/consultations", page,
                       {"channel": "e_register"}, follow_redirects=False)
    assert answer.status_code == 303, text_of(answer.text)
    found = re.match(r"/console/consultations/(\d+)\?done=opened", answer.headers["location"])
    assert found
    return int(found.group(1))


def test_arta_runs_a_round_from_opening_to_close(person: PersonFactory, demo: Engine, settings: Settings):
    arta = person(ARTA)
    with freeze_time(OPENED):
        strategy_id = in_consultation(demo, settings)
        page = arta.get(f"/console/strategies/{strategy_id}").text
        block = section(page, "consultation")
        assert "Nuk është regjistruar asnjë raund konsultimi." in text_of(block)
        # the default closing day: 20 working days, past the National Youth Day of 8 December
        assert "minimumin prej 20 ditësh pune: 31 dhjetor 2025" in text_of(section(page, "open-round"))
        assert "Të shumtën 40 ditë pune: 30 janar 2026" in text_of(section(page, "open-round"))

        # no channel ticked: refused next to the channels, in Albanian, nothing opened
        refused = post_form(arta, f"/console/strategies/{strategy_id}/consultations", page,
                            {"closes_on": "2025-12-20"}, follow_redirects=False)
        assert refused.status_code == 422
        form = section(refused.text, "open-round")
        assert re.search(r'<p class="field-error" id="open-channel-error">[^<]+</p>', form)
        assert 'value="2025-12-20"' in form  # what was typed is kept
        assert count(demo, consultation.ConsultationRound) == 0

        # a closing day before the minimum: only an admin may, said next to the closing day
        refused = post_form(arta, f"/console/strategies/{strategy_id}/consultations", page,
                            {"channel": "e_register", "closes_on": "2025-12-20"}, follow_redirects=False)
        assert refused.status_code == 403
        assert re.search(r'id="open-closes_on-error">Një raund zgjat të paktën 20 ditë pune: mbyllet më 31 dhjetor '
                         r'2025 ose më vonë\. Vetëm një administrator mund të caktojë një ditë më të hershme\.</p>',
                         section(refused.text, "open-round"))
        assert count(demo, consultation.ConsultationRound) == 0

        answer = post_form(arta, f"/console/strategies/{strategy_id}/consultations", page,
                           {"channel": ["e_register", "meetings"]}, follow_redirects=False)  # type: ignore[dict-item]
        page = follow(arta, answer, "/console/consultations/")
        round_id = int(re.findall(r"/console/consultations/(\d+)", answer.headers["location"])[0])
        assert '<p class="notice" role="status">Raundi i konsultimit u hap.</p>' in page
        assert stored_round(demo, round_id).closes_on == date(2025, 12, 31)
        assert stored_round(demo, round_id).channels == ["e_register", "meetings"]
        dates = text_of(section(page, "dates"))
        assert "Regjistri elektronik për njoftimet dhe konsultimet publike, Takime" in dates
        assert "0 të numëruara deri tani, 20 të mbetura" in dates

        # the strategy page lists it, and offers no second round while it is open
        strategy_page = arta.get(f"/console/strategies/{strategy_id}").text
        block = section(strategy_page, "consultation")
        assert "Raundi 1" in text_of(block) and 'id="open-round"' not in block
        # and says beside "send for approval", before it is pressed, all that approval still waits for
        note = text_of(form_of(strategy_page, "submit_for_approval"))
        assert "Fillimisht mbyllni raundin e hapur të konsultimit." in note and "20 ditët e punës" in note

    with freeze_time("2025-12-10 10:00"):
        page = arta.get(f"/console/consultations/{round_id}").text
        answer = post_form(arta, f"/console/consultations/{round_id}/events", page, {
            "date": "2025-12-09", "kind": "roundtable", "place": "Ministria e Brendshme, Tiranë",
            "participants-civil_society": "12", "participants-diaspora": "4",
        }, follow_redirects=False)
        page = follow(arta, answer, f"/console/consultations/{round_id}?done=event")
        events = text_of(section(page, "events"))
        assert "Tryezë e rrumbullakët" in events and "Diaspora: 4; Shoqëria civile: 12" in events

        # a head count that is not a number is refused next to its category
        refused = post_form(arta, f"/console/consultations/{round_id}/events", page, {
            "date": "2025-12-09", "kind": "workshop", "place": "Durrës", "participants-academia": "shumë",
        }, follow_redirects=False)
        assert refused.status_code == 422
        assert re.search(r'id="event-participants-academia-error">Shkruani një numër\.</p>',
                         section(refused.text, "event"))

        answer = post_form(arta, f"/console/consultations/{round_id}/submissions", page, {
            "submitted_by": "Elira Dervishi", "organisation": "Rrjeti i Diasporës", "category": "diaspora",
            "received_on": "2025-12-10", "summary": "Të numërohen edhe remitancat përmes kanaleve formale.",
        }, follow_redirects=False)
        page = follow(arta, answer, f"/console/consultations/{round_id}?done=submission")
        with unit_of_work(demo) as session:
            submission_id = consultation.round_view(
                session, round_id, today=date(2025, 12, 10), calendar=working_calendar(session, settings)
            ).submissions[0].submission.id
        article = text_of(submission_of(page, submission_id))
        assert "Elira Dervishi, Rrjeti i Diasporës" in article and "ende pa përgjigje" in article

        # not accepted without a reason: the error sits next to the reason, in Albanian
        refused = post_form(arta, f"/console/submissions/{submission_id}/response", page,
                            {"decision": "not_accepted"}, follow_redirects=False)
        assert refused.status_code == 422
        form = section(refused.text, f"answer-{submission_id}")
        assert re.search(rf'<p class="field-error" id="answer-{submission_id}-reason-error">Shënoni arsyen: kërkohet '
                         r'përveçse kur komenti pranohet\.</p>', form)
        assert f'aria-describedby="answer-{submission_id}-reason-hint answer-{submission_id}-reason-error"' in form
        assert '<option value="not_accepted" selected>' in form
        assert count(demo, consultation.SubmissionResponse) == 0
        # the page opens at the refused form (its action names it), and says so at the top, linking to it
        assert f'action="/console/submissions/{submission_id}/response#answer-{submission_id}"' in refused.text
        summary = section(refused.text, "refusal")
        assert "korrigjoni" in text_of(summary) and f'href="#answer-{submission_id}"' in summary

        answer = post_form(arta, f"/console/submissions/{submission_id}/response", page, {
            "decision": "not_accepted", "reason": "Remitancat formale maten tashmë nga Banka e Shqipërisë.",
        }, follow_redirects=False)
        page = follow(arta, answer, f"/console/consultations/{round_id}?done=answered")
        article = text_of(submission_of(page, submission_id))
        assert "Nuk u pranua" in article and "maten tashmë nga Banka e Shqipërisë" in article

        # before the closing day there is no close form; a close posted anyway is refused, saying until when
        assert 'id="close"' not in page
        refused = post_form(arta, f"/console/consultations/{round_id}/close", page,
                            {"version": version_of(page, "extend")}, follow_redirects=False)
        assert refused.status_code == 409
        assert ("Raundi zgjat deri më 31 dhjetor 2025; mund të mbyllet atë ditë ose më vonë."
                in text_of(section(refused.text, "refusal")))

        # an extension needs a reason; then it moves the closing day, and the history says why
        refused = post_form(arta, f"/console/consultations/{round_id}/extend", page,
                            {"version": version_of(page, "extend"), "closes_on": "2026-01-09"},
                            follow_redirects=False)
        assert refused.status_code == 422
        assert re.search(r'id="extend-reason-error">Kjo fushë duhet plotësuar\.</p>',
                         section(refused.text, "extend"))
        answer = post_form(arta, f"/console/consultations/{round_id}/extend", page, {
            "version": version_of(page, "extend"), "closes_on": "2026-01-09",
            "reason": "Shoqëria civile kërkoi më shumë kohë.",
        }, follow_redirects=False)
        page = follow(arta, answer, f"/console/consultations/{round_id}?done=extended")
        assert stored_round(demo, round_id).closes_on == date(2026, 1, 9)
        history = text_of(section(page, "history"))
        assert "Raundi u zgjat" in history and "Shoqëria civile kërkoi më shumë kohë." in history
        stale = post_form(arta, f"/console/consultations/{round_id}/close", page,
                          {"version": "1"}, follow_redirects=False)  # the version before the extension
        assert stale.status_code == 412
        assert "Dikush e ndryshoi këtë raund" in text_of(stale.text)

    with freeze_time("2026-01-12 10:00"):
        page = arta.get(f"/console/consultations/{round_id}").text
        late = post_form(arta, f"/console/consultations/{round_id}/submissions", page, {
            "submitted_by": "Arben Gashi", "category": "academia", "received_on": "2026-01-12",
            "summary": "Një studim për kthimin e të rinjve.", "illustrative": "on",
        }, follow_redirects=False)
        page = follow(arta, late, f"/console/consultations/{round_id}?done=submission")
        submissions = text_of(section(page, "submissions"))
        assert "Arben Gashi me vonesë ilustrim" in submissions
        answer = post_form(arta, f"/console/consultations/{round_id}/close", page,
                           {"version": version_of(page, "close"), "closed_on": "2026-01-09"}, follow_redirects=False)
        page = follow(arta, answer, f"/console/consultations/{round_id}?done=closed")
        assert stored_round(demo, round_id).state == "closed"
        assert stored_round(demo, round_id).closed_on == date(2026, 1, 9)
        assert 'id="extend"' not in page and 'id="close"' not in page
        assert "Mbyllur" in text_of(section(page, "dates"))
        block = text_of(section(arta.get(f"/console/strategies/{strategy_id}").text, "consultation"))
        assert "Raundi 1" in block and "Mbyllur" in block
        assert 'id="open-round"' in arta.get(f"/console/strategies/{strategy_id}").text  # a next round may open


def test_the_report_links_in_both_languages(person: PersonFactory, demo: Engine, settings: Settings):
    arta = person(ARTA)
    with freeze_time(OPENED):
        strategy_id = in_consultation(demo, settings)
        round_id = open_a_round(arta, strategy_id)
        page = arta.get(f"/console/consultations/{round_id}").text
    links = section(page, "report-links")
    for lang in ("en", "sq"):
        assert f'href="/console/consultations/{round_id}/report?lang={lang}"' in links
        assert f'href="/console/consultations/{round_id}/report.csv?lang={lang}"' in links
    with freeze_time(OPENED):
        printable = arta.get(f"/console/consultations/{round_id}/report?lang=sq")
        assert printable.status_code == 200 and printable.headers["content-type"].startswith("text/html")
        csv = arta.get(f"/console/consultations/{round_id}/report.csv?lang=en")
        assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
        assert arta.get(f"/console/consultations/{round_id}/report?lang=de").status_code == 422
        block = section(arta.get(f"/console/strategies/{strategy_id}").text, "consultation")
        assert f'href="/console/strategies/{strategy_id}/consultation-report?lang=sq"' in block
        every = arta.get(f"/console/strategies/{strategy_id}/consultation-report?lang=sq")
        assert every.status_code == 200 and "Raundi" in every.text
        assert every.headers["content-security-policy"] == consultation.CONTENT_SECURITY_POLICY
        every_csv = arta.get(f"/console/strategies/{strategy_id}/consultation-report.csv")
        assert every_csv.status_code == 200 and every_csv.headers["content-language"] == "sq"  # Arta's language


def test_another_institutions_coordinator_is_refused(person: PersonFactory, demo: Engine, settings: Settings):
    arta, klodiana = person(ARTA), person(KLODIANA)
    with freeze_time("2025-12-10 10:00"):
        strategy_id = in_consultation(demo, settings)
        page = klodiana.get(f"/console/strategies/{strategy_id}").text
        assert 'id="open-round"' not in page
        refused = post_form(klodiana, f"/console/strategies/{strategy_id}/consultations", page,
                            {"channel": "written"}, follow_redirects=False)
        assert refused.status_code == 403
        assert "Ministry of Interior" in text_of(section(refused.text, "open-round-refusal"))
        assert count(demo, consultation.ConsultationRound) == 0

        round_id = open_a_round(arta, strategy_id)
        page = klodiana.get(f"/console/consultations/{round_id}").text
        assert '<form class="action"' not in page
        refused = post_form(klodiana, f"/console/consultations/{round_id}/submissions", page, {
            "submitted_by": "X", "category": "other", "received_on": "2025-12-10", "summary": "Y",
        }, follow_redirects=False)
        assert refused.status_code == 403
        assert "Vetëm një koordinator i institucionit Ministry of Interior" in text_of(section(refused.text, "refusal"))
        assert count(demo, consultation.Submission) == 0
        refused = post_form(klodiana, f"/console/consultations/{round_id}/close", page, {"version": "1"},
                            follow_redirects=False)
        assert refused.status_code == 403 and stored_round(demo, round_id).state == "open"


def test_a_viewer_and_a_contact_point_read_everything_without_forms(
    person: PersonFactory, demo: Engine, settings: Settings
):
    arta, besnik, daniel = person(ARTA), person(BESNIK), person(DANIEL)
    with freeze_time("2025-12-10 10:00"):
        strategy_id = in_consultation(demo, settings)
        round_id = open_a_round(arta, strategy_id)
        page = arta.get(f"/console/consultations/{round_id}").text
        post_form(arta, f"/console/consultations/{round_id}/submissions", page, {
            "submitted_by": "Elira Dervishi", "category": "diaspora", "received_on": "2025-12-10",
            "summary": "Count remittances through formal channels too.",
        })
        for reader in (besnik, daniel):
            block = section(reader.get(f"/console/strategies/{strategy_id}").text, "consultation")
            assert f"/console/consultations/{round_id}" in block and "<form" not in block
            page = reader.get(f"/console/consultations/{round_id}").text
            assert '<form class="action"' not in page
            assert "Elira Dervishi" in text_of(section(page, "submissions"))
        page = daniel.get(f"/console/consultations/{round_id}").text  # English
        assert "Consultation round 1" in page and "not answered yet" in text_of(section(page, "submissions"))
        refused = post_form(besnik, f"/console/consultations/{round_id}/events", page,
                            {"date": "2025-12-10", "kind": "hearing", "place": "Tirana"}, follow_redirects=False)
        assert refused.status_code == 403 and count(demo, consultation.ConsultationEvent) == 0


def test_an_unknown_round_is_not_found_and_a_form_without_its_token_is_refused(
    person: PersonFactory, demo: Engine, settings: Settings
):
    arta = person(ARTA)
    assert arta.get("/console/consultations/999999").status_code == 404
    with freeze_time("2025-12-10 10:00"):
        strategy_id = in_consultation(demo, settings)
        refused = arta.post(f"/console/strategies/{strategy_id}/consultations", data={"channel": "written"},
                            follow_redirects=False)
        assert refused.status_code == 403 and count(demo, consultation.ConsultationRound) == 0
        assert arta.post("/console/submissions/999999/response", data={"decision": "accepted", "csrf": "x"},
                         follow_redirects=False).status_code == 403  # the token first


GARBAGE = ["\u00b2", "9" * 5000, "-1", "1e3", "<b id=inj>x</b>", "%d %s", "\u0661\u0662"]


def test_garbage_in_any_consultation_form_is_refused(person: PersonFactory, demo: Engine, settings: Settings):
    arta = person(ARTA)
    with freeze_time("2025-12-10 10:00"):
        strategy_id = in_consultation(demo, settings)
        round_id = open_a_round(arta, strategy_id)
        page = arta.get(f"/console/consultations/{round_id}").text
        post_form(arta, f"/console/consultations/{round_id}/submissions", page, {
            "submitted_by": "Elira", "category": "diaspora", "received_on": "2025-12-10", "summary": "S",
        })
        with unit_of_work(demo) as session:
            submission_id = session.scalars(
                select(consultation.Submission.id).where(consultation.Submission.round_id == round_id)
            ).one()
        for value in GARBAGE:
            for path, data in [
                (f"/console/strategies/{strategy_id}/consultations",
                 {"opened_on": value, "channel": value, "closes_on": value}),
                (f"/console/consultations/{round_id}/events",
                 {"date": value, "kind": value, "place": "\x00", "participants-diaspora": value}),
                (f"/console/consultations/{round_id}/submissions",
                 {"submitted_by": value, "category": value, "received_on": value, "summary": value}),
                (f"/console/submissions/{submission_id}/response", {"decision": value, "responded_on": value}),
                (f"/console/consultations/{round_id}/extend", {"version": value, "closes_on": value, "reason": value}),
                (f"/console/consultations/{round_id}/close", {"version": value, "closed_on": value}),
            ]:
                answer = post_form(arta, path, page, data, follow_redirects=False)
                assert 400 <= answer.status_code < 500, (path, value[:10], answer.status_code)
                assert "<b id=inj>" not in answer.text
            assert arta.get(f"/console/consultations/{round_id}/report", params={"lang": value}).status_code == 422
        assert count(demo, consultation.ConsultationEvent) == 0 and count(demo, consultation.Submission) == 1
        assert count(demo, consultation.SubmissionResponse) == 0
        assert stored_round(demo, round_id).version == 1
