"""A progress report's status as data: draft → submitted → accepted, or submitted → returned →
(edited) → submitted again. ``reports`` asks this table whether a move is allowed and where it
leads; the table also names each move's domain event and how its refusal reads."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from workflow.core import StateMachine


class ReportStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"


class ReportEvent(StrEnum):
    SUBMIT = "submit"
    ACCEPT = "accept"
    RETURN = "return"


@dataclass(frozen=True)
class ReportMove:
    event: ReportEvent
    sources: frozenset[ReportStatus]
    target: ReportStatus
    announced_as: str  # the outbox event type
    done: str  # "only a submitted report can be <done>"


REPORT_MOVES: dict[ReportEvent, ReportMove] = {
    move.event: move
    for move in (
        ReportMove(
            ReportEvent.SUBMIT,
            frozenset({ReportStatus.DRAFT, ReportStatus.RETURNED}),
            ReportStatus.SUBMITTED,
            "report_submitted",
            "submitted",
        ),
        ReportMove(
            ReportEvent.ACCEPT,
            frozenset({ReportStatus.SUBMITTED}),
            ReportStatus.ACCEPTED,
            "report_accepted",
            "accepted",
        ),
        ReportMove(
            ReportEvent.RETURN,
            frozenset({ReportStatus.SUBMITTED}),
            ReportStatus.RETURNED,
            "report_returned",
            "returned",
        ),
    )
}

REPORTS: StateMachine[ReportStatus, ReportEvent, ReportMove] = StateMachine(
    name="progress report",
    states=ReportStatus,
    initial=ReportStatus.DRAFT,
    final=frozenset({ReportStatus.ACCEPTED}),
    moves=REPORT_MOVES,
)

EDITABLE = frozenset({ReportStatus.DRAFT, ReportStatus.RETURNED})  # whose content may still be written
HANDED_IN = frozenset({ReportStatus.SUBMITTED, ReportStatus.ACCEPTED})  # what counts as submitted on time
REPORT_STATUSES = tuple(status.value for status in ReportStatus)
