"""Consultation rounds over HTTP: every endpoint and its refusals, the closing day counted in
Albania's working days (over Christmas, New Year with its observed day, and a day an admin
declared), the approval guard, and the report in English and Albanian."""

from __future__ import annotations

import csv
import io

import pytest
from freezegun import freeze_time

from tests.api.helpers import assert_invalid, assert_problem, make_institution, make_strategy

OPENED = "2026-12-14"  # a Monday


@pytest.fixture
def moi(client) -> int:
    return make_institution(client)


@pytest.fixture
def coordinator(client_as, moi):
    return client_as("coordinator", moi, name="arta")


@pytest.fixture
def strategy_id(client, coordinator, moi) -> int:
    coordinator.get("/stakeholder-categories")  # FastAPI builds its routes on first use: not under a frozen clock
    with freeze_time(f"{OPENED} 10:00"):
        created = make_strategy(coordinator, moi)
        moved = coordinator.post(f"/strategies/{created['id']}/transitions", json={"event": "submit_for_consultation"})
        assert moved.status_code == 200, moved.text
        declared = client.post("/non-working-days", json={"day": "2026-12-31", "name": "New Year's Eve (DCM)"})
        assert declared.status_code == 201, declared.text
    return created["id"]


def _open(client, strategy_id: int, **body):
    with freeze_time(f"{OPENED} 10:00"):
        return client.post(f"/strategies/{strategy_id}/consultations", json={"channel": "e_register", **body})


@pytest.fixture
def round_id(coordinator, strategy_id) -> int:
    opened = _open(coordinator, strategy_id, channel=["meetings", "e_register"])
    assert opened.status_code == 201, opened.text
    return opened.json()["id"]


def _at(day: str):
    return freeze_time(f"{day} 10:00")


def test_twenty_working_days_over_christmas_new_year_an_observed_day_and_a_declared_one(coordinator, strategy_id):
    # After Monday 14 Dec (day 0): Christmas (Fri 25), New Year's Eve declared by the government (Thu 31),
    # New Year (Fri 1, Sat 2) and its observed day (Mon 4 Jan) do not count: the 20th working day is 15 Jan.
    opened = _open(coordinator, strategy_id, channel=["meetings", "e_register"])
    assert opened.status_code == 201, opened.text
    body = opened.json()
    assert opened.headers["Location"] == f"/consultations/{body['id']}"
    assert opened.headers["ETag"] == '"1"'
    assert (body["number"], body["opened_on"], body["closes_on"], body["state"]) == (1, OPENED, "2027-01-15", "open")
    assert body["channels"] == ["e_register", "meetings"]
    assert body["allowed_events"] == ["extend", "close"]
    assert body["working_days"] == 0 and body["working_days_left"] == 20
    assert body["history"][0]["event"] == "open" and body["history"][0]["actor"] == "arta"
    with _at("2027-01-04"):
        shown = coordinator.get(f"/consultations/{body['id']}").json()
    assert (shown["working_days"], shown["working_days_left"]) == (11, 9)
    listed = coordinator.get(f"/strategies/{strategy_id}/consultations").json()
    assert [r["id"] for r in listed] == [body["id"]] and listed[0]["counts"]["submissions"] == 0


def test_opening_refusals(client, client_as, coordinator, moi, strategy_id):
    draft = make_strategy(coordinator, moi, title="Draft strategy")
    assert_problem(_open(coordinator, draft["id"]), 409, "/problems/guard-refused")
    assert_invalid(_open(coordinator, strategy_id, opened_on="2026-12-15"), pointer="#/opened_on")
    assert_invalid(_open(coordinator, strategy_id, opened_on="2026-12-11"), pointer="#/opened_on")
    assert_invalid(_open(coordinator, strategy_id, channel="fax"), pointer="#/channel/0")
    assert_invalid(_open(coordinator, strategy_id, channel=[]), pointer="#/channel")
    below = assert_problem(_open(coordinator, strategy_id, closes_on="2027-01-14"), 403, "/problems/forbidden")
    assert below["errors"][0]["pointer"] == "#/closes_on"
    assert_invalid(_open(client, strategy_id, closes_on="2027-02-15"), pointer="#/closes_on")  # past 40 days
    assert_problem(_open(client_as("viewer", moi), strategy_id), 403, "/problems/forbidden")
    other = make_institution(client, "Ministry of Finance")
    assert_problem(_open(client_as("coordinator", other), strategy_id), 403, "/problems/forbidden")
    assert_problem(_open(coordinator, 999), 404, "/problems/not-found")
    assert _open(coordinator, strategy_id).status_code == 201
    busy = assert_problem(_open(coordinator, strategy_id), 409, "/problems/conflict")
    assert busy["round_id"]
    assert_problem(coordinator.get("/consultations/999"), 404, "/problems/not-found")


