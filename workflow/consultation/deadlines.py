"""Consultation deadlines in the notification ledger (a ``DeadlineSource``).

* ``round_closes``: while a round is open, its closing day, keyed ``consultation:{round}:closes``.
  The lead institution's coordinators are reminded before it, on the offsets that fall within the
  round (a 90-day reminder for a 20-working-day round would arrive before it opened); no overdue
  notices: a round that has not been closed is closed when someone closes it.
* ``submissions_unanswered``: once a round is closed with submissions still unanswered, the day it
  closed, keyed ``consultation:{round}:unanswered``; overdue notices follow it (escalated like every
  late deadline) until every submission has its response.

Extending a round moves its closing day (pending reminders for the old day are cancelled); closing
it or answering the last submission takes the deadline out of the live set.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy import Exists, exists, select
from sqlmodel import Session, col

from workflow.consultation.models import ConsultationRound, Submission
from workflow.consultation.outstanding import answered
from workflow.consultation.states import RoundState
from workflow.core import Settings
from workflow.lifecycle import Stage, Strategy
from workflow.reminders import Deadline, LiveDeadline, Notification, ReminderPolicy, reminder_policy

ROUND_CLOSES = "round_closes"
SUBMISSIONS_UNANSWERED = "submissions_unanswered"


def round_deadline_key(round_id: int, what: str) -> str:
    return f"consultation:{round_id}:{what}"


def round_of_key(key: str) -> int | None:
    """The round's id in a consultation deadline key, or None for any other key."""
    parts = key.split(":")
    return int(parts[1]) if len(parts) == 3 and parts[0] == "consultation" and parts[1].isdigit() else None


def _unanswered(round_id: int) -> Exists:
    return exists().where(col(Submission.round_id) == round_id, ~answered())


def _deadlines(session: Session, round_: ConsultationRound) -> Iterator[Deadline]:
    assert round_.id is not None
    if round_.state == RoundState.OPEN:
        yield Deadline(round_deadline_key(round_.id, "closes"), ROUND_CLOSES, round_.strategy_id, round_.closes_on)
    elif round_.closed_on is not None and session.scalar(select(_unanswered(round_.id))):
        yield Deadline(round_deadline_key(round_.id, "unanswered"), SUBMISSIONS_UNANSWERED, round_.strategy_id,
                       round_.closed_on)


def _policy(deadline: Deadline, round_: ConsultationRound, base: ReminderPolicy) -> ReminderPolicy:
    if deadline.kind == ROUND_CLOSES:
        length = (round_.closes_on - round_.opened_on).days
        within = [offset for offset in base.before if offset < length] or [min(1, length)]
        return ReminderPolicy.of(within, [], base.escalate_after_days)
    return ReminderPolicy.of([], list(base.after), base.escalate_after_days)


class RoundDeadlines:
    kinds = frozenset({ROUND_CLOSES, SUBMISSIONS_UNANSWERED})

    def live(self, session: Session, settings: Settings) -> Iterable[LiveDeadline]:
        rows = session.execute(
            select(ConsultationRound, Strategy)
            .join(Strategy, col(Strategy.id) == col(ConsultationRound.strategy_id))
            .where(col(Strategy.stage) == Stage.CONSULTATION.value)  # records can be acted on only then
            .order_by(col(ConsultationRound.id))
        )
        for round_, strategy in rows:
            base = reminder_policy(strategy, settings)
            for deadline in _deadlines(session, round_):
                yield LiveDeadline(deadline, strategy.lead_institution_id, "coordinator",
                                   _policy(deadline, round_, base))

    def still_live(self, session: Session, row: Notification) -> bool:
        round_id = round_of_key(row.deadline_key)
        round_ = session.get(ConsultationRound, round_id) if round_id is not None else None
        strategy = session.get(Strategy, row.strategy_id)
        if round_ is None or strategy is None or strategy.stage != Stage.CONSULTATION.value:
            return False
        return any((d.key, d.due_on) == (row.deadline_key, row.due_on) for d in _deadlines(session, round_))
