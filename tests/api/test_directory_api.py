"""POST/GET /institutions and POST/GET/PATCH /contacts."""

import pytest

from tests.api.helpers import assert_invalid, assert_problem, make_institution

CONTACT = {"name": "Arta Hoxha", "email": "arta.hoxha@example.org", "language": "sq", "roles": ["coordinator"]}


@pytest.fixture
def moi(client) -> int:
    return make_institution(client)


def test_create_list_and_show_institutions(client):
    response = client.post("/institutions", json={"name": "  Ministry of Interior "})
    assert response.status_code == 201
    created = response.json()
    assert created["name"] == "Ministry of Interior"
    assert response.headers["location"] == f"/institutions/{created['id']}"
    make_institution(client, "Ministry of Finance")
    page = client.get("/institutions", params={"limit": 1, "offset": 1}).json()
    assert ([i["name"] for i in page["items"]], page["total"]) == (["Ministry of Finance"], 2)
    assert client.get(f"/institutions/{created['id']}").json() == created
    assert_problem(client.get("/institutions/99"), 404, "/problems/not-found")
    assert_invalid(client.get("/institutions", params={"limit": 201}), parameter="limit")


def test_a_duplicate_institution_name_is_409(client, moi):
    body = assert_problem(
        client.post("/institutions", json={"name": "ministry of INTERIOR"}), 409, "/problems/conflict"
    )
    assert body["errors"] == [{"pointer": "#/name", "detail": "must be unique"}]
    assert client.get("/institutions").json()["total"] == 1


@pytest.mark.parametrize("name", ["", "   ", "Ministry\r\nBcc: x@example.org", "M" * 201, None, 5])
def test_bad_institution_names_are_422(client, name):
    assert_invalid(client.post("/institutions", json={"name": name}), pointer="#/name")


def test_create_list_show_and_patch_contacts(client, moi):
    finance = make_institution(client, "Ministry of Finance")
    response = client.post("/contacts", json={**CONTACT, "institution_id": moi})
    assert response.status_code == 201, response.text
    contact = response.json()
    assert response.headers["location"] == f"/contacts/{contact['id']}"
    assert (contact["email"], contact["language"], contact["roles"]) == (
        "arta.hoxha@example.org", "sq", ["coordinator"]
    )
    other = client.post("/contacts", json={**CONTACT, "email": "b@example.org", "institution_id": finance,
                                           "roles": ["escalation"]}).json()

    assert [c["id"] for c in client.get("/contacts").json()["items"]] == [contact["id"], other["id"]]
    by_institution = client.get("/contacts", params={"institution_id": finance}).json()["items"]
    assert [c["id"] for c in by_institution] == [other["id"]]
    assert [c["id"] for c in client.get("/contacts", params={"role": "coordinator"}).json()["items"]] == [contact["id"]]
    assert client.get(f"/contacts/{contact['id']}").json() == contact

    patched = client.patch(f"/contacts/{contact['id']}", json={"email": "arta@example.org", "roles": ["escalation"]})
    assert patched.status_code == 200, patched.text
    assert (patched.json()["email"], patched.json()["roles"], patched.json()["name"]) == (
        "arta@example.org", ["escalation"], "Arta Hoxha"
    )
    assert client.get(f"/contacts/{contact['id']}").json()["email"] == "arta@example.org"


@pytest.mark.parametrize(
    ("fields", "pointer"),
    [
        ({"email": "not-an-email"}, "#/email"),
        ({"email": "arta@example.org\r\nBcc: victim@example.org"}, "#/email"),
        ({"email": "arta@example.org\nBcc: victim@example.org"}, "#/email"),
        ({"name": "Arta\r\nBcc: victim@example.org"}, "#/name"),
        ({"name": "Arta\nHoxha"}, "#/name"),
        ({"name": "Arta\x00"}, "#/name"),
        ({"roles": []}, "#/roles"),
        ({"roles": ["minister"]}, "#/roles/0"),
        ({"language": "de"}, "#/language"),
        ({"institution_id": 999}, "#/institution_id"),
        ({"institution_id": 2**63}, "#/institution_id"),
        ({"id": 3}, "#/id"),
    ],
)
def test_bad_contacts_are_422_pointing_at_the_field(client, moi, fields, pointer):
    assert_invalid(client.post("/contacts", json={**CONTACT, "institution_id": moi, **fields}), pointer=pointer)
    assert client.get("/contacts").json()["total"] == 0


@pytest.mark.parametrize(
    ("fields", "pointer"),
    [
        ({"email": "bad"}, "#/email"),
        ({"email": "a@example.org\r\nBcc: victim@example.org"}, "#/email"),
        ({"name": "A\r\nB"}, "#/name"),
        ({"name": None}, "#/name"),
        ({"institution_id": 999}, "#/institution_id"),
        ({"created_at": "2020-01-01T00:00:00Z"}, "#/created_at"),
    ],
)
def test_bad_contact_patches_are_422_and_change_nothing(client, moi, fields, pointer):
    contact = client.post("/contacts", json={**CONTACT, "institution_id": moi}).json()
    assert_invalid(client.patch(f"/contacts/{contact['id']}", json=fields), pointer=pointer)
    assert client.get(f"/contacts/{contact['id']}").json() == contact


def test_unknown_contacts_are_404(client):
    assert_problem(client.get("/contacts/5"), 404, "/problems/not-found")
    assert_problem(client.patch("/contacts/5", json={"name": "X"}), 404, "/problems/not-found")
    assert_invalid(client.get("/contacts/0"), parameter="contact_id")
    assert_invalid(client.get("/contacts", params={"role": "minister"}), parameter="role")
