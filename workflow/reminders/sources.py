"""Where deadlines come from: the protocol every source implements, and the lifecycle's own source.

A source knows which deadline kinds it owns, which deadlines are live now (with who should
hear about them and on which offsets), and whether one ledger row's deadline is still live
(``recheck``: what to add to the one read before a send, ``reading.read_for_sending``, and how
to decide from it; ``still_live`` runs that read on its own).
Monitoring adds report due dates with a source of its own; ``workflow.scheduler.registry``
lists them all.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlmodel import Session, col

from workflow.core import Settings
from workflow.lifecycle import Stage, Strategy
from workflow.reminders.deadlines import LAPSE, STAGE_DUE_FIELDS, Deadline, strategy_deadlines
from workflow.reminders.models import Notification
from workflow.reminders.reading import Reading, Recheck, recheck_now
from workflow.reminders.timing import ReminderPolicy


@dataclass(frozen=True)
class LiveDeadline:
    deadline: Deadline
    institution_id: int
    recipient_role: str
    policy: ReminderPolicy
    escalation_institution_id: int | None = None  # whose escalation contacts hear late notices; default: institution_id


class DeadlineSource(Protocol):
    kinds: frozenset[str]

    def live(
        self, session: Session, settings: Settings, *, strategy_ids: Collection[int] | None = None
    ) -> Iterable[LiveDeadline]:
        """Every deadline that is live now; with ``strategy_ids``, only those of these strategies."""

    def still_live(self, session: Session, row: Notification) -> bool:
        """Whether the deadline ``row`` was recorded for still exists with the same due date."""

    def recheck(self, row: Notification) -> Recheck:
        """``still_live`` as part of the one read before a send: what to add to it, and the decision."""


def reminder_policy(strategy: Strategy, settings: Settings) -> ReminderPolicy:
    before = strategy.reminder_offsets if strategy.reminder_offsets is not None else settings.reminder_offsets
    after = strategy.overdue_offsets if strategy.overdue_offsets is not None else settings.overdue_offsets
    return ReminderPolicy.of(before, after, settings.escalate_after_days)


class StrategyDeadlines:
    """Stage due dates and lapse dates, for the lead institution's coordinators."""

    kinds = frozenset(STAGE_DUE_FIELDS.values()) | {LAPSE}

    def live(
        self, session: Session, settings: Settings, *, strategy_ids: Collection[int] | None = None
    ) -> Iterable[LiveDeadline]:
        query = select(Strategy).where(col(Strategy.stage) != Stage.EXPIRY.value).order_by(col(Strategy.id))
        if strategy_ids is not None:
            query = query.where(col(Strategy.id).in_(sorted(strategy_ids)))
        strategies = session.scalars(query)
        for strategy in strategies:
            policy = reminder_policy(strategy, settings)
            for deadline in strategy_deadlines(strategy):
                yield LiveDeadline(deadline, strategy.lead_institution_id, "coordinator", policy)

    def still_live(self, session: Session, row: Notification) -> bool:
        return recheck_now(session, row, self.recheck(row))

    def recheck(self, row: Notification) -> Recheck:
        """Everything it needs is the strategy's own fields, which every read has."""

        def holds(reading: Reading) -> bool:
            strategy = reading.strategy
            return strategy is not None and any(
                (d.key, d.due_on) == (row.deadline_key, row.due_on) for d in strategy_deadlines(strategy)
            )

        return Recheck(holds=holds)
