"""The delivery preference on contacts, and ``POST /contacts/{id}/deactivate``, over HTTP."""

from __future__ import annotations

import pytest

from tests.api.helpers import assert_invalid, assert_problem, make_institution

PERSON = {"name": "Arta Hoxha", "email": "arta.hoxha@example.org", "language": "sq", "roles": ["coordinator"]}


def make_contact(client, institution_id: int, **fields) -> dict:
    response = client.post("/contacts", json={**PERSON, "institution_id": institution_id, **fields})
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def moi(client) -> dict:
    institution = make_institution(client)
    return {
        "id": institution,
        "leaver": make_contact(client, institution)["id"],
        "next": make_contact(client, institution, name="Besa Kola", email="besa@example.org",
                             roles=["contact_point"])["id"],
        "chief": make_contact(client, institution, name="Chief", email="chief@example.org", roles=["escalation"])["id"],
    }


def test_delivery_is_immediate_unless_chosen_and_can_be_changed(client, moi):
    read = client.get(f"/contacts/{moi['leaver']}").json()
    assert (read["delivery"], read["deactivated_at"], read["handover_contact_id"]) == ("immediate", None, None)
    weekly = make_contact(client, moi["id"], email="weekly@example.org", delivery="weekly")
    assert weekly["delivery"] == "weekly"
    patched = client.patch(f"/contacts/{moi['leaver']}", json={"delivery": "daily"})
    assert patched.status_code == 200 and patched.json()["delivery"] == "daily"
    assert client.get(f"/contacts/{moi['leaver']}").json()["delivery"] == "daily"


@pytest.mark.parametrize("value", ["hourly", "", None, 1])
def test_an_unknown_delivery_is_refused_at_the_field(client, moi, value):
    assert_invalid(client.patch(f"/contacts/{moi['leaver']}", json={"delivery": value}), pointer="#/delivery")
    if value is not None:
        created = client.post("/contacts", json={**PERSON, "email": "x@example.org", "institution_id": moi["id"],
                                                 "delivery": value})
        assert_invalid(created, pointer="#/delivery")


def test_deactivating_with_a_handover_contact(client, moi):
    response = client.post(f"/contacts/{moi['leaver']}/deactivate", json={"handover_contact_id": moi["next"]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["contact"]["deactivated_at"] is not None
    assert body["contact"]["handover_contact_id"] == moi["next"]
    assert body["handover_contact"]["roles"] == ["contact_point", "coordinator"]
    assert (body["reminders_moved"], body["uncovered_roles"], body["escalation_notices"]) == (0, [], 0)
    shown = client.get(f"/contacts/{moi['leaver']}").json()
    assert shown["name"] == "Arta Hoxha" and shown["deactivated_at"] == body["contact"]["deactivated_at"]
    event = [e for e in client.get("/events").json()["items"] if e["type"] == "contact_deactivated"]
    assert [e["payload"] for e in event] == [
        {"contact_id": moi["leaver"], "handover_contact_id": moi["next"], "institution_id": moi["id"]}]

    again = client.post(f"/contacts/{moi['leaver']}/deactivate", json={"handover_contact_id": moi["next"]})
    assert_problem(again, 409)


def test_deactivating_without_a_body_or_handover_names_the_uncovered_roles(client, moi):
    response = client.post(f"/contacts/{moi['leaver']}/deactivate")
    assert response.status_code == 200, response.text
    assert response.json()["uncovered_roles"] == ["coordinator"]
    assert response.json()["handover_contact"] is None


@pytest.mark.parametrize("handover", ["self", "missing", "other_institution", 0, "text"])
def test_a_bad_handover_contact_is_a_422_at_the_field_and_changes_nothing(client, moi, handover):
    other = make_institution(client, "Ministry of Finance")
    outsider = make_contact(client, other, email="outsider@example.org")["id"]
    value = {"self": moi["leaver"], "missing": 999_999, "other_institution": outsider}.get(handover, handover)
    response = client.post(f"/contacts/{moi['leaver']}/deactivate", json={"handover_contact_id": value})
    assert_invalid(response, pointer="#/handover_contact_id")
    assert client.get(f"/contacts/{moi['leaver']}").json()["deactivated_at"] is None


def test_a_deactivated_handover_contact_is_refused(client, moi):
    assert client.post(f"/contacts/{moi['chief']}/deactivate").status_code == 200
    response = client.post(f"/contacts/{moi['leaver']}/deactivate", json={"handover_contact_id": moi["chief"]})
    assert_invalid(response, pointer="#/handover_contact_id")


def test_an_unknown_field_or_contact(client, moi):
    assert_invalid(client.post(f"/contacts/{moi['leaver']}/deactivate", json={"handover": 1}), pointer="#/handover")
    assert_problem(client.post("/contacts/999999/deactivate"), 404)


def test_a_coordinator_deactivates_in_their_own_institution_only(client, client_as, moi):
    other = make_institution(client, "Ministry of Finance")
    outsider = make_contact(client, other, email="outsider@example.org")["id"]
    coordinator = client_as("coordinator", moi["id"])
    assert_problem(coordinator.post(f"/contacts/{outsider}/deactivate"), 404)  # another institution's contact
    linked = coordinator.post(f"/contacts/{moi['leaver']}/deactivate", json={"handover_contact_id": outsider})
    assert_invalid(linked, pointer="#/handover_contact_id")  # the handover contact is authorized too
    assert "Ministry of Finance" not in linked.text
    foreign = client_as("coordinator", other)
    assert_problem(foreign.post(f"/contacts/{moi['leaver']}/deactivate",
                                json={"handover_contact_id": moi["next"]}), 404)
    done = coordinator.post(f"/contacts/{moi['leaver']}/deactivate", json={"handover_contact_id": moi["next"]})
    assert done.status_code == 200, done.text


@pytest.mark.parametrize("role", ["viewer", "contact_point"])
def test_viewers_and_contact_points_may_not_deactivate(client_as, moi, role):
    assert_problem(client_as(role, moi["id"]).post(f"/contacts/{moi['leaver']}/deactivate"), 403)
