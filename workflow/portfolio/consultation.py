"""A portfolio file's consultation rounds, recorded through the consultation services as an admin
importing history would record them, each record flagged illustrative: the file gives who was
consulted and what they said in summary, not the records themselves. Their dates are approximate,
like the stage changes around them."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from workflow.access import Principal
from workflow.consultation import (
    EventCreate,
    ResponseCreate,
    RoundClose,
    RoundOpen,
    SubmissionCreate,
    close_round,
    open_round,
    record_event_of_round,
    record_submission,
    respond,
)
from workflow.core import Settings
from workflow.portfolio.schema import ConsultationRound


def seed_rounds(
    session: Session, strategy_id: int, rounds: list[ConsultationRound], *, actor: str, settings: Settings,
    now: datetime,
) -> int:
    """Record ``rounds`` on a strategy in consultation; returns how many records were made."""
    importer = Principal(name=actor, role="admin", institution_id=None)
    made = 0
    for item in rounds:
        opened = open_round(
            session, importer, strategy_id,
            RoundOpen(opened_on=item.opened_on, channel=item.channels, illustrative=True,
                      effective_on_approximate=True),
            settings=settings, now=now,
        )
        assert opened.id is not None, "open_round flushes, so the row has its id"
        for event in item.events:
            record_event_of_round(
                session, importer, opened.id,
                EventCreate(date=event.date, kind=event.kind, place=event.place, participants=event.participants,
                            illustrative=True),
                settings=settings, now=now,
            )
        for entry in item.submissions:
            submission = record_submission(
                session, importer, opened.id,
                SubmissionCreate(submitted_by=entry.submitted_by, organisation=entry.organisation,
                                 category=entry.category, received_on=entry.received_on, summary=entry.summary,
                                 illustrative=True),
                settings=settings, now=now,
            )
            assert submission.id is not None, "record_submission flushes, so the row has its id"
            answer = entry.response
            respond(
                session, importer, submission.id,
                ResponseCreate(decision=answer.decision, reason=answer.reason, responded_on=answer.responded_on,
                               effective_on_approximate=True),
                settings=settings, now=now,
            )
        close_round(session, importer, opened.id, RoundClose(closed_on=item.closed_on), settings=settings, now=now)
        made += 1 + len(item.events) + 2 * len(item.submissions)
    return made
