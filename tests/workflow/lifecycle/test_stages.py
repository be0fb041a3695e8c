"""Every (stage, event) pair, allowed and refused, through the one stage writer."""

from datetime import date

import pytest
from sqlalchemy import func, select

from tests import factories as f
from workflow.core.errors import IllegalTransition
from workflow.core.outbox import OutboxEvent
from workflow.lifecycle.models import StageChange, Strategy
from workflow.lifecycle.stages import FINAL_STAGES, LifecycleEvent, Stage
from workflow.lifecycle.transitions import allowed_events

TODAY = date(2026, 1, 5)

# The lifecycle as the issue states it, written out independently of workflow.stages.
EXPECTED: dict[tuple[str, str], str] = {
    ("drafting", "submit_for_consultation"): "consultation",
    ("consultation", "return_to_drafting"): "drafting",
    ("consultation", "submit_for_approval"): "approval",
    ("approval", "return_to_drafting"): "drafting",
    ("approval", "approve"): "implementation",
    ("implementation", "start_monitoring"): "monitoring",
    ("implementation", "expire"): "expiry",
    ("monitoring", "expire"): "expiry",
}
STAGES = [s.value for s in Stage]
EVENTS = [e.value for e in LifecycleEvent]
ALLOWED = sorted(EXPECTED)
REFUSED = [(s, e) for s in STAGES for e in EVENTS if (s, e) not in EXPECTED]

# Fields that satisfy each event's guard when applied today to the backdated strategy.
VALID_FIELDS = {
    "submit_for_consultation": {},
    "return_to_drafting": {"comment": "Add the diaspora consultation results."},
    "submit_for_approval": {},
    "approve": {"approval_reference": "DCM No. 400", "approved_on": date(2025, 12, 1)},
    "start_monitoring": {},
    "expire": {},
}


def _counts(session, strategy_id: int) -> tuple[int, int]:
    changes = session.scalar(
        select(func.count()).select_from(StageChange).where(StageChange.strategy_id == strategy_id)
    )
    events = session.scalar(
        select(func.count()).select_from(OutboxEvent).where(
            OutboxEvent.strategy_id == strategy_id, OutboxEvent.type == "stage_changed"
        )
    )
    return changes, events


def test_the_table_is_exactly_the_documented_lifecycle():
    assert len(STAGES) * len(EVENTS) == len(ALLOWED) + len(REFUSED) == 36
    for stage in STAGES:
        assert allowed_events(stage) == [e for e in EVENTS if (stage, e) in EXPECTED]
    assert allowed_events(Stage.EXPIRY) == []
    assert FINAL_STAGES == {Stage.EXPIRY}


@pytest.mark.parametrize(("stage", "event"), ALLOWED, ids=[f"{s}-{e}" for s, e in ALLOWED])
def test_allowed_transition_moves_the_stage_and_records_one_change_and_one_event(session, stage, event):
    moi = f.institution(session)
    strategy = f.strategy_in_stage(session, moi, stage, today=TODAY)
    version_before = strategy.version
    changes_before, events_before = _counts(session, strategy.id)

    moved = f.advance(session, strategy.id, event, today=TODAY, **VALID_FIELDS[event])

    target = EXPECTED[(stage, event)]
    assert moved.stage == target
    assert moved.version == version_before + 1
    assert moved.stage_entered_on == TODAY  # effective_on defaults to today
    assert _counts(session, strategy.id) == (changes_before + 1, events_before + 1)
    change = session.scalars(select(StageChange).order_by(StageChange.id.desc())).first()
    assert (change.event, change.from_stage, change.to_stage, change.actor, change.effective_on) == (
        event, stage, target, "tester", TODAY
    )
    outbox = session.scalars(select(OutboxEvent).order_by(OutboxEvent.id.desc())).first()
    assert outbox.type == "stage_changed"
    assert outbox.strategy_id == strategy.id
    assert outbox.payload["event"] == event
    assert outbox.payload["from"] == stage
    assert outbox.payload["to"] == target
    assert outbox.payload["effective_on"] == TODAY.isoformat()
    assert outbox.payload["version"] == version_before + 1


@pytest.mark.parametrize(("stage", "event"), REFUSED, ids=[f"{s}-{e}" for s, e in REFUSED])
def test_refused_transition_is_illegal_lists_the_allowed_events_and_writes_nothing(session, stage, event):
    moi = f.institution(session)
    strategy = f.strategy_in_stage(session, moi, stage, today=TODAY)
    version_before = strategy.version
    counts_before = _counts(session, strategy.id)
    total_events_before = session.scalar(select(func.count()).select_from(OutboxEvent))

    with pytest.raises(IllegalTransition) as refused:
        f.advance(session, strategy.id, event, today=TODAY, **VALID_FIELDS[event])

    expected_allowed = [e for e in EVENTS if (stage, e) in EXPECTED]
    assert refused.value.status == 409
    assert refused.value.extensions == {"stage": stage, "allowed_events": expected_allowed}
    assert f"'{event}' cannot be applied in stage '{stage}'" in refused.value.detail
    reloaded = session.get(Strategy, strategy.id, populate_existing=True)
    assert (reloaded.stage, reloaded.version) == (stage, version_before)
    assert _counts(session, strategy.id) == counts_before
    assert session.scalar(select(func.count()).select_from(OutboxEvent)) == total_events_before


def test_illegal_transition_from_the_final_stage_says_so(session):
    strategy = f.strategy_in_stage(session, f.institution(session), "expiry", today=TODAY)
    with pytest.raises(IllegalTransition) as refused:
        f.advance(session, strategy.id, "start_monitoring", today=TODAY)
    assert refused.value.extensions["allowed_events"] == []
    assert "none: the stage is final" in refused.value.detail


def test_a_full_lifecycle_leaves_a_history_in_order(session):
    strategy = f.strategy_in_stage(session, f.institution(session), "expiry", today=TODAY)
    history = session.scalars(
        select(StageChange).where(StageChange.strategy_id == strategy.id).order_by(StageChange.id)
    )
    assert [(h.from_stage, h.to_stage) for h in history] == [
        ("drafting", "consultation"),
        ("consultation", "approval"),
        ("approval", "implementation"),
        ("implementation", "monitoring"),
        ("monitoring", "expiry"),
    ]
    assert strategy.version == 6
    assert (strategy.expired_on, strategy.expiry_reason) == (date(2023, 1, 1), "period_ended")
    assert (strategy.approval_reference, strategy.approved_on) == ("DCM No. 400", date(2019, 3, 5))
