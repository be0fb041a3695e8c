"""Where deadlines come from. The scheduler and the sender ask every registered source.

A source knows which deadline kinds it owns, which deadlines are live now (with who should
hear about them and on which offsets), and whether one ledger row's deadline is still live.
Monitoring adds report due dates by registering one more source; nothing else changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlmodel import Session

from workflow.deadlines import LAPSE, STAGE_DUE_FIELDS, Deadline, strategy_deadlines
from workflow.models import Notification, Strategy
from workflow.monitoring.report_deadlines import ReportDeadlines
from workflow.reminders import ReminderPolicy
from workflow.settings import Settings
from workflow.stages import Stage


@dataclass(frozen=True)
class LiveDeadline:
    deadline: Deadline
    institution_id: int
    recipient_role: str
    policy: ReminderPolicy
    escalation_institution_id: int | None = None  # whose escalation contacts hear late notices; default: institution_id


class DeadlineSource(Protocol):
    kinds: frozenset[str]

    def live(self, session: Session, settings: Settings) -> Iterable[LiveDeadline]:
        """Every deadline that is live now."""

    def still_live(self, session: Session, row: Notification) -> bool:
        """Whether the deadline ``row`` was recorded for still exists with the same due date."""


def reminder_policy(strategy: Strategy, settings: Settings) -> ReminderPolicy:
    before = strategy.reminder_offsets if strategy.reminder_offsets is not None else settings.reminder_offsets
    after = strategy.overdue_offsets if strategy.overdue_offsets is not None else settings.overdue_offsets
    return ReminderPolicy.of(before, after, settings.escalate_after_days)


class StrategyDeadlines:
    """Stage due dates and lapse dates, for the lead institution's coordinators."""

    kinds = frozenset(STAGE_DUE_FIELDS.values()) | {LAPSE}

    def live(self, session: Session, settings: Settings) -> Iterable[LiveDeadline]:
        strategies = session.scalars(select(Strategy).where(Strategy.stage != Stage.EXPIRY.value).order_by(Strategy.id))
        for strategy in strategies:
            policy = reminder_policy(strategy, settings)
            for deadline in strategy_deadlines(strategy):
                yield LiveDeadline(deadline, strategy.lead_institution_id, "coordinator", policy)

    def still_live(self, session: Session, row: Notification) -> bool:
        strategy = session.get(Strategy, row.strategy_id)
        return strategy is not None and any(
            (d.key, d.due_on) == (row.deadline_key, row.due_on) for d in strategy_deadlines(strategy)
        )


SOURCES: list[DeadlineSource] = [StrategyDeadlines(), ReportDeadlines()]


def source_for(kind: str) -> DeadlineSource | None:
    return next((s for s in SOURCES if kind in s.kinds), None)
