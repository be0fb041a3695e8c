"""The guards on transitions and the rules on ``effective_on``; day counts run under a frozen clock."""

from datetime import date
from zoneinfo import ZoneInfo

import freezegun
import pytest
from sqlalchemy import func, select

from tests import factories as f
from workflow.calendar import WEEKDAYS_ONLY
from workflow.core import clock
from workflow.core.errors import GuardRefused, ValidationFailed
from workflow.core.outbox import OutboxEvent
from workflow.lifecycle.guards import GuardInput, may_expire
from workflow.lifecycle.models import StageChange, Strategy
from workflow.lifecycle.requests import TransitionRequest

TIRANE = ZoneInfo("Europe/Tirane")
TODAY = date(2026, 1, 5)


def _nothing_written(session, strategy_id: int, version: int) -> None:
    strategy = session.get(Strategy, strategy_id, populate_existing=True)
    assert strategy.version == version
    assert session.scalar(
        select(func.count()).select_from(StageChange).where(StageChange.strategy_id == strategy_id)
    ) == len(f.STEPS_TO_STAGE[strategy.stage])
    assert session.scalar(
        select(func.count()).select_from(OutboxEvent).where(OutboxEvent.type == "stage_changed")
    ) == len(f.STEPS_TO_STAGE[strategy.stage])


def _pointers(error: ValidationFailed) -> list[str]:
    return [e.pointer for e in error.errors]


# --- return_to_drafting -----------------------------------------------------------------------


@pytest.mark.parametrize("stage", ["consultation", "approval"])
@pytest.mark.parametrize("comment", [None, "", "   \n\t"])
def test_return_to_drafting_needs_a_comment(session, stage, comment):
    strategy = f.strategy_in_stage(session, f.institution(session), stage, today=TODAY)
    with pytest.raises(ValidationFailed) as refused:
        f.advance(session, strategy.id, "return_to_drafting", today=TODAY, comment=comment)
    assert refused.value.status == 422
    assert _pointers(refused.value) == ["#/comment"]
    _nothing_written(session, strategy.id, strategy.version)


def test_return_to_drafting_records_the_comment(session):
    strategy = f.strategy_in_stage(session, f.institution(session), "approval", today=TODAY)
    f.advance(session, strategy.id, "return_to_drafting", today=TODAY, comment="Cost the action plan.")
    change = session.scalars(select(StageChange).order_by(StageChange.id.desc())).first()
    assert (change.to_stage, change.comment) == ("drafting", "Cost the action plan.")


# --- submit_for_approval: consultation length in working days, on a frozen clock -------------


def _consultation_opened_on(session, opened: date, **fields) -> Strategy:
    strategy = f.strategy(session, f.institution(session), **fields)
    return f.advance(session, strategy.id, "submit_for_consultation", today=opened, effective_on=opened)


def _submit_now(session, strategy_id: int, default_min_days: int) -> Strategy:
    """What the API does: today from the one clock, effective_on left to default to it."""
    return f.advance(session, strategy_id, "submit_for_approval", today=clock.today(TIRANE), min_days=default_min_days)


@pytest.mark.parametrize(
    ("now", "lasted"),
    [
        ("2025-01-31 10:00", 19),  # Friday of the fourth week: Tue 7 Jan .. Fri 31 Jan (the opening day is day 0)
        ("2025-01-30 10:00", 18),
    ],
)
def test_submit_for_approval_is_refused_before_twenty_working_days(session, now, lasted):
    strategy = _consultation_opened_on(session, date(2025, 1, 6))
    with freezegun.freeze_time(now):
        with pytest.raises(GuardRefused) as refused:
            _submit_now(session, strategy.id, default_min_days=20)
    assert refused.value.status == 409
    assert refused.value.extensions == {
        "working_days": lasted,
        "required_working_days": 20,
        "earliest_on": "2025-02-03",
    }
    _nothing_written(session, strategy.id, strategy.version)


@pytest.mark.parametrize("now", ["2025-02-03 10:00", "2025-02-04 10:00"])
def test_submit_for_approval_succeeds_from_twenty_working_days(session, now):
    strategy = _consultation_opened_on(session, date(2025, 1, 6))
    with freezegun.freeze_time(now):
        moved = _submit_now(session, strategy.id, default_min_days=20)
    assert moved.stage == "approval"
    assert moved.stage_entered_on == date.fromisoformat(now[:10])


