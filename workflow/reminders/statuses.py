"""A ledger row's status as data: the states, the events that move them and the table of moves.

``pending`` rows wait for their send time; the scheduler pass ``hand_out``s a due one to the
queue (still ``pending``, marked queued for a while, so the next pass does not hand it out again;
a row whose claim lease ran out comes back to ``pending`` the same way); a worker ``claim``s it
(``sending``, under a lease: a claim whose worker died is handed out again once the lease has
passed), then records the outcome:
``sent`` once the server accepted the message, ``pending`` again for a temporary failure (later),
``failed`` when retrying cannot help, ``cancelled`` when the reminder no longer applies.
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


class NotificationEvent(StrEnum):
    HAND_OUT = "hand_out"
    CLAIM = "claim"
    MARK_SENT = "mark_sent"
    RETRY_LATER = "retry_later"
    FAIL = "fail"
    CANCEL = "cancel"


_PENDING, _SENDING = NotificationStatus.PENDING, NotificationStatus.SENDING
NotificationStep = Step[NotificationStatus, NotificationEvent]

NOTIFICATION_MOVES: dict[NotificationEvent, NotificationStep] = {
    step.event: step
    for step in (
        Step(NotificationEvent.HAND_OUT, frozenset({_PENDING, _SENDING}), _PENDING),
        Step(NotificationEvent.CLAIM, frozenset({_PENDING, _SENDING}), _SENDING),
        Step(NotificationEvent.MARK_SENT, frozenset({_SENDING}), NotificationStatus.SENT),
        Step(NotificationEvent.RETRY_LATER, frozenset({_SENDING}), _PENDING),
        Step(NotificationEvent.FAIL, frozenset({_SENDING}), NotificationStatus.FAILED),
        Step(NotificationEvent.CANCEL, frozenset({_PENDING, _SENDING}), NotificationStatus.CANCELLED),
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
ACTIVE_NOTIFICATION_STATUSES = tuple(s.value for s in NotificationStatus if s not in NOTIFICATIONS.final)
