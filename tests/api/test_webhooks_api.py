"""The /webhooks endpoints: admins only, the secret shown once, rotation, the delivery log,
redelivery, and bad input as a 422 pointing at the field."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import update

from tests.api.helpers import assert_invalid, assert_problem
from tests.workflow.webhooks.helpers import fan_out, loopback_settings, record
from workflow import webhooks
from workflow.core import clock, new_session, unit_of_work

STUBBED = "https://93.184.215.14/hooks"  # a public address; the tests post to a stub, never to it
HOOK = {"url": "https://example.org/hooks", "event_types": ["stage_changed", "gap_warning"]}


def _create(client, **fields):
    response = client.post("/webhooks", json={**HOOK, **fields})
    assert response.status_code == 201, response.text
    return response.json()


def test_an_admin_registers_a_webhook_and_sees_its_secret_once(client):
    response = client.post("/webhooks", json=HOOK)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 40
    assert response.headers["location"] == f"/webhooks/{body['id']}"
    assert response.headers["cache-control"] == "no-store"
    assert (body["url"], body["event_types"], body["active"], body["created_by"]) == (
        HOOK["url"], HOOK["event_types"], True, "test-admin"
    )
    shown = client.get(f"/webhooks/{body['id']}").json()
    assert "secret" not in shown and shown["url"] == HOOK["url"]
    listed = client.get("/webhooks").json()
    assert listed["total"] == 1 and [item["id"] for item in listed["items"]] == [body["id"]]
    assert all("secret" not in item for item in listed["items"])


def test_the_list_is_paged(client):
    ids = [_create(client)["id"] for _ in range(3)]
    page = client.get("/webhooks", params={"limit": 2, "offset": 1}).json()
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 1)
    assert [item["id"] for item in page["items"]] == ids[1:]


@pytest.mark.parametrize("role", ["coordinator", "viewer"])
def test_only_admins_manage_webhooks(client_as, client, role):
    hook = _create(client)
    institution = client.post("/institutions", json={"name": "Ministry of Finance"}).json()["id"]
    other = client_as(role, institution if role == "coordinator" else None)
    assert_problem(other.post("/webhooks", json=HOOK), 403)
    assert_problem(other.get("/webhooks"), 403)
    assert_problem(other.get(f"/webhooks/{hook['id']}/deliveries"), 403)


@pytest.mark.parametrize(("body", "pointer"), [
    ({**HOOK, "event_types": ["stage_changed", "no_such_event"]}, "#/event_types/1"),
    ({**HOOK, "event_types": []}, "#/event_types"),
    ({**HOOK, "url": "ftp://example.org/hooks"}, "#/url"),
    ({**HOOK, "url": "not a url"}, "#/url"),
    ({**HOOK, "url": "https://user:secret@example.org/hooks"}, "#/url"),
    ({"event_types": ["stage_changed"]}, "#/url"),
    ({**HOOK, "secret": "whsec_mine"}, "#/secret"),
])
def test_bad_input_is_a_422_at_the_field(client, body, pointer):
    assert_invalid(client.post("/webhooks", json=body), pointer=pointer)
    assert client.get("/webhooks").json()["total"] == 0


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/hooks", "http://10.0.0.5/hooks", "http://[::1]/hooks",
                                 "http://169.254.169.254/latest", "http://localhost:3000/hooks"])
def test_a_private_target_is_refused_unless_the_setting_allows_it(client, url):
    body = assert_invalid(client.post("/webhooks", json={**HOOK, "url": url}), pointer="#/url")
    assert "CONTINUUM_WEBHOOK_ALLOW_PRIVATE" in body["detail"]


def test_with_private_targets_allowed_a_loopback_receiver_registers(client, settings):
    settings.webhook_allow_private = True
    assert _create(client, url="http://127.0.0.1:8080/hooks")["url"] == "http://127.0.0.1:8080/hooks"


def test_an_unknown_event_type_names_the_known_ones(client):
    body = assert_invalid(client.post("/webhooks", json={**HOOK, "event_types": ["stage_change"]}),
                          pointer="#/event_types/0")
    assert "stage_changed" in body["detail"]
    catalog = client.get("/webhooks/event-types").json()
    assert set(catalog) == set(webhooks.EVENT_TYPES) and "contact_deactivated" in catalog


def test_patch_changes_the_url_and_types_pauses_and_resumes(client):
    hook = _create(client)
    changed = client.patch(f"/webhooks/{hook['id']}", json={"url": "https://example.org/v2",
                                                             "event_types": ["report_accepted"]})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["url"], changed.json()["event_types"]) == ("https://example.org/v2", ["report_accepted"])
    paused = client.patch(f"/webhooks/{hook['id']}", json={"active": False}).json()
    assert (paused["active"], paused["disabled_reason"]) == (False, "paused by test-admin")
    assert paused["disabled_at"] is not None
    resumed = client.patch(f"/webhooks/{hook['id']}", json={"active": True}).json()
    assert (resumed["active"], resumed["disabled_reason"], resumed["disabled_at"]) == (True, None, None)
    assert hook["enabled_at"] == hook["created_at"] != resumed["enabled_at"]  # events from its resumption on
    assert resumed["enabled_at"] == resumed["updated_at"]
    again = client.patch(f"/webhooks/{hook['id']}", json={"active": True}).json()  # active already: unchanged
    assert again["enabled_at"] == resumed["enabled_at"]


@pytest.mark.parametrize(("body", "pointer"), [
    ({"url": None}, "#/url"), ({"active": None}, "#/active"), ({"event_types": ["nope"]}, "#/event_types/0"),
    ({"url": "http://192.168.1.10/"}, "#/url"), ({"active": "no"}, "#/active"),
])
def test_a_bad_patch_changes_nothing(client, body, pointer):
    hook = _create(client)
    assert_invalid(client.patch(f"/webhooks/{hook['id']}", json=body), pointer=pointer)
    assert client.get(f"/webhooks/{hook['id']}").json() == {k: v for k, v in hook.items() if k != "secret"}


def test_rotating_gives_a_new_secret_once_and_keeps_the_old_one_for_the_grace_period(client):
    hook = _create(client)
    response = client.post(f"/webhooks/{hook['id']}/rotate-secret")
    assert response.status_code == 200, response.text
    rotated = response.json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != hook["secret"]
    assert response.headers["cache-control"] == "no-store"
    rotated_at = rotated["secret_rotated_at"]
    expires = rotated["previous_secret_expires_at"]
    assert rotated_at is not None and expires is not None
    gap = datetime.fromisoformat(expires) - datetime.fromisoformat(rotated_at)
    assert gap == timedelta(hours=24)  # CONTINUUM_WEBHOOK_SECRET_GRACE_HOURS


def test_unknown_webhooks_are_404(client):
    for response in (client.get("/webhooks/999"), client.patch("/webhooks/999", json={"active": False}),
                     client.delete("/webhooks/999"), client.post("/webhooks/999/rotate-secret"),
                     client.get("/webhooks/999/deliveries"),
                     client.post("/webhooks/999/deliveries/1/redeliver")):
        assert_problem(response, 404)


def _delivered_once(engine, hook_id: int, answers: list[int]) -> list[int]:
    """Record an event per answer, fan it out, and deliver each to a stub receiver answering it (the
    webhook's URL has a public literal address: nothing to resolve, and the stub connects nowhere)."""
    with unit_of_work(engine) as session:  # the subscription is a little older than the events
        earlier = clock.now() - timedelta(minutes=1)
        session.execute(update(webhooks.WebhookSubscription).values(created_at=earlier, enabled_at=earlier))
    for _ in answers:
        record(engine)
    fan_out(engine, expect=len(answers))
    replies = iter(answers)
    with unit_of_work(engine) as session:
        ids = webhooks.hand_out(session, clock.now(), lease=timedelta(minutes=10))
    for delivery_id in ids:
        webhooks.deliver(engine, delivery_id, clock=clock.now, settings=loopback_settings(),
                         post=lambda target, headers, body: next(replies))
    with new_session(engine) as session:
        return [logged.delivery.id for logged in webhooks.delivery_log(session, hook_id, limit=50, offset=0)[0]]


def test_the_delivery_log_shows_status_codes_attempts_and_the_next_attempt(client, engine):
    hook = _create(client, url=STUBBED)
    newest, oldest = _delivered_once(engine, hook["id"], [204, 500])
    page = client.get(f"/webhooks/{hook['id']}/deliveries").json()
    assert page["total"] == 2 and [item["id"] for item in page["items"]] == [newest, oldest]
    delivered, retrying = page["items"][1], page["items"][0]
    assert (delivered["status"], delivered["last_status_code"], delivered["attempts"]) == ("delivered", 204, 1)
    assert [a["status_code"] for a in delivered["log"]] == [204]
    assert delivered["webhook_id"] == f"evt_{delivered['event_id']}_sub_{hook['id']}"
    assert (retrying["status"], retrying["last_status_code"]) == ("pending", 500)
    assert retrying["next_attempt_at"] is not None and "answered 500" in retrying["last_error"]
    only_pending = client.get(f"/webhooks/{hook['id']}/deliveries", params={"status": "pending"}).json()
    assert [item["id"] for item in only_pending["items"]] == [newest]
    assert_invalid(client.get(f"/webhooks/{hook['id']}/deliveries", params={"status": "lost"}), parameter="status")


def test_a_delivery_is_redelivered_by_hand_and_only_through_its_own_webhook(client, engine):
    hook = _create(client, url=STUBBED)
    other = _create(client, url="https://example.org/other")
    (delivery_id,) = _delivered_once(engine, hook["id"], [204])
    response = client.post(f"/webhooks/{hook['id']}/deliveries/{delivery_id}/redeliver")
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["attempts"]) == ("pending", 0)
    assert response.json()["next_attempt_at"] is not None
    assert [a["status_code"] for a in response.json()["log"]] == [204]  # the attempts so far
    assert_problem(client.post(f"/webhooks/{other['id']}/deliveries/{delivery_id}/redeliver"), 404)
    with unit_of_work(engine) as session:
        assert webhooks.hand_out(session, clock.now(), lease=timedelta(minutes=10)) == [delivery_id]