def test_an_admin_may_set_a_closing_day_below_the_minimum(client, strategy_id):
    opened = _open(client, strategy_id, closes_on="2026-12-21")
    assert opened.status_code == 201 and opened.json()["closes_on"] == "2026-12-21"


def test_extending_a_round(client_as, coordinator, moi, round_id):
    url = f"/consultations/{round_id}/extend"
    with _at("2027-01-08"):
        assert_invalid(coordinator.post(url, json={"closes_on": "2027-01-29"}), pointer="#/reason")
        assert_invalid(coordinator.post(url, json={"closes_on": "2027-01-15", "reason": "x"}), pointer="#/closes_on")
        # 40 working days after 14 Dec is 12 Feb 2027
        assert_invalid(coordinator.post(url, json={"closes_on": "2027-02-15", "reason": "x"}), pointer="#/closes_on")
        assert_problem(client_as("viewer", moi).post(url, json={"closes_on": "2027-01-29", "reason": "x"}), 403)
        assert_problem(coordinator.post(url, json={"closes_on": "2027-01-29", "reason": "x"},
                                        headers={"If-Match": '"7"'}), 412, "/problems/stale-version")
        extended = coordinator.post(url, json={"closes_on": "2027-02-12", "reason": "Diaspora associations asked"},
                                    headers={"If-Match": '"1"'})
    assert extended.status_code == 200, extended.text
    body = extended.json()
    assert (body["closes_on"], body["version"], extended.headers["ETag"]) == ("2027-02-12", 2, '"2"')
    change = body["history"][-1]
    assert (change["event"], change["closes_on_before"], change["closes_on_after"], change["reason"]) == (
        "extend", "2027-01-15", "2027-02-12", "Diaspora associations asked")
    with _at("2027-02-15"):  # after the closing day: too late to extend
        late = coordinator.post(url, json={"closes_on": "2027-02-19", "reason": "again"})
    assert assert_problem(late, 409, "/problems/guard-refused")["closes_on"] == "2027-02-12"
    assert_problem(coordinator.post("/consultations/999/extend", json={"closes_on": "2027-02-12", "reason": "x"}), 404)


def test_closing_a_round(coordinator, round_id):
    url = f"/consultations/{round_id}/close"
    with _at("2027-01-14"):
        early = assert_problem(coordinator.post(url), 409, "/problems/guard-refused")
        assert early["closes_on"] == "2027-01-15"
    with _at("2027-01-20"):
        assert_invalid(coordinator.post(url, json={"closed_on": "2027-01-14"}), pointer="#/closed_on")
        assert_invalid(coordinator.post(url, json={"closed_on": "2027-01-21"}), pointer="#/closed_on")
        closed = coordinator.post(url, json={"closed_on": "2027-01-18"})
        assert closed.status_code == 200, closed.text
        assert (closed.json()["state"], closed.json()["closed_on"], closed.json()["allowed_events"]) == (
            "closed", "2027-01-18", [])
        assert_problem(coordinator.post(url), 409, "/problems/conflict")
        assert_problem(coordinator.post(f"/consultations/{round_id}/extend",
                                        json={"closes_on": "2027-01-29", "reason": "x"}), 409, "/problems/conflict")


def test_events_of_a_round(client_as, coordinator, moi, round_id):
    url = f"/consultations/{round_id}/events"
    event = {"date": "2026-12-17", "kind": "roundtable", "place": "Tirana",
             "participants": {"civil_society": 14, "diaspora": 6}}
    with _at("2026-12-18"):
        assert_invalid(coordinator.post(url, json={**event, "participants": {"unions": 3}}),
                       pointer="#/participants/unions")
        assert_invalid(coordinator.post(url, json={**event, "date": "2026-12-11"}), pointer="#/date")
        assert_invalid(coordinator.post(url, json={**event, "date": "2026-12-19"}), pointer="#/date")
        assert_invalid(coordinator.post(url, json={**event, "kind": "party"}), pointer="#/kind")
        assert_invalid(coordinator.post(url, json={**event, "participants": {"diaspora": -1}}),
                       pointer="#/participants/diaspora")
        assert_problem(client_as("viewer", moi).post(url, json=event), 403)
        made = coordinator.post(url, json=event)
    assert made.status_code == 201, made.text
    assert made.json()["date"] == "2026-12-17" and made.json()["actor"] == "arta"
    counts = coordinator.get(f"/consultations/{round_id}").json()["counts"]
    assert (counts["events"], counts["participants"], counts["participants_by_category"]) == (
        1, 20, {"civil_society": 14, "diaspora": 6})


SUBMISSION = {"submitted_by": "Elira Dervishi", "organisation": "Albanian Diaspora Network", "category": "diaspora",
              "received_on": "2026-12-16", "summary": "Count remittances sent through informal channels too."}


