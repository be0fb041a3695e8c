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

from collections.abc import Collection, Iterable, Iterator
from typing import Any

from sqlalchemy import Exists, Select, exists, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from workflow.consultation.models import ConsultationRound, Submission
from workflow.consultation.outstanding import answered
from workflow.consultation.states import RoundState
from workflow.core import Settings
from workflow.lifecycle import Stage, Strategy
from workflow.reminders import (
    NEVER,
    Deadline,
    LiveDeadline,
    Notification,
    Reading,
    Recheck,
    ReminderPolicy,
    recheck_now,
    reminder_policy,
)

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


_ROUND = aliased(ConsultationRound, name="deadline_round")  # read along with a row being re-checked


class RoundDeadlines:
    kinds = frozenset({ROUND_CLOSES, SUBMISSIONS_UNANSWERED})

    def live(
        self, session: Session, settings: Settings, *, strategy_ids: Collection[int] | None = None
    ) -> Iterable[LiveDeadline]:
        query = (
            select(ConsultationRound, Strategy)
            .join(Strategy, col(Strategy.id) == col(ConsultationRound.strategy_id))
            .where(col(Strategy.stage) == Stage.CONSULTATION.value)  # records can be acted on only then
            .order_by(col(ConsultationRound.id))
        )
        if strategy_ids is not None:
            query = query.where(col(Strategy.id).in_(sorted(strategy_ids)))
        rows = session.execute(query)
        for round_, strategy in rows:
            base = reminder_policy(strategy, settings)
            for deadline in _deadlines(session, round_):
                yield LiveDeadline(deadline, strategy.lead_institution_id, "coordinator",
                                   _policy(deadline, round_, base))

    def still_live(self, session: Session, row: Notification) -> bool:
        return recheck_now(session, row, self.recheck(row))

    def recheck(self, row: Notification) -> Recheck:
        """Live while the strategy is in consultation and the round has that deadline now: open
        with that closing day, or closed that day with a submission unanswered. The round and
        whether one is unanswered are read along with the row."""
        round_id = round_of_key(row.deadline_key)
        if round_id is None:
            return NEVER
        round_ = _ROUND

        def extend(query: Select[Any]) -> Select[Any]:
            return query.add_columns(round_, _unanswered(round_id).label("round_unanswered")).outerjoin(
                round_, col(round_.id) == round_id
            )

        def holds(reading: Reading) -> bool:
            found, strategy = reading.values["deadline_round"], reading.strategy
            if found is None or strategy is None or strategy.stage != Stage.CONSULTATION.value:
                return False
            if found.state == RoundState.OPEN:
                deadline = (round_deadline_key(round_id, "closes"), found.closes_on)
            elif found.closed_on is not None and reading.values["round_unanswered"]:
                deadline = (round_deadline_key(round_id, "unanswered"), found.closed_on)
            else:
                return False
            return deadline == (row.deadline_key, row.due_on)

        return Recheck(holds=holds, extend=extend)
