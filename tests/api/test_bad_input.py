"""Bad input over HTTP: insane dates, inverted periods, cycles, plans outside their strategy, header injection.

Each is a 422 pointing at the field to fix, and changes nothing.
"""

from __future__ import annotations

import pytest

from tests.api.helpers import STRATEGY, assert_invalid, make_institution, make_strategy

LINE_BREAKS = ["\r\n", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029", "\x00"]


@pytest.fixture
def moi(client) -> int:
    return make_institution(client)


@pytest.mark.parametrize(
    ("fields", "pointer"),
    [
        ({"period_start": "1899-12-31"}, "#/period_start"),
        ({"period_end": "2201-01-01"}, "#/period_end"),
        ({"period_end": "9999-12-31"}, "#/period_end"),
        ({"period_end": "2024-01-01"}, "#/period_end"),  # the day it starts
        ({"period_end": "2023-06-30"}, "#/period_end"),
        ({"drafting_due": "1066-10-14"}, "#/drafting_due"),
        ({"approval_due": "2201-01-01"}, "#/approval_due"),
        ({"reminder_offsets": [-1]}, "#/reminder_offsets/0"),
        ({"reminder_offsets": list(range(13))}, "#/reminder_offsets"),
    ],
)
def test_insane_dates_and_inverted_periods_are_refused_at_the_field(client, moi, fields, pointer):
    assert_invalid(client.post("/strategies", json={**STRATEGY, "lead_institution_id": moi, **fields}), pointer=pointer)
    strategy = make_strategy(client, moi)
    assert_invalid(client.patch(f"/strategies/{strategy['id']}", json=fields), pointer=pointer)
    assert client.get(f"/strategies/{strategy['id']}").json()["version"] == 1


def test_a_patch_that_inverts_the_period_with_one_field_is_refused(client, moi):
    strategy = make_strategy(client, moi)
    assert_invalid(client.patch(f"/strategies/{strategy['id']}", json={"period_start": "2031-01-01"}),
                   pointer="#/period_end")


def test_the_succession_cannot_become_a_cycle(client, moi):
    first = make_strategy(client, moi, title="2010-2015", period_start="2010-01-01", period_end="2015-12-31")
    second = make_strategy(client, moi, title="2016-2020", period_start="2016-01-01", period_end="2020-12-31",
                           predecessor_id=first["id"])
    third = make_strategy(client, moi, title="2021-2025", period_start="2021-01-01", period_end="2025-12-31",
                          predecessor_id=second["id"])
    for target in (second, third):
        body = assert_invalid(client.patch(f"/strategies/{first['id']}", json={"predecessor_id": target["id"]}),
                              pointer="#/predecessor_id")
        assert "cycle" in body["detail"]
    assert_invalid(client.patch(f"/strategies/{first['id']}", json={"predecessor_id": first["id"]}),
                   pointer="#/predecessor_id")
    assert client.get(f"/strategies/{first['id']}").json()["predecessor_id"] is None


def test_parent_links_cannot_nest_or_loop(client, moi):
    parent = make_strategy(client, moi)
    plan = make_strategy(client, moi, kind="action_plan", parent_id=parent["id"], period_end="2026-12-31")
    nested = {**STRATEGY, "kind": "action_plan", "parent_id": plan["id"], "lead_institution_id": moi,
              "period_end": "2025-12-31"}
    assert_invalid(client.post("/strategies", json=nested), pointer="#/parent_id")
    assert_invalid(client.patch(f"/strategies/{parent['id']}", json={"parent_id": plan["id"]}), pointer="#/parent_id")
    assert_invalid(client.patch(f"/strategies/{plan['id']}", json={"kind": "strategy"}), pointer="#/kind")


@pytest.mark.parametrize(
    ("fields", "pointer"),
    [({"period_start": "2023-12-31"}, "#/period_start"), ({"period_end": "2031-01-01"}, "#/period_end")],
)
def test_an_action_plan_must_lie_within_its_strategy(client, moi, fields, pointer):
    parent = make_strategy(client, moi)
    plan = {**STRATEGY, "kind": "action_plan", "parent_id": parent["id"], "lead_institution_id": moi}
    assert_invalid(client.post("/strategies", json={**plan, **fields}), pointer=pointer)
    created = make_strategy(client, moi, kind="action_plan", parent_id=parent["id"])
    assert_invalid(client.patch(f"/strategies/{created['id']}", json=fields), pointer=pointer)


def test_a_strategy_cannot_shrink_away_from_its_action_plans(client, moi):
    parent = make_strategy(client, moi)
    make_strategy(client, moi, kind="action_plan", parent_id=parent["id"], period_end="2030-06-30")
    assert_invalid(client.patch(f"/strategies/{parent['id']}", json={"period_end": "2029-12-31"}),
                   pointer="#/period_end")
    assert client.get(f"/strategies/{parent['id']}").json()["period_end"] == "2030-12-31"


@pytest.mark.parametrize("brk", LINE_BREAKS, ids=["+".join(f"U+{ord(c):04X}" for c in b) for b in LINE_BREAKS])
def test_nothing_that_can_reach_an_email_header_accepts_a_line_break(client, moi, brk):
    injected = f"Ministry{brk}Bcc: victim@example.org"
    assert_invalid(client.post("/institutions", json={"name": injected}), pointer="#/name")
    contact = {"name": "Arta", "email": "arta@example.org", "institution_id": moi, "roles": ["coordinator"]}
    assert_invalid(client.post("/contacts", json={**contact, "name": injected}), pointer="#/name")
    assert_invalid(client.post("/contacts", json={**contact, "email": f"arta@example.org{brk}Bcc: v@example.org"}),
                   pointer="#/email")
    assert_invalid(client.post("/strategies", json={**STRATEGY, "lead_institution_id": moi, "title": injected}),
                   pointer="#/title")
    assert_invalid(client.post("/tokens", json={"name": injected, "role": "viewer"}), pointer="#/name")
    assert client.get("/contacts").json()["total"] == 0
    assert client.get("/strategies").json()["total"] == 0


@pytest.mark.parametrize("body", [b"\x15T\xff\xfe", b'{"name": "Minist\xe8re"}', b"\xc3("])
def test_a_body_that_is_not_utf8_is_422_like_any_malformed_json(client, body):
    response = client.post("/institutions", content=body, headers={"content-type": "application/json"})
    assert "UTF-8" in assert_invalid(response, pointer="#")["detail"]
    assert client.get("/institutions").json()["total"] == 0