def _submit(client, round_id: int, day: str = "2026-12-18", **fields):
    with _at(day):
        return client.post(f"/consultations/{round_id}/submissions", json={**SUBMISSION, **fields})


def test_submissions_and_responses(client_as, coordinator, moi, round_id):
    assert_invalid(_submit(coordinator, round_id, category="unions"), pointer="#/category")
    assert_invalid(_submit(coordinator, round_id, received_on="2026-12-13"), pointer="#/received_on")
    assert_invalid(_submit(coordinator, round_id, summary=""), pointer="#/summary")
    assert_problem(_submit(client_as("viewer", moi), round_id), 403)
    made = _submit(coordinator, round_id)
    assert made.status_code == 201, made.text
    sid = made.json()["id"]
    assert made.headers["Location"] == f"/submissions/{sid}"
    assert made.json()["late"] is False and made.json()["response"] is None
    late = _submit(coordinator, round_id, day="2027-01-18", received_on="2027-01-18", category="academia")
    assert late.json()["late"] is True

    url = f"/submissions/{sid}/response"
    with _at("2026-12-21"):
        assert_invalid(coordinator.post(url, json={"decision": "not_accepted"}), pointer="#/reason")
        assert_invalid(coordinator.post(url, json={"decision": "partly_accepted", "reason": ""}), pointer="#/reason")
        assert_invalid(coordinator.post(url, json={"decision": "maybe"}), pointer="#/decision")
        assert_invalid(coordinator.post(url, json={"decision": "accepted", "responded_on": "2026-12-15"}),
                       pointer="#/responded_on")
        assert_problem(coordinator.post("/submissions/999/response", json={"decision": "accepted"}), 404)
        first = coordinator.post(url, json={"decision": "not_accepted", "reason": "Not measurable."})
        assert first.status_code == 201, first.text
        second = coordinator.post(url, json={"decision": "partly_accepted", "reason": "Surveys only.",
                                             "effective_on_approximate": True})
    assert second.status_code == 201
    shown = coordinator.get(f"/submissions/{sid}").json()
    assert shown["response"]["decision"] == "partly_accepted" and shown["response"]["effective_on_approximate"]
    assert [r["decision"] for r in shown["earlier_responses"]] == ["not_accepted"]
    assert_problem(coordinator.get("/submissions/999"), 404)
    detail = coordinator.get(f"/consultations/{round_id}").json()
    assert [(s["id"], s["late"]) for s in detail["submissions"]] == [(sid, False), (late.json()["id"], True)]
    assert (detail["counts"]["answered"], detail["counts"]["unanswered"], detail["counts"]["late"]) == (1, 1, 1)