def test_a_delivery_being_sent_or_of_a_disabled_webhook_is_not_redelivered(client, engine):
    hook = _create(client, url=STUBBED)
    (delivery_id,) = _delivered_once(engine, hook["id"], [204])
    with unit_of_work(engine) as session:
        session.execute(update(webhooks.WebhookDelivery).values(status="sending", claim_token="worker"))
    assert_problem(client.post(f"/webhooks/{hook['id']}/deliveries/{delivery_id}/redeliver"), 409)
    with unit_of_work(engine) as session:
        session.execute(update(webhooks.WebhookDelivery).values(status="failed", claim_token=None))
    client.patch(f"/webhooks/{hook['id']}", json={"active": False})
    body = assert_problem(client.post(f"/webhooks/{hook['id']}/deliveries/{delivery_id}/redeliver"), 409)
    assert "disabled" in body["detail"]


def test_deleting_a_webhook_removes_it_and_its_log(client, engine):
    hook = _create(client)
    _delivered_once(engine, hook["id"], [500])
    assert client.delete(f"/webhooks/{hook['id']}").status_code == 204
    assert_problem(client.get(f"/webhooks/{hook['id']}"), 404)
    assert_problem(client.get(f"/webhooks/{hook['id']}/deliveries"), 404)
    with unit_of_work(engine) as session:
        assert session.scalars(webhooks.WebhookDelivery.__table__.select()).all() == []
