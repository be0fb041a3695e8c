"""The lifecycle's consultation port, answered from the records: a strategy goes for approval
only with every round closed and every submission answered (``lifecycle.ConsultationRecords``)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Exists, ScalarSelect, exists, func, or_, select
from sqlmodel import Session, col

from workflow.consultation.models import ConsultationRound, Submission, SubmissionResponse
from workflow.consultation.states import RoundState
from workflow.lifecycle import ConsultationRecords, Outstanding


def answered(on: date | None = None) -> Exists:
    """The submission in the enclosing query has an answer (given by ``on``, when it is set)."""
    given = exists().where(col(SubmissionResponse.submission_id) == col(Submission.id))
    return given if on is None else given.where(col(SubmissionResponse.responded_on) <= on)


class Records:
    """``RECORDS.outstanding(session, strategy_id, on)``: the rounds still open and the submissions
    still unanswered on the day ``on`` (a round closed, or an answer given, only later counts as
    open or unanswered then), by id."""

    def outstanding(self, session: Session, strategy_id: int, on: date) -> Outstanding:
        open_rounds = session.scalars(
            select(col(ConsultationRound.id))
            .where(
                col(ConsultationRound.strategy_id) == strategy_id,
                or_(col(ConsultationRound.state) == RoundState.OPEN, col(ConsultationRound.closed_on) > on),
            )
            .order_by(col(ConsultationRound.id))
        )
        unanswered = session.scalars(
            select(col(Submission.id))
            .join(ConsultationRound, col(ConsultationRound.id) == col(Submission.round_id))
            .where(col(ConsultationRound.strategy_id) == strategy_id, ~answered(on))
            .order_by(col(Submission.id))
        )
        return Outstanding(
            open_rounds=tuple(i for i in open_rounds if i is not None),
            unanswered_submissions=tuple(i for i in unanswered if i is not None),
        )


RECORDS: ConsultationRecords = Records()


def unanswered_in_round(session: Session, round_id: int, on: date) -> int:
    """How many of one round's submissions had no answer on ``on``."""
    return session.scalar(select(unanswered_count(round_id, on))) or 0


def unanswered_count(round_id: int, on: date) -> ScalarSelect[int]:
    """``unanswered_in_round`` as an expression, for a statement that reads it along with other things."""
    return (
        select(func.count())
        .select_from(Submission)
        .where(col(Submission.round_id) == round_id, ~answered(on))
        .scalar_subquery()
    )
