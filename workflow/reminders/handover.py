"""Contact turnover, the ledger's part: a person who leaves hands their pending reminders over.

``deactivate_contact`` is the whole service, in the caller's transaction: the directory marks the
person deactivated and gives their roles to the handover contact (``workflow.directory.deactivate``,
which records ``contact_deactivated``); their pending ledger rows move to the handover contact; their
console sessions end. It lives here, not in the directory, because the directory may not import the
ledger (the ledger reads the directory).

Moving is conditional UPDATEs on the leaver's waiting rows: ``pending`` (queued ones included:
the worker that claims one sends it to the new recipient) and ``held`` for their digest (one not
made yet is due at once, so the next pass files it by the handover contact's preference). A digest
made and waiting is the leaver's email, not a reminder: it is cancelled and its reminders are taken
out of it, due at once, so they too are filed by the handover contact's preference. A row a worker
has claimed (``sending``) is left to it: its re-check refuses a deactivated recipient. A reminder the
handover contact already has (the same deadline, due date and offset: the ledger's unique key) is
cancelled instead of moved, and what was merged into it reopened (``carriers.unmerge``). Sent rows
keep naming the leaver: history is not rewritten.

Without a handover contact the leaver's pending rows are cancelled, and when a role they held is now
held by nobody active in the institution, each of its escalation contacts gets a ``role_uncovered``
notice (a ledger row like any other, sent by the worker). The ledger wants a strategy for every row:
the notice is filed under the lowest-numbered strategy the institution leads (not expired) or the
leaver has ever been sent a reminder of; an institution with neither has nothing to miss, and no
notice is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, case, exists, func, or_, select, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from workflow.access import Principal, end_sessions_of
from workflow.directory import Contact, ContactDeactivate, Deactivated, Institution, contacts_with_role, deactivate
from workflow.lifecycle import Stage, Strategy
from workflow.reminders.carriers import may_carry, unmerge
from workflow.reminders.deadlines import Deadline
from workflow.reminders.ledger import record
from workflow.reminders.models import Notification
from workflow.reminders.statuses import NOTIFICATIONS, NotificationEvent, NotificationStatus
from workflow.reminders.timing import DIGEST, DueReminder

ROLE_UNCOVERED = "role_uncovered"
LEFT = "the recipient left and nobody took over their reminders"
_HANDOVER_HAS = aliased(Notification, name="handover_has")


@dataclass(frozen=True)
class HandedOver:
    moved: int
    cancelled: int


@dataclass(frozen=True)
class Turnover:
    """What deactivating someone did: the directory's change and the ledger's."""

    contact: Contact
    handover: Contact | None
    reminders_moved: int
    reminders_cancelled: int
    uncovered_roles: tuple[str, ...]
    notices: list[int] = field(default_factory=list)  # the role_uncovered rows recorded
    sessions_ended: int = 0


_CARRIER = aliased(Notification)


def _waiting() -> ColumnElement[bool]:
    """Rows not sent yet and not in a worker's hands: pending (queued ones too), or held for a digest
    that is not made yet or waits itself (its members go where it goes)."""
    carrier_waits = exists().where(
        col(_CARRIER.id) == col(Notification.carrier_id), col(_CARRIER.status) == NotificationStatus.PENDING
    )
    return or_(
        col(Notification.status) == NotificationStatus.PENDING,
        and_(col(Notification.status) == NotificationStatus.HELD,
             or_(col(Notification.carrier_id).is_(None), carrier_waits)),
    )


def _cancel_rows(session: Session, *conditions: ColumnElement[bool], now: datetime, reason: str) -> list[Row[Any]]:
    return list(session.execute(
        update(Notification)
        .where(*conditions)
        .values(status=NOTIFICATIONS.move(NotificationEvent.CANCEL).target, due_at=None, claim_token=None,
                closed_at=now, last_error=reason)
        .returning(col(Notification.id), col(Notification.kind))
        .execution_options(synchronize_session=False)
    ).all())


def _cancel(session: Session, *conditions: ColumnElement[bool], now: datetime, reason: str) -> int:
    """Cancel the waiting rows matching ``conditions``, digests aside (``_refile_digests``); a lapse
    reminder merged into one of them is reopened and, if it matches too, cancelled with it."""
    not_digest = col(Notification.kind) != DIGEST
    cancelled = _cancel_rows(session, *conditions, not_digest, _waiting(), now=now, reason=reason)
    reopened = unmerge(session, [row.id for row in cancelled if may_carry(row.kind)], now=now)
    if reopened:
        cancelled += _cancel_rows(session, col(Notification.id).in_(reopened), *conditions, not_digest, _waiting(),
                                  now=now, reason=reason)
    return len(cancelled)


def _refile_digests(session: Session, *, leaver_id: int, handover_id: int, now: datetime) -> int:
    """Cancel the leaver's waiting digests and give their reminders to ``handover_id``, out of any
    digest and due at once: the next pass files them by the handover contact's preference (their own
    digest of that day may be made already). Returns how many reminders were given."""
    digests = [row.id for row in _cancel_rows(
        session, col(Notification.contact_id) == leaver_id, col(Notification.kind) == DIGEST, _waiting(), now=now,
        reason=f"handed over to contact {handover_id}: its reminders are filed again")]
    if not digests:
        return 0
    result = session.execute(
        update(Notification)
        .where(col(Notification.carrier_id).in_(digests), col(Notification.status) == NotificationStatus.HELD)
        .values(contact_id=handover_id, carrier_id=None, due_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def hand_over_pending(session: Session, *, leaver_id: int, handover_id: int, now: datetime) -> HandedOver:
    """Move the leaver's pending rows to ``handover_id``; cancel those the handover contact has already.

    Digest rows are not reminders: a waiting one is cancelled and its reminders filed again
    (``_refile_digests``), once those the handover contact has already are cancelled."""
    has_it = exists().where(
        col(_HANDOVER_HAS.deadline_key) == col(Notification.deadline_key),
        col(_HANDOVER_HAS.due_on) == col(Notification.due_on),
        col(_HANDOVER_HAS.offset_days) == col(Notification.offset_days),
        col(_HANDOVER_HAS.contact_id) == handover_id,
    )
    cancelled = _cancel(session, col(Notification.contact_id) == leaver_id, has_it, now=now,
                        reason=f"handed over to contact {handover_id}, who has this reminder already")
    refiled = _refile_digests(session, leaver_id=leaver_id, handover_id=handover_id, now=now)
    held = col(Notification.status) == NotificationStatus.HELD
    result = session.execute(
        update(Notification)
        .where(col(Notification.contact_id) == leaver_id, _waiting())
        # A reminder held for a digest not made yet is filed again by the handover contact's preference.
        .values(contact_id=handover_id, due_at=case(
            (and_(held, col(Notification.carrier_id).is_(None)), now), else_=col(Notification.due_at)))
        .execution_options(synchronize_session=False)
    )
    return HandedOver(moved=refiled + int(getattr(result, "rowcount", 0) or 0), cancelled=cancelled)


def cancel_pending_of(session: Session, contact_id: int, *, now: datetime) -> int:
    """Cancel the contact's pending rows (they left, and nobody takes them over), and their waiting
    digests with the reminders in them."""
    leaver = col(Notification.contact_id) == contact_id
    cancelled = _cancel(session, leaver, now=now, reason=LEFT)
    _cancel_rows(session, leaver, col(Notification.kind) == DIGEST, _waiting(), now=now, reason=LEFT)
    return cancelled


def _strategy_of_notice(session: Session, leaver: Contact) -> int | None:
    led = select(func.min(col(Strategy.id))).where(
        col(Strategy.lead_institution_id) == leaver.institution_id, col(Strategy.stage) != Stage.EXPIRY.value
    )
    heard = select(func.min(col(Notification.strategy_id))).where(col(Notification.contact_id) == leaver.id)
    found = [i for i in (session.scalar(led), session.scalar(heard)) if i is not None]
    return min(found) if found else None


def record_uncovered_roles(
    session: Session, deactivated: Deactivated, *, today: date, now: datetime
) -> list[int]:
    """A ``role_uncovered`` notice for each active escalation contact of the leaver's institution, naming
    the leaver and the roles nobody holds now; none if every role is still held. Returns the new row ids."""
    leaver = deactivated.leaver
    assert leaver.id is not None, "a deactivated contact was read from the database"
    if not deactivated.uncovered_roles:
        return []
    told = contacts_with_role(session, leaver.institution_id, "escalation")
    strategy_id = _strategy_of_notice(session, leaver) if told else None
    if strategy_id is None:
        return []
    institution = session.get(Institution, leaver.institution_id)
    notice = DueReminder(
        deadline=Deadline(f"contact:{leaver.id}:uncovered", ROLE_UNCOVERED, strategy_id, today),
        offset_days=0, kind=ROLE_UNCOVERED, send_on=today, escalate=True,
    )
    return record(session, notice, told, send_after=now, now=now, details={
        "contact_id": leaver.id, "contact_name": leaver.name, "contact_email": leaver.email,
        "institution_id": leaver.institution_id, "institution": institution.name if institution else "",
        "roles": list(deactivated.uncovered_roles), "deactivated_on": today.isoformat(),
    })


def deactivate_contact(
    session: Session, contact_id: int, command: ContactDeactivate, *, principal: Principal, now: datetime,
    today: date,
) -> Turnover:
    """Deactivate a person who left, in the caller's transaction (see the module).

    ``principal`` must be an admin or a coordinator; a coordinator acts for their own institution only
    (another's contact is not found, and so is another's handover contact) and deactivates no admin."""
    principal.require_role("coordinator")
    admin = principal.role == "admin"
    deactivated = deactivate(session, contact_id, command, now=now,
                             may_act_for=None if admin else principal.institution_id or -1,
                             may_deactivate_admins=admin)
    leaver, handover = deactivated.leaver, deactivated.handover
    assert leaver.id is not None
    if handover is not None:
        assert handover.id is not None
        handed = hand_over_pending(session, leaver_id=leaver.id, handover_id=handover.id, now=now)
    else:
        handed = HandedOver(moved=0, cancelled=cancel_pending_of(session, leaver.id, now=now))
    notices = record_uncovered_roles(session, deactivated, today=today, now=now)
    ended = end_sessions_of(session, leaver.id, now=now)
    session.flush()
    return Turnover(leaver, handover, handed.moved, handed.cancelled, deactivated.uncovered_roles, notices, ended)