@pytest.mark.parametrize(
    ("now", "allowed"),
    [
        ("2025-01-10 12:00", False),  # Friday: 1 (Thursday, the opening day, is day 0)
        ("2025-01-11 12:00", False),  # Saturday: still 1
        ("2025-01-12 12:00", False),  # Sunday: still 1, the weekend does not count
        ("2025-01-13 12:00", False),  # Monday: Fri, Mon = 2
        ("2025-01-14 12:00", True),  # Tuesday: Fri, Mon, Tue = 3
    ],
)
def test_the_weekend_does_not_count_towards_the_consultation(session, now, allowed):
    strategy = _consultation_opened_on(session, date(2025, 1, 9), min_consultation_days=3)
    with freezegun.freeze_time(now):
        if allowed:
            assert _submit_now(session, strategy.id, default_min_days=20).stage == "approval"
        else:
            with pytest.raises(GuardRefused) as refused:
                _submit_now(session, strategy.id, default_min_days=20)
            assert refused.value.extensions["earliest_on"] == "2025-01-14"


def test_today_is_the_deployment_timezone_day(session):
    """23:30 UTC on Monday 13 January is already Tuesday in Tirane: the third working day is over."""
    strategy = _consultation_opened_on(session, date(2025, 1, 9), min_consultation_days=3)
    with freezegun.freeze_time("2025-01-13 23:30:00"):
        moved = _submit_now(session, strategy.id, default_min_days=20)
    assert moved.stage_entered_on == date(2025, 1, 14)


def test_the_deployment_default_applies_when_the_strategy_sets_none(session):
    strategy = _consultation_opened_on(session, date(2025, 1, 6))
    assert strategy.min_consultation_days is None
    with freezegun.freeze_time("2025-01-13 10:00"):  # 5 working days
        with pytest.raises(GuardRefused) as refused:
            _submit_now(session, strategy.id, default_min_days=6)
        assert refused.value.extensions["required_working_days"] == 6
        assert _submit_now(session, strategy.id, default_min_days=5).stage == "approval"


def test_a_strategy_override_shorter_than_the_default_wins(session):
    strategy = _consultation_opened_on(session, date(2025, 1, 6), min_consultation_days=2)
    with freezegun.freeze_time("2025-01-08 10:00"):
        assert _submit_now(session, strategy.id, default_min_days=20).stage == "approval"


def test_a_strategy_override_longer_than_the_default_wins(session):
    strategy = _consultation_opened_on(session, date(2025, 1, 6), min_consultation_days=30)
    with freezegun.freeze_time("2025-02-03 10:00"):  # 20 working days
        with pytest.raises(GuardRefused) as refused:
            _submit_now(session, strategy.id, default_min_days=20)
    assert refused.value.extensions["required_working_days"] == 30


def test_an_override_of_zero_allows_submitting_the_same_day(session):
    strategy = _consultation_opened_on(session, date(2025, 1, 6), min_consultation_days=0)
    with freezegun.freeze_time("2025-01-06 10:00"):
        assert _submit_now(session, strategy.id, default_min_days=20).stage == "approval"


def test_consultation_length_is_counted_to_a_backdated_effective_on(session):
    strategy = _consultation_opened_on(session, date(2025, 1, 6))
    with pytest.raises(GuardRefused):
        f.advance(session, strategy.id, "submit_for_approval", today=TODAY, effective_on=date(2025, 1, 31))
    moved = f.advance(session, strategy.id, "submit_for_approval", today=TODAY, effective_on=date(2025, 2, 3))
    assert moved.stage_entered_on == date(2025, 2, 3)


# --- approve ------------------------------------------------------------------------------


def test_approve_needs_the_reference_and_the_date(session):
    strategy = f.strategy_in_stage(session, f.institution(session), "approval", today=TODAY)
    with pytest.raises(ValidationFailed) as refused:
        f.advance(session, strategy.id, "approve", today=TODAY)
    assert _pointers(refused.value) == ["#/approval_reference", "#/approved_on"]
    _nothing_written(session, strategy.id, strategy.version)


def test_approve_needs_the_reference(session):
    strategy = f.strategy_in_stage(session, f.institution(session), "approval", today=TODAY)
    with pytest.raises(ValidationFailed) as refused:
        f.advance(session, strategy.id, "approve", today=TODAY, approved_on=date(2025, 1, 1))
    assert _pointers(refused.value) == ["#/approval_reference"]


def test_approved_on_must_not_be_in_the_future(session):
    strategy = f.strategy_in_stage(session, f.institution(session), "approval", today=TODAY)
    with pytest.raises(ValidationFailed) as refused:
        f.advance(session, strategy.id, "approve", today=TODAY, approval_reference="DCM No. 1",
                  approved_on=date(2026, 1, 6))
    assert _pointers(refused.value) == ["#/approved_on"]
    assert "future" in refused.value.errors[0].detail
    _nothing_written(session, strategy.id, strategy.version)


def test_approved_on_must_not_precede_the_submission_for_approval(session):
    strategy = f.strategy_in_stage(session, f.institution(session), "approval", today=TODAY)
    with pytest.raises(ValidationFailed) as refused:
        f.advance(session, strategy.id, "approve", today=TODAY, approval_reference="DCM No. 1",
                  approved_on=date(2019, 2, 28))
    assert _pointers(refused.value) == ["#/approved_on"]


