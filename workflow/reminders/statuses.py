"""A ledger row's status as data: the states, the events that move them and the table of moves.

``pending`` rows wait for their send time; the scheduler pass ``hand_out``s a due one to the
queue (still ``pending``, marked queued for a while, so the next pass does not hand it out again;
a row whose claim lease ran out comes back to ``pending`` the same way); a worker ``claim``s it
(``sending``, under a lease: a claim whose worker died is handed out again once the lease has
passed), then records the outcome:
``sent`` once the server accepted the message, ``pending`` again for a temporary failure (later),
``failed`` when retrying cannot help, ``cancelled`` when the reminder no longer applies.

A row for someone who takes a daily or weekly digest is recorded ``held`` instead (``hold``, as it
is inserted): the pass gathers the held rows due into one digest row per person and day
(``workflow.reminders.digests``), which is handed out, claimed and sent like any other row; its
members are closed with it (``send_in_digest``, or ``fail`` and ``cancel``). A held row whose person
takes single emails again is ``release``d to ``pending``. ``merged``: what the row says went in
another row's email about the same lapse the same day (``workflow.reminders.same_day``), which its
``carrier_id`` names: closed, but not final, since a carrier that ends ``cancelled`` or ``failed``
never said it, and its merged rows are ``unmerge``d to ``pending`` (due at once) with that outcome;
``postpone`` moves a pending row to a later send time.
Every status write in ``ledger`` and ``delivery`` is a conditional UPDATE on the sources this
table gives for its event.
"""

from __future__ import annotations

from enum import StrEnum

from workflow.core import StateMachine, Step


class NotificationStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"
    HELD = "held"
    MERGED = "merged"


class NotificationEvent(StrEnum):
    HAND_OUT = "hand_out"
    CLAIM = "claim"
    MARK_SENT = "mark_sent"
    RETRY_LATER = "retry_later"
    FAIL = "fail"
    CANCEL = "cancel"
    HOLD = "hold"
    RELEASE = "release"
    SEND_IN_DIGEST = "send_in_digest"
    MERGE = "merge"
    POSTPONE = "postpone"
    UNMERGE = "unmerge"


_PENDING, _SENDING, _HELD = NotificationStatus.PENDING, NotificationStatus.SENDING, NotificationStatus.HELD
NotificationStep = Step[NotificationStatus, NotificationEvent]

NOTIFICATION_MOVES: dict[NotificationEvent, NotificationStep] = {
    step.event: step
    for step in (
        Step(NotificationEvent.HAND_OUT, frozenset({_PENDING, _SENDING}), _PENDING),
        Step(NotificationEvent.CLAIM, frozenset({_PENDING, _SENDING}), _SENDING),
        Step(NotificationEvent.MARK_SENT, frozenset({_SENDING}), NotificationStatus.SENT),
        Step(NotificationEvent.RETRY_LATER, frozenset({_SENDING}), _PENDING),
        Step(NotificationEvent.FAIL, frozenset({_SENDING, _HELD}), NotificationStatus.FAILED),
        Step(NotificationEvent.CANCEL, frozenset({_PENDING, _SENDING, _HELD}), NotificationStatus.CANCELLED),
        Step(NotificationEvent.HOLD, frozenset({_PENDING}), _HELD),
        Step(NotificationEvent.RELEASE, frozenset({_HELD}), _PENDING),
        Step(NotificationEvent.SEND_IN_DIGEST, frozenset({_HELD}), NotificationStatus.SENT),
        Step(NotificationEvent.MERGE, frozenset({_PENDING, _HELD}), NotificationStatus.MERGED),
        Step(NotificationEvent.POSTPONE, frozenset({_PENDING}), _PENDING),
        Step(NotificationEvent.UNMERGE, frozenset({NotificationStatus.MERGED}), _PENDING),
    )
}

NOTIFICATIONS: StateMachine[NotificationStatus, NotificationEvent, NotificationStep] = StateMachine(
    name="notification",
    states=NotificationStatus,
    initial=_PENDING,
    final=frozenset({NotificationStatus.SENT, NotificationStatus.FAILED, NotificationStatus.CANCELLED}),
    moves=NOTIFICATION_MOVES,
)

NOTIFICATION_STATUSES = tuple(status.value for status in NotificationStatus)
# Closed: nothing of the row is to be sent as it stands (a merged row only reopens with its carrier's outcome).
CLOSED_NOTIFICATION_STATUSES = NOTIFICATIONS.final | {NotificationStatus.MERGED}
# The statuses a row can be due in (the ledger's partial index on ``due_at``).
ACTIVE_NOTIFICATION_STATUSES = tuple(s.value for s in NotificationStatus if s not in CLOSED_NOTIFICATION_STATUSES)
