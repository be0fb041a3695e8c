"""Who may write consultation records, the same through every adapter.

Coordinators of the strategy's lead institution write a strategy's rounds, events, submissions
and responses (the rule transitions follow); admins write everything. Everyone who may read the
strategy reads its records. Stakeholder categories are reference data: admins add them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from workflow.consultation.models import ConsultationRound
from workflow.consultation.states import ROUNDS, RoundEvent, RoundState
from workflow.core import Forbidden
from workflow.lifecycle import Actor, Stage, Strategy

WRITER_ROLES = ("admin", "coordinator")


def require_records_writer(actor: Actor, strategy: Strategy) -> None:
    if actor.role not in WRITER_ROLES:
        raise Forbidden(
            f"a {actor.role} may not record consultations; coordinators of the lead institution "
            f"({strategy.lead_institution_id}) of strategy {strategy.id} may"
        )
    actor.require_institution(strategy.lead_institution_id, f"strategy {strategy.id}")


def require_admin(actor: Actor, what: str) -> None:
    if actor.role != "admin":
        raise Forbidden(f"only an admin may {what}")


def may_write_records(actor: Actor, strategy: Strategy) -> bool:
    try:
        require_records_writer(actor, strategy)
    except Forbidden:
        return False
    return True


@dataclass(frozen=True)
class RoundActions:
    """What ``actor`` may do to a round now, by the rules its services apply (so a page offers no
    form that would be refused): record events, submissions and answers, extend it, close it."""

    record: bool
    extend: bool
    close: bool


def round_actions(actor: Actor, strategy: Strategy, round_: ConsultationRound, today: date) -> RoundActions:
    writer = may_write_records(actor, strategy)
    in_consultation = strategy.stage == Stage.CONSULTATION.value
    return RoundActions(
        record=writer and in_consultation,  # records are kept while the strategy is in consultation
        extend=writer and in_consultation and ROUNDS.allows(round_.state, RoundEvent.EXTEND)
        and today <= round_.closes_on,  # decided by the closing day
        close=writer and ROUNDS.allows(round_.state, RoundEvent.CLOSE)  # in any stage,
        and today >= round_.closes_on,  # from the closing day
    )


def may_open_round(actor: Actor, strategy: Strategy, rounds: Sequence[ConsultationRound]) -> bool:
    """A writer, the strategy in consultation, and no round of it still open."""
    return (
        may_write_records(actor, strategy)
        and strategy.stage == Stage.CONSULTATION.value
        and not any(r.state == RoundState.OPEN for r in rounds)
    )
