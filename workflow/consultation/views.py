"""A round as one reads it: its history, events, submissions with their answers, and the counts
the API, the console and the report show."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from workflow.calendar import WorkingCalendar
from workflow.consultation.models import ConsultationEvent, ConsultationRound, RoundChange
from workflow.consultation.records import Answered, events_of, submissions_of
from workflow.consultation.rounds import get_round, list_rounds, round_history, working_days_left
from workflow.consultation.states import RoundState


@dataclass(frozen=True)
class Counts:
    submissions: int
    answered: int
    unanswered: int
    accepted: int
    partly_accepted: int
    not_accepted: int
    late: int
    events: int
    participants: int
    participants_by_category: dict[str, int]
    submissions_by_category: dict[str, int]

    @classmethod
    def of(cls, events: list[ConsultationEvent], submissions: list[Answered]) -> Counts:
        decisions = Counter(a.response.decision for a in submissions if a.response is not None)
        by_category: Counter[str] = Counter()
        for event in events:
            by_category.update(event.participants)
        answered = sum(decisions.values())
        return cls(
            submissions=len(submissions), answered=answered, unanswered=len(submissions) - answered,
            accepted=decisions["accepted"], partly_accepted=decisions["partly_accepted"],
            not_accepted=decisions["not_accepted"], late=sum(1 for a in submissions if a.late),
            events=len(events), participants=sum(by_category.values()),
            participants_by_category=dict(sorted(by_category.items())),
            submissions_by_category=dict(sorted(Counter(a.submission.category for a in submissions).items())),
        )


@dataclass(frozen=True)
class RoundView:
    round: ConsultationRound
    history: list[RoundChange]
    events: list[ConsultationEvent]
    submissions: list[Answered]
    counts: Counts
    working_days: int  # working days counted so far (to closed_on once closed)
    working_days_left: int | None  # None once closed


def _view(session: Session, round_: ConsultationRound, submissions: list[Answered], today: date,
          calendar: WorkingCalendar) -> RoundView:
    assert round_.id is not None
    events = events_of(session, [round_.id])
    end = round_.closed_on or min(today, round_.closes_on)
    return RoundView(
        round=round_, history=round_history(session, round_.id), events=events, submissions=submissions,
        counts=Counts.of(events, submissions),
        working_days=calendar.working_days_between(round_.opened_on, end),
        working_days_left=None if round_.state == RoundState.CLOSED else working_days_left(round_, today, calendar),
    )


def round_view(session: Session, round_id: int, *, today: date, calendar: WorkingCalendar) -> RoundView:
    round_ = get_round(session, round_id)
    return _view(session, round_, submissions_of(session, [round_]), today, calendar)


def strategy_views(session: Session, strategy_id: int, *, today: date, calendar: WorkingCalendar) -> list[RoundView]:
    """Every round of a strategy, in order, each with what it gathered."""
    rounds = list_rounds(session, strategy_id)
    answered = submissions_of(session, rounds)
    return [
        _view(session, r, [a for a in answered if a.submission.round_id == r.id], today, calendar) for r in rounds
    ]
