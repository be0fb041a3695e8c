"""What a round gathers: its events (who came, by stakeholder category), the submissions received
and the response to each.

They are recorded while the strategy is in consultation (once it has gone on, the report is what
it was). A submission is received on or after the round opened; one received after the closing
day is kept and marked ``late`` (the law asks for comments within the period, the report shows
which were not). A response says whether the comment was accepted, and why not whenever it was
not fully accepted; responses are appended, the latest is the answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from workflow.consultation.access import require_records_writer
from workflow.consultation.categories import known_codes
from workflow.consultation.models import ConsultationEvent, ConsultationRound, Submission, SubmissionResponse
from workflow.consultation.requests import EventCreate, ResponseCreate, SubmissionCreate
from workflow.consultation.rounds import get_round, require_consultation_stage
from workflow.core import (
    FieldError,
    Settings,
    ValidationFailed,
    future_detail,
    get_or_not_found,
    local_date,
    record_event,
)
from workflow.lifecycle import Actor, Strategy, lock_strategy


@dataclass(frozen=True)
class Answered:
    """A submission with its current response (None: unanswered) and whether it came late."""

    submission: Submission
    response: SubmissionResponse | None
    late: bool


def _writable_round(session: Session, actor: Actor, round_id: int, what: str) -> tuple[ConsultationRound, Strategy]:
    round_ = get_round(session, round_id)
    strategy = lock_strategy(session, round_.strategy_id)
    require_records_writer(actor, strategy)
    require_consultation_stage(strategy, what)
    return round_, strategy


def record_event_of_round(
    session: Session, actor: Actor, round_id: int, command: EventCreate, *, settings: Settings, now: datetime
) -> ConsultationEvent:
    round_, _ = _writable_round(session, actor, round_id, "consultation events are recorded")
    today = local_date(now, settings.zone)
    errors: list[FieldError] = []
    if command.date > today:
        errors.append(FieldError("#/date", future_detail(today)))
    elif not round_.opened_on <= command.date <= round_.closes_on:
        errors.append(FieldError(
            "#/date", f"must lie within the round, {round_.opened_on.isoformat()} to {round_.closes_on.isoformat()}"
        ))
    known = known_codes(session)
    errors += [FieldError(f"#/participants/{code}", "not a stakeholder category; see GET /stakeholder-categories")
               for code in command.participants if code not in known]
    if errors:
        raise ValidationFailed(errors)
    assert round_.id is not None
    row = ConsultationEvent(
        round_id=round_.id, held_on=command.date, kind=command.kind, place=command.place,
        participants=dict(command.participants), illustrative=command.illustrative, actor=actor.name, recorded_at=now,
    )
    session.add(row)
    session.flush()
    _announce(session, "consultation_event_recorded", round_, actor.name, now, event_id=row.id, kind=row.kind,
              date=row.held_on.isoformat())
    return row


def record_submission(
    session: Session, actor: Actor, round_id: int, command: SubmissionCreate, *, settings: Settings, now: datetime
) -> Submission:
    round_, _ = _writable_round(session, actor, round_id, "submissions are recorded")
    today = local_date(now, settings.zone)
    errors: list[FieldError] = []
    if command.received_on > today:
        errors.append(FieldError("#/received_on", future_detail(today)))
    elif command.received_on < round_.opened_on:
        errors.append(FieldError(
            "#/received_on", f"must not precede the round's opening on {round_.opened_on.isoformat()}"
        ))
    if command.category not in known_codes(session):
        errors.append(FieldError("#/category", "not a stakeholder category; see GET /stakeholder-categories"))
    if errors:
        raise ValidationFailed(errors)
    assert round_.id is not None
    row = Submission(
        round_id=round_.id, submitted_by=command.submitted_by, organisation=command.organisation,
        category=command.category, received_on=command.received_on, summary=command.summary,
        illustrative=command.illustrative, actor=actor.name, recorded_at=now,
    )
    session.add(row)
    session.flush()
    _announce(session, "consultation_submission_recorded", round_, actor.name, now, submission_id=row.id,
              category=row.category, late=is_late(row, round_))
    return row


def respond(
    session: Session, actor: Actor, submission_id: int, command: ResponseCreate, *, settings: Settings, now: datetime
) -> SubmissionResponse:
    submission = get_submission(session, submission_id)
    round_, _ = _writable_round(session, actor, submission.round_id, "submissions are answered")
    today = local_date(now, settings.zone)
    responded_on = command.responded_on or today
    errors: list[FieldError] = []
    if command.decision != "accepted" and command.reason is None:
        errors.append(FieldError("#/reason", f"a reason is required when a comment is {command.decision}"))
    if responded_on > today:
        errors.append(FieldError("#/responded_on", future_detail(today)))
    elif responded_on < submission.received_on:
        errors.append(FieldError(
            "#/responded_on", f"must not precede the submission, received on {submission.received_on.isoformat()}"
        ))
    if errors:
        raise ValidationFailed(errors)
    assert submission.id is not None
    row = SubmissionResponse(
        submission_id=submission.id, decision=command.decision, reason=command.reason, responded_on=responded_on,
        actor=actor.name, effective_on_approximate=command.effective_on_approximate, recorded_at=now,
    )
    session.add(row)
    session.flush()
    _announce(session, "consultation_response_recorded", round_, actor.name, now, submission_id=submission.id,
              response_id=row.id, decision=row.decision)
    return row


def _announce(
    session: Session, type_: str, round_: ConsultationRound, actor: str, now: datetime, **extra: object
) -> None:
    record_event(session, type_, strategy_id=round_.strategy_id, at=now,
                 payload={"round_id": round_.id, "actor": actor, **extra})


def is_late(submission: Submission, round_: ConsultationRound) -> bool:
    return submission.received_on > round_.closes_on


def get_submission(session: Session, submission_id: int) -> Submission:
    return get_or_not_found(session, Submission, submission_id, "submission")


def events_of(session: Session, round_ids: Iterable[int]) -> list[ConsultationEvent]:
    query = select(ConsultationEvent).where(col(ConsultationEvent.round_id).in_(list(round_ids)))
    return list(session.scalars(query.order_by(col(ConsultationEvent.held_on), col(ConsultationEvent.id))))


def responses_of(session: Session, submission_id: int) -> list[SubmissionResponse]:
    """Every response given to a submission, oldest first (the last is its answer)."""
    query = select(SubmissionResponse).where(col(SubmissionResponse.submission_id) == submission_id)
    return list(session.scalars(query.order_by(col(SubmissionResponse.id))))


def submissions_of(session: Session, rounds: Iterable[ConsultationRound]) -> list[Answered]:
    """The rounds' submissions in the order received, each with its current response."""
    by_id = {r.id: r for r in rounds}
    submissions = list(session.scalars(
        select(Submission).where(col(Submission.round_id).in_(list(by_id)))
        .order_by(col(Submission.received_on), col(Submission.id))
    ))
    latest: dict[int, SubmissionResponse] = {}
    if submissions:
        responses = session.scalars(
            select(SubmissionResponse).where(col(SubmissionResponse.submission_id).in_([s.id for s in submissions]))
            .order_by(col(SubmissionResponse.id))
        )
        latest = {r.submission_id: r for r in responses}
    return [
        Answered(s, latest.get(s.id) if s.id is not None else None, is_late(s, by_id[s.round_id]))
        for s in submissions
    ]

