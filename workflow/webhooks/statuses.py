"""A webhook delivery's status as data: the states, the events that move them and the table of moves.

A delivery is ``pending`` from the fan-out until it is due; the scheduler pass ``hand_out``s a due
one to the webhook queue (still ``pending``, marked queued for a while; a ``sending`` one whose
claim lease ran out comes back the same way); a worker ``claim``s it (``sending``, under a lease),
posts it and records the outcome: ``delivered`` on a 2xx answer, ``pending`` again for a failure
worth retrying (later, with backoff), ``failed`` once the backoff is spent or the receiver answered
410 Gone, ``cancelled`` when its subscription was disabled or no longer wants its event type.

No status is final: an admin may ``redeliver`` any delivery that is not being sent, a delivered
or failed one included (the receiver lost it, or was fixed). Every status write in this topic is
a conditional UPDATE on the sources this table gives for its event (``workflow.webhooks.moves``).
"""

from __future__ import annotations

from enum import StrEnum

from workflow.core import StateMachine, Step


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    DELIVERED = "delivered"
    FAILED = "failed"
    CANCELLED = "cancelled"


class DeliveryEvent(StrEnum):
    HAND_OUT = "hand_out"
    CLAIM = "claim"
    MARK_DELIVERED = "mark_delivered"
    RETRY_LATER = "retry_later"
    FAIL = "fail"
    CANCEL = "cancel"
    REDELIVER = "redeliver"


_PENDING, _SENDING = DeliveryStatus.PENDING, DeliveryStatus.SENDING
_DONE = frozenset({DeliveryStatus.DELIVERED, DeliveryStatus.FAILED, DeliveryStatus.CANCELLED})
DeliveryStep = Step[DeliveryStatus, DeliveryEvent]

DELIVERY_MOVES: dict[DeliveryEvent, DeliveryStep] = {
    step.event: step
    for step in (
        Step(DeliveryEvent.HAND_OUT, frozenset({_PENDING, _SENDING}), _PENDING),
        Step(DeliveryEvent.CLAIM, frozenset({_PENDING, _SENDING}), _SENDING),
        Step(DeliveryEvent.MARK_DELIVERED, frozenset({_SENDING}), DeliveryStatus.DELIVERED),
        Step(DeliveryEvent.RETRY_LATER, frozenset({_SENDING}), _PENDING),
        Step(DeliveryEvent.FAIL, frozenset({_SENDING}), DeliveryStatus.FAILED),
        Step(DeliveryEvent.CANCEL, frozenset({_PENDING, _SENDING}), DeliveryStatus.CANCELLED),
        Step(DeliveryEvent.REDELIVER, _DONE | {_PENDING}, _PENDING),
    )
}

DELIVERIES: StateMachine[DeliveryStatus, DeliveryEvent, DeliveryStep] = StateMachine(
    name="webhook delivery",
    states=DeliveryStatus,
    initial=_PENDING,
    final=frozenset(),
    moves=DELIVERY_MOVES,
)

DELIVERY_STATUSES = tuple(status.value for status in DeliveryStatus)
# The statuses in which a delivery has a ``due_at`` (its next hand-out, or its claim lease's end).
WAITING_STATUSES = (_PENDING.value, _SENDING.value)