def test_the_approval_guard_refuses_while_a_submission_is_unanswered(coordinator, strategy_id, round_id):
    sid = _submit(coordinator, round_id).json()["id"]
    with _at("2027-01-18"):
        assert coordinator.post(f"/consultations/{round_id}/close").status_code == 200
        refused = coordinator.post(f"/strategies/{strategy_id}/transitions", json={"event": "submit_for_approval"})
        body = assert_problem(refused, 409, "/problems/guard-refused")
        assert str(sid) in body["detail"]
        answered = coordinator.post(f"/submissions/{sid}/response", json={"decision": "accepted"})
        assert answered.status_code == 201
        moved = coordinator.post(f"/strategies/{strategy_id}/transitions", json={"event": "submit_for_approval"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["stage"] == "approval"


def test_the_approval_guard_refuses_while_a_round_is_open(coordinator, strategy_id, round_id):
    with _at("2027-01-18"):
        refused = coordinator.post(f"/strategies/{strategy_id}/transitions", json={"event": "submit_for_approval"})
    assert str(round_id) in assert_problem(refused, 409, "/problems/guard-refused")["detail"]


def test_stakeholder_categories(client, coordinator, round_id):
    listed = coordinator.get("/stakeholder-categories").json()
    assert len(listed) == 9 and listed[0] == {"code": "diaspora", "label_en": "Diaspora", "label_sq": "Diaspora",
                                              "builtin": True}
    assert {c["code"]: c["label_sq"] for c in listed}["civil_society"] == "Shoqëria civile"
    new = {"code": "trade_unions", "label_en": "Trade unions", "label_sq": "Sindikatat"}
    assert_problem(coordinator.post("/stakeholder-categories", json=new), 403, "/problems/forbidden")
    assert_invalid(client.post("/stakeholder-categories", json={**new, "code": "Trade Unions"}), pointer="#/code")
    made = client.post("/stakeholder-categories", json=new)
    assert made.status_code == 201 and made.json()["builtin"] is False
    assert_problem(client.post("/stakeholder-categories", json=new), 409, "/problems/conflict")
    assert _submit(coordinator, round_id, category="trade_unions").status_code == 201


@pytest.fixture
def recorded(coordinator, round_id) -> int:
    with _at("2026-12-18"):
        coordinator.post(f"/consultations/{round_id}/events", json={
            "date": "2026-12-17", "kind": "hearing", "place": "Tirana", "participants": {"civil_society": 14}})
    accepted = _submit(coordinator, round_id).json()["id"]
    refused = _submit(coordinator, round_id, submitted_by="Arben Kola", organisation=None, category="academia",
                      summary="=HYPERLINK(\"x\") Add a chapter on return migration.").json()["id"]
    with _at("2026-12-21"):
        coordinator.post(f"/submissions/{accepted}/response", json={"decision": "accepted"})
        coordinator.post(f"/submissions/{refused}/response",
                         json={"decision": "not_accepted", "reason": "Covered by the reintegration strategy."})
    _submit(coordinator, round_id, submitted_by="Late <b>Comer</b>", received_on="2027-01-18", day="2027-01-18")
    return round_id


def test_the_report_in_english_and_albanian(settings, coordinator, recorded):
    with _at("2027-01-18"):
        english = coordinator.get(f"/consultations/{recorded}/report", params={"lang": "en"})
        albanian = coordinator.get(f"/consultations/{recorded}/report?lang=sq")
    assert english.status_code == 200 and english.headers["content-type"].startswith("text/html")
    assert "style-src 'sha256-" in english.headers["content-security-policy"]
    en, sq = english.text, albanian.text
    assert '<html lang="en">' in en and "Consultation report" in en and "15 January 2027" in en
    assert "Public hearing" in en and "Civil society" in en and "Covered by the reintegration strategy." in en
    assert "Not accepted" in en and "No response yet" in en and "(after the closing day)" in en
    assert "1 submission still awaits a response." in en
    assert "still open: the period for comments is over" in en
    assert "Late &lt;b&gt;Comer&lt;/b&gt;" in en and "<b>Comer" not in en
    assert '<html lang="sq">' in sq and "Raporti i konsultimit" in sq and "15 janar 2027" in sq
    assert "Dëgjesë publike" in sq and "Shoqëria civile" in sq and "Bota akademike" in sq
    assert "Nuk u pranua" in sq and "Pa përgjigje ende" in sq and "(pas afatit)" in sq
    assert "1 koment pret ende përgjigje." in sq and "Ligjit nr. 146/2014" in sq
    assert "ende i hapur: afati për komente ka përfunduar" in sq
    assert "Consultation" not in sq.replace("e-Consultation", "")


def test_the_report_as_csv_and_for_every_round(coordinator, strategy_id, recorded):
    with _at("2027-01-18"):
        en = coordinator.get(f"/consultations/{recorded}/report.csv")
        sq = coordinator.get(f"/strategies/{strategy_id}/consultation-report.csv", params={"lang": "sq"})
        whole = coordinator.get(f"/strategies/{strategy_id}/consultation-report", params={"lang": "sq"})
    assert en.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(en.text)))
    submissions = [r for r in rows if r["Section"] == "submission"]
    assert [(r["Decision"], r["Late"]) for r in submissions] == [("accepted", "no"), ("not_accepted", "no"),
                                                                 ("", "yes")]
    assert submissions[1]["Summary"].startswith("'=HYPERLINK")
    totals = {r["Kind"]: r["Count"] for r in rows if r["Section"] == "total"}
    assert totals["submissions"] == "3" and totals["unanswered"] == "1"
    sq_rows = list(csv.DictReader(io.StringIO(sq.text)))
    assert sq_rows[0]["Seksioni"] == "round" and sq_rows[0]["Kanalet"].startswith("Regjistri elektronik")
    assert [r["Vendimi (me fjalë)"] for r in sq_rows if r["Seksioni"] == "submission"][:2] == [
        "Pranuar", "Nuk u pranua"]
    assert whole.status_code == 200 and "Raundi 1" in whole.text


def test_the_report_defaults_to_the_deployments_language(settings, engine, token_for, moi):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from tests.api.helpers import bearer

    albanian = settings.model_copy(update={"language": "sq"})
    with TestClient(create_app(albanian, engine)) as c:
        c.headers.update(bearer(token_for("admin")))
        strategy = make_strategy(c, moi)
        report = c.get(f"/strategies/{strategy['id']}/consultation-report")
        assert '<html lang="sq">' in report.text and "Nuk është regjistruar asnjë raund konsultimi." in report.text
        assert_invalid(c.get(f"/strategies/{strategy['id']}/consultation-report?lang=fr"), parameter="lang")
        assert_problem(c.get("/strategies/999/consultation-report"), 404)
        assert_problem(c.get("/consultations/999/report.csv"), 404)
