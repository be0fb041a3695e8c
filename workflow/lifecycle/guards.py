"""Guards: pure checks of a strategy and a transition request at a given day.

A guard returns nothing when the transition may proceed and raises a typed domain error when
it may not: ``ValidationFailed`` (422) when the request lacks something, pointing at the field,
``GuardRefused`` (409) when the strategy is not ready yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlmodel import Session

from workflow.calendar import WorkingCalendar
from workflow.core import FieldError, GuardRefused, ValidationFailed, future_detail


class GuardedStrategy(Protocol):
    """What a guard reads of the strategy (a ``Strategy`` row is one)."""

    @property
    def stage_entered_on(self) -> date | None: ...

    @property
    def period_end(self) -> date: ...


class GuardedRequest(Protocol):
    """What a guard reads of the request (a ``TransitionRequest`` is one)."""

    @property
    def comment(self) -> str | None: ...

    @property
    def approval_reference(self) -> str | None: ...

    @property
    def approval_reference_unknown(self) -> bool: ...

    @property
    def approved_on(self) -> date | None: ...

    @property
    def reason(self) -> str | None: ...


EXPIRY_REASONS = ("superseded", "terminated")


@dataclass(frozen=True)
class Outstanding:
    """What a strategy's consultation records still lack before it may go for approval."""

    open_rounds: tuple[int, ...] = ()
    unanswered_submissions: tuple[int, ...] = ()

    @property
    def settled(self) -> bool:
        return not self.open_rounds and not self.unanswered_submissions


class ConsultationRecords(Protocol):
    """The port through which the lifecycle asks about consultation rounds, which build on it
    (``workflow.consultation.RECORDS`` answers)."""

    def outstanding(self, session: Session, strategy_id: int, on: date) -> Outstanding:
        """What is still open or unanswered on the day ``on`` (the transition's effective day)."""


@dataclass(frozen=True)
class GuardInput:
    """``calendar`` and ``outstanding`` are given to the guards that read them (``Transition.reads_consultation``)."""

    strategy: GuardedStrategy
    request: GuardedRequest
    effective_on: date
    today: date
    min_consultation_days: int
    calendar: WorkingCalendar | None
    outstanding: Outstanding | None = None


def always(_: GuardInput) -> None:
    return None


def comment_given(given: GuardInput) -> None:
    if not (given.request.comment or "").strip():
        raise ValidationFailed.field("#/comment", "a comment is required to return a draft")


def required_consultation_days(own: int | None, default: int) -> int:
    """The working days a strategy's consultation lasts at least: its own minimum, else the deployment's."""
    return default if own is None else own


@dataclass(frozen=True)
class ConsultationProgress:
    """How long a consultation opened on ``opened_on`` has lasted on a day, against its minimum."""

    opened_on: date
    working_days: int
    required_working_days: int
    earliest_on: date

    @property
    def long_enough(self) -> bool:
        return self.working_days >= self.required_working_days


def consultation_progress(
    opened: date | None, on: date, required: int, calendar: WorkingCalendar
) -> ConsultationProgress | None:
    """None when there is nothing to count: no recorded opening, or no minimum."""
    if opened is None or required == 0:
        return None
    return ConsultationProgress(
        opened_on=opened,
        working_days=calendar.working_days_between(opened, on),
        required_working_days=required,
        earliest_on=calendar.add_working_days(opened, required),
    )


def consultation_complete(given: GuardInput) -> None:
    """Long enough, every round closed and every submission answered; a refusal names all that is missing."""
    refusals = []
    for check in (consultation_long_enough, consultation_settled):
        try:
            check(given)
        except GuardRefused as refused:
            refusals.append(refused)
    if len(refusals) == 1:
        raise refusals[0]
    if refusals:
        merged = {key: value for refused in refusals for key, value in refused.extensions.items()}
        raise GuardRefused("; and ".join(refused.detail for refused in refusals), **merged)


def consultation_settled(given: GuardInput) -> None:
    outstanding = given.outstanding
    if outstanding is None:
        raise RuntimeError("submit_for_approval needs the strategy's consultation records (pass consultation=)")
    if outstanding.settled:
        return
    missing = []
    if outstanding.open_rounds:
        rounds = ", ".join(str(i) for i in outstanding.open_rounds)
        missing.append(f"close the open consultation round (id {rounds})")
    if outstanding.unanswered_submissions:
        missing.append(
            "answer every submission (unanswered: id " + ", ".join(str(i) for i in outstanding.unanswered_submissions)
            + ")"
        )
    raise GuardRefused(
        "the consultation is not finished: " + "; ".join(missing),
        open_rounds=list(outstanding.open_rounds),
        unanswered_submissions=list(outstanding.unanswered_submissions),
    )


def consultation_long_enough(given: GuardInput) -> None:
    if given.calendar is None:
        raise RuntimeError("submit_for_approval counts working days: it needs the working calendar")
    progress = consultation_progress(
        given.strategy.stage_entered_on, given.effective_on, given.min_consultation_days, given.calendar
    )
    if progress is not None and not progress.long_enough:
        raise GuardRefused(
            f"consultation opened on {progress.opened_on.isoformat()} has lasted {progress.working_days} working "
            f"days; at least {progress.required_working_days} are required, so it can be submitted for approval "
            f"from {progress.earliest_on.isoformat()}",
            working_days=progress.working_days,
            required_working_days=progress.required_working_days,
            earliest_on=progress.earliest_on.isoformat(),
        )


APPROVAL_REFERENCE_REQUIRED = "the approval act is required, e.g. 'DCM No. 400', or mark its number as unknown"
APPROVAL_REFERENCE_BOTH = "give the approval act or mark its number as unknown, not both"


def approval_recorded(given: GuardInput) -> None:
    """The act and its date; an act whose number is not known is recorded as unknown
    (``approval_reference_unknown``), never as a placeholder reference."""
    request = given.request
    errors: list[FieldError] = []
    given_reference = bool((request.approval_reference or "").strip())
    if request.approval_reference_unknown and given_reference:
        errors.append(FieldError("#/approval_reference_unknown", APPROVAL_REFERENCE_BOTH))
    elif not (given_reference or request.approval_reference_unknown):
        errors.append(FieldError("#/approval_reference", APPROVAL_REFERENCE_REQUIRED))
    if request.approved_on is None:
        errors.append(FieldError("#/approved_on", "the date of the approval act is required"))
    elif request.approved_on > given.today:
        errors.append(FieldError("#/approved_on", future_detail(given.today)))
    elif given.strategy.stage_entered_on and request.approved_on < given.strategy.stage_entered_on:
        errors.append(
            FieldError(
                "#/approved_on",
                f"must not precede the submission for approval on {given.strategy.stage_entered_on.isoformat()}",
            )
        )
    if errors:
        raise ValidationFailed(errors)


def may_expire(given: GuardInput) -> None:
    reason = given.request.reason
    if reason is not None and reason not in EXPIRY_REASONS:
        raise ValidationFailed.field("#/reason", f"must be one of: {', '.join(EXPIRY_REASONS)}")
    if reason is None and given.effective_on <= given.strategy.period_end:
        raise GuardRefused(
            f"the period runs until {given.strategy.period_end.isoformat()}; "
            "to end it early give a reason: 'superseded' or 'terminated'",
            period_end=given.strategy.period_end.isoformat(),
        )
