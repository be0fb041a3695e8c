"""Deactivating a person who left, on SQLite and PostgreSQL: their pending reminders move to the
handover contact (not those a worker holds, not those the handover contact has already), sent
history keeps their name, their roles go with the reminders, and without a handover contact the
escalation contacts are told which roles nobody holds now."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert, select, update

from tests import factories as f
from workflow.access import Principal, WebSession
from workflow.core import Conflict, Forbidden, NotFound, ValidationFailed
from workflow.core.db import unit_of_work
from workflow.core.outbox import OutboxEvent
from workflow.directory import Contact, ContactDeactivate, recipients
from workflow.reminders import ROLE_UNCOVERED, deactivate_contact
from workflow.reminders.models import Notification

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
TODAY = date(2026, 6, 1)
ADMIN = Principal(name="test-admin", role="admin", institution_id=None)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request):
    return request.getfixturevalue("engine" if request.param == "sqlite" else "pg_engine")


@pytest.fixture
def world(db):
    with unit_of_work(db) as s:
        moi = f.institution(s)
        other = f.institution(s, "Ministry of Finance")
        ids = {
            "moi": moi, "other": other,
            "leaver": f.contact(s, moi, ["coordinator"], "leaver@example.org", name="Arta Hoxha"),
            "handover": f.contact(s, moi, ["contact_point"], "next@example.org", name="Besa Kola"),
            "chief": f.contact(s, moi, ["escalation"], "chief@example.org", name="Deputy Minister"),
            "outsider": f.contact(s, other, ["coordinator"], "outsider@example.org"),
        }
        ids["strategy"] = f.strategy(s, moi, period_start=date(2027, 1, 1), period_end=date(2030, 12, 31)).id
    return ids


def _row(contact_id: int, strategy_id: int, *, key: str, status: str = "pending", offset: int = 7,
         claim_token: str | None = None) -> dict:
    final = status in ("sent", "cancelled", "failed")
    return {
        "deadline_key": key, "deadline_kind": "drafting_due", "strategy_id": strategy_id, "due_on": date(2026, 6, 8),
        "offset_days": offset, "kind": "deadline_reminder", "escalated": False, "contact_id": contact_id,
        "status": status, "due_at": None if final else NOW, "attempts": 0, "claim_token": claim_token,
        "details": {}, "created_at": NOW, "sent_at": NOW if status == "sent" else None,
        "closed_at": NOW if final else None,
    }


def _rows(db) -> dict[str, Notification]:
    with unit_of_work(db) as s:
        return {row.deadline_key: row for row in s.scalars(select(Notification))}


def _deactivate(db, contact_id: int, handover: int | None = None, principal: Principal = ADMIN):
    with unit_of_work(db) as s:
        return deactivate_contact(s, contact_id, ContactDeactivate(handover_contact_id=handover), principal=principal,
                                  now=NOW, today=TODAY)


def test_pending_reminders_move_to_the_handover_contact_and_history_keeps_the_leaver(db, world):
    leaver, handover, strategy = world["leaver"], world["handover"], world["strategy"]
    with unit_of_work(db) as s:
        s.execute(insert(Notification), [
            _row(leaver, strategy, key="pending"),
            _row(leaver, strategy, key="queued", claim_token="queued"),
            _row(leaver, strategy, key="sending", status="sending", claim_token="a" * 32),
            _row(leaver, strategy, key="sent", status="sent"),
            _row(leaver, strategy, key="both"),
            _row(handover, strategy, key="both"),
        ])

    turnover = _deactivate(db, leaver, handover)

    rows = _rows(db)
    assert rows["pending"].contact_id == handover and rows["pending"].status == "pending"
    assert (rows["queued"].contact_id, rows["queued"].claim_token) == (handover, "queued")
    assert (rows["sending"].contact_id, rows["sending"].status) == (leaver, "sending")  # the worker's
    assert (rows["sent"].contact_id, rows["sent"].status) == (leaver, "sent")  # history keeps their name
    with unit_of_work(db) as s:
        same = select(Notification).where(Notification.deadline_key == "both")
        both = {r.contact_id: r.status for r in s.scalars(same)}
    assert both == {leaver: "cancelled", handover: "pending"}  # the handover contact had it: not twice
    assert (turnover.reminders_moved, turnover.reminders_cancelled, turnover.uncovered_roles) == (2, 1, ())


def test_reminders_held_for_the_leavers_digest_move_too_and_are_filed_again(db, world):
    leaver, handover, strategy = world["leaver"], world["handover"], world["strategy"]
    later = NOW + timedelta(hours=20)  # the leaver's next daily digest
    with unit_of_work(db) as s:
        s.execute(insert(Notification), [
            {**_row(leaver, strategy, key="held", status="held"), "due_at": later},
            {**_row(leaver, strategy, key="held-too", status="held"), "due_at": later},
        ])
        s.execute(insert(Notification), [{**_row(leaver, strategy, key="digest"), "kind": "digest"}])
        digest = s.scalar(select(Notification.id).where(Notification.deadline_key == "digest"))
        s.execute(update(Notification).where(Notification.deadline_key == "held-too").values(carrier_id=digest))

    turnover = _deactivate(db, leaver, handover)

    rows = _rows(db)
    assert (rows["held"].contact_id, rows["held"].status, rows["held"].due_at) == (handover, "held", NOW)
    # In a digest already made: the leaver's digest is cancelled, its reminder filed again like the other
    held_too = rows["held-too"]
    assert (held_too.contact_id, held_too.status, held_too.carrier_id, held_too.due_at) == (handover, "held", None, NOW)
    assert (rows["digest"].contact_id, rows["digest"].status) == (leaver, "cancelled")
    assert (turnover.reminders_moved, turnover.reminders_cancelled) == (2, 0)


def test_the_handover_contact_takes_the_roles_and_the_leaver_hears_nothing_more(db, world):
    _deactivate(db, world["leaver"], world["handover"])
    with unit_of_work(db) as s:
        leaver, handover = s.get(Contact, world["leaver"]), s.get(Contact, world["handover"])
        assert leaver.deactivated_at is not None and leaver.handover_contact_id == world["handover"]
        assert leaver.roles == ["coordinator"] and leaver.name == "Arta Hoxha"  # the record stays as it was
        assert handover.roles == ["contact_point", "coordinator"]
        assert [c.id for c in recipients(s, world["moi"], escalate=False)] == [world["handover"]]
        event = s.scalars(select(OutboxEvent).where(OutboxEvent.type == "contact_deactivated")).one()
        assert event.payload == {"contact_id": world["leaver"], "handover_contact_id": world["handover"],
                                 "institution_id": world["moi"]}
        assert event.strategy_id is None


def test_their_console_sessions_end(db, world):
    with unit_of_work(db) as s:
        s.add(WebSession(contact_id=world["leaver"], secret_hash="x" * 64, email_key="leaver@example.org",
                         csrf_token="c", created_at=NOW, expires_at=NOW + timedelta(days=1)))
    assert _deactivate(db, world["leaver"]).sessions_ended == 1
    with unit_of_work(db) as s:
        assert s.scalars(select(WebSession)).one().ended_at is not None


def test_without_handover_the_escalation_contacts_are_told_the_roles_nobody_holds(db, world):
    with unit_of_work(db) as s:
        s.execute(insert(Notification), [_row(world["leaver"], world["strategy"], key="pending")])

    turnover = _deactivate(db, world["leaver"])

    assert turnover.uncovered_roles == ("coordinator",) and turnover.reminders_cancelled == 1
    rows = _rows(db)
    assert rows["pending"].status == "cancelled"  # nobody takes it over: it goes to nobody
    notice = rows[f"contact:{world['leaver']}:uncovered"]
    assert (notice.kind, notice.contact_id, notice.status, notice.escalated) == (
        ROLE_UNCOVERED, world["chief"], "pending", True)
    assert notice.details["roles"] == ["coordinator"] and notice.details["contact_name"] == "Arta Hoxha"
    assert notice.strategy_id == world["strategy"]


def test_no_notice_when_someone_else_still_holds_the_role(db, world):
    with unit_of_work(db) as s:
        f.contact(s, world["moi"], ["coordinator"], "second@example.org")
    turnover = _deactivate(db, world["leaver"])
    assert turnover.uncovered_roles == () and turnover.notices == []
    assert not [r for r in _rows(db).values() if r.kind == ROLE_UNCOVERED]


def test_a_role_held_only_by_someone_deactivated_counts_as_uncovered(db, world):
    with unit_of_work(db) as s:
        gone = f.contact(s, world["moi"], ["coordinator"], "gone@example.org")
    _deactivate(db, gone)  # world's leaver still holds the role: no notice
    assert _deactivate(db, world["leaver"]).uncovered_roles == ("coordinator",)


def test_deactivating_twice_is_a_conflict(db, world):
    _deactivate(db, world["leaver"], world["handover"])
    with pytest.raises(Conflict):
        _deactivate(db, world["leaver"], world["handover"])


@pytest.mark.parametrize("who", ["leaver", "outsider", "gone", "missing"])
def test_the_handover_contact_must_be_another_active_person_of_the_same_institution(db, world, who):
    with unit_of_work(db) as s:
        world["gone"] = f.contact(s, world["moi"], ["escalation"], "gone@example.org")
    if who == "gone":
        _deactivate(db, world["gone"])
    handover = 999_999 if who == "missing" else world[who]
    with pytest.raises(ValidationFailed) as refused:
        _deactivate(db, world["leaver"], handover)
    assert [e.pointer for e in refused.value.errors] == ["#/handover_contact_id"]
    with unit_of_work(db) as s:
        assert s.get(Contact, world["leaver"]).deactivated_at is None  # nothing half-written


def test_a_coordinator_acts_for_their_own_institution_only(db, world):
    coordinator = Principal(name="c", role="coordinator", institution_id=world["other"])
    with pytest.raises(NotFound):
        _deactivate(db, world["leaver"], principal=coordinator)
    own = Principal(name="c", role="coordinator", institution_id=world["moi"])
    with pytest.raises(ValidationFailed) as refused:
        _deactivate(db, world["leaver"], world["outsider"], principal=own)
    assert refused.value.errors[0].detail == f"no contact with id {world['outsider']} in institution {world['moi']}"
    with pytest.raises(Forbidden):
        _deactivate(db, world["leaver"], principal=Principal(name="v", role="viewer", institution_id=world["moi"]))
    assert _deactivate(db, world["leaver"], world["handover"], principal=own).contact.deactivated_at is not None


def test_only_an_admin_deactivates_an_admin(db, world):
    with unit_of_work(db) as s:
        boss = f.contact(s, world["moi"], ["coordinator"], "boss@example.org", access_role="admin")
    with pytest.raises(Forbidden):
        _deactivate(db, boss, principal=Principal(name="c", role="coordinator", institution_id=world["moi"]))
    assert _deactivate(db, boss).contact.deactivated_at is not None