def test_approve_today_records_the_act(session):
    strategy = f.strategy_in_stage(session, f.institution(session), "approval", today=TODAY)
    moved = f.advance(session, strategy.id, "approve", today=TODAY, approval_reference="DCM No. 400", approved_on=TODAY)
    assert (moved.stage, moved.approval_reference, moved.approved_on) == ("implementation", "DCM No. 400", TODAY)


# --- expire ---------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", ["implementation", "monitoring"])
def test_expire_within_the_period_needs_a_reason(session, stage):
    strategy = f.strategy_in_stage(session, f.institution(session), stage, today=TODAY)
    with pytest.raises(GuardRefused) as refused:
        f.advance(session, strategy.id, "expire", today=TODAY, effective_on=date(2022, 12, 31))  # the last day
    assert refused.value.extensions == {"period_end": "2022-12-31"}
    _nothing_written(session, strategy.id, strategy.version)


def test_expire_the_day_after_the_period_needs_no_reason(session):
    strategy = f.strategy_in_stage(session, f.institution(session), "monitoring", today=TODAY)
    moved = f.advance(session, strategy.id, "expire", today=TODAY, effective_on=date(2023, 1, 1))
    assert (moved.stage, moved.expired_on, moved.expiry_reason) == ("expiry", date(2023, 1, 1), "period_ended")


@pytest.mark.parametrize("reason", ["superseded", "terminated"])
def test_expire_early_with_a_reason(session, reason):
    strategy = f.strategy_in_stage(session, f.institution(session), "implementation", today=TODAY)
    moved = f.advance(session, strategy.id, "expire", today=TODAY, effective_on=date(2021, 1, 1), reason=reason)
    assert (moved.stage, moved.expired_on, moved.expiry_reason) == ("expiry", date(2021, 1, 1), reason)
    event = session.scalars(select(OutboxEvent).order_by(OutboxEvent.id.desc())).first()
    assert event.payload["reason"] == reason


def test_the_expire_guard_refuses_an_unknown_reason():
    request = TransitionRequest.model_construct(event="expire", reason="bored", comment=None)
    strategy = Strategy(period_start=date(2019, 1, 1), period_end=date(2022, 12, 31))
    with pytest.raises(ValidationFailed) as refused:
        may_expire(GuardInput(strategy, request, effective_on=TODAY, today=TODAY, min_consultation_days=20,
                              calendar=WEEKDAYS_ONLY))
    assert _pointers(refused.value) == ["#/reason"]


def test_the_request_refuses_an_unknown_reason():
    with pytest.raises(ValueError, match="reason"):
        TransitionRequest(event="expire", reason="bored")


# --- effective_on ---------------------------------------------------------------------------


def test_effective_on_defaults_to_today(session):
    strategy = f.strategy(session, f.institution(session))
    moved = f.advance(session, strategy.id, "submit_for_consultation", today=TODAY)
    assert moved.stage_entered_on == TODAY
    assert session.scalars(select(StageChange)).one().effective_on == TODAY


def test_effective_on_may_be_in_the_past(session):
    strategy = f.strategy(session, f.institution(session))
    moved = f.advance(session, strategy.id, "submit_for_consultation", today=TODAY, effective_on=date(2018, 5, 2))
    assert moved.stage_entered_on == date(2018, 5, 2)


def test_effective_on_may_equal_the_previous_transition(session):
    strategy = f.strategy_in_stage(session, f.institution(session), "consultation", today=TODAY)
    moved = f.advance(session, strategy.id, "return_to_drafting", today=TODAY, comment="x",
                      effective_on=date(2019, 1, 7))
    assert moved.stage_entered_on == date(2019, 1, 7)


def test_effective_on_must_not_precede_the_previous_transition(session):
    strategy = f.strategy_in_stage(session, f.institution(session), "consultation", today=TODAY)
    with pytest.raises(ValidationFailed) as refused:
        f.advance(session, strategy.id, "return_to_drafting", today=TODAY, comment="x", effective_on=date(2019, 1, 6))
    assert _pointers(refused.value) == ["#/effective_on"]
    assert "2019-01-07" in refused.value.errors[0].detail
    _nothing_written(session, strategy.id, strategy.version)


def test_effective_on_must_not_be_in_the_future(session):
    strategy = f.strategy(session, f.institution(session))
    with pytest.raises(ValidationFailed) as refused:
        f.advance(session, strategy.id, "submit_for_consultation", today=TODAY, effective_on=date(2026, 1, 6))
    assert _pointers(refused.value) == ["#/effective_on"]
    _nothing_written(session, strategy.id, strategy.version)
