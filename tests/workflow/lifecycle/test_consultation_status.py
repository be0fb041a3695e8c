"""What a page may know before a button is pressed: how long a consultation has lasted against its
minimum (by the very rule the ``submit_for_approval`` guard applies), the backdating floor of a
writer, and a strategy's successors."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from tests import factories as f
from workflow.calendar import WorkingCalendar
from workflow.core import GuardRefused
from workflow.lifecycle import (
    StrategyFilter,
    backdating_floor_for,
    consultation_progress,
    consultation_status,
    list_strategies,
)
from workflow.lifecycle.guards import GuardInput, Outstanding, consultation_complete, consultation_long_enough
from workflow.lifecycle.requests import TransitionRequest

TIRANE = ZoneInfo("Europe/Tirane")
OPENED = date(2025, 1, 6)  # a Monday
ALBANIA = WorkingCalendar("AL")


def _guard_allows(opened: date, on: date, required: int) -> bool:
    given = GuardInput(
        strategy=SimpleNamespace(stage_entered_on=opened, period_end=date(2030, 12, 31)),
        request=TransitionRequest(event="submit_for_approval"),
        effective_on=on,
        today=on,
        min_consultation_days=required,
        calendar=ALBANIA,
    )
    try:
        consultation_long_enough(given)
    except GuardRefused:
        return False
    return True


@pytest.mark.parametrize("required", [1, 5, 20, 40])
def test_the_progress_says_ready_exactly_when_the_guard_lets_it_through(required):
    for offset in range(0, 70):
        on = OPENED + timedelta(days=offset)
        progress = consultation_progress(OPENED, on, required, ALBANIA)
        assert progress is not None
        assert progress.long_enough == _guard_allows(OPENED, on, required), on
        assert progress.long_enough == (on >= progress.earliest_on), on


def test_the_guards_refusal_carries_the_progress():
    progress = consultation_progress(OPENED, date(2025, 1, 22), 20, ALBANIA)
    assert progress is not None
    assert (progress.working_days, progress.required_working_days, progress.earliest_on) == (12, 20, date(2025, 2, 3))
    given = GuardInput(SimpleNamespace(stage_entered_on=OPENED, period_end=date(2030, 12, 31)),
                       TransitionRequest(event="submit_for_approval"), date(2025, 1, 22), date(2025, 1, 22), 20,
                       ALBANIA)
    with pytest.raises(GuardRefused) as refused:
        consultation_long_enough(given)
    assert refused.value.extensions == {"working_days": 12, "required_working_days": 20, "earliest_on": "2025-02-03"}


def test_nothing_is_counted_without_an_opening_or_a_minimum():
    assert consultation_progress(None, OPENED, 20, ALBANIA) is None
    assert consultation_progress(OPENED, OPENED, 0, ALBANIA) is None


def test_the_status_of_a_strategy_in_consultation_uses_its_own_minimum_or_the_default(session):
    institution = f.institution(session)
    own = f.strategy(session, institution, min_consultation_days=5)
    own = f.advance(session, own.id, "submit_for_consultation", today=OPENED, effective_on=OPENED)
    default = f.strategy(session, institution, title="Default minimum")
    default = f.advance(session, default.id, "submit_for_consultation", today=OPENED, effective_on=OPENED)
    on = date(2025, 1, 13)  # five working days later
    mine = consultation_status(own, today=on, default_min_consultation_days=20, calendar=ALBANIA)
    assert mine is not None and mine.long_enough and mine.required_working_days == 5
    theirs = consultation_status(default, today=on, default_min_consultation_days=20, calendar=ALBANIA)
    assert theirs is not None and not theirs.long_enough and theirs.working_days == 5


def test_no_status_outside_consultation(session):
    drafting = f.strategy(session, f.institution(session))
    assert consultation_status(drafting, today=OPENED, default_min_consultation_days=20, calendar=ALBANIA) is None


def test_only_an_admin_may_date_a_step_before_the_day_of_registration():
    assert backdating_floor_for("admin", TIRANE) is None
    floor = backdating_floor_for("coordinator", TIRANE)
    assert floor is not None
    late_evening = SimpleNamespace(created_at=datetime(2024, 2, 29, 23, 30, tzinfo=UTC))  # 1 March in Tirana
    assert floor(late_evening) == date(2024, 3, 1)  # type: ignore[arg-type]


def test_a_strategys_successors_are_listed_by_their_predecessor(session):
    institution = f.institution(session)
    first = f.strategy(session, institution)
    second = f.strategy(session, institution, title="Next", predecessor_id=first.id,
                        period_start=date(2023, 1, 1), period_end=date(2026, 12, 31))
    f.strategy(session, institution, title="Unrelated")
    rows, total = list_strategies(session, StrategyFilter(predecessor_id=first.id), limit=10, offset=0)
    assert [row.id for row in rows] == [second.id] and total == 1


def test_a_refusal_names_everything_the_consultation_still_lacks():
    strategy = SimpleNamespace(stage_entered_on=OPENED, period_end=date(2030, 12, 31))
    request = TransitionRequest(event="submit_for_approval")
    short_and_open = GuardInput(strategy, request, date(2025, 1, 22), date(2025, 1, 22), 20, ALBANIA,
                                outstanding=Outstanding(open_rounds=(3,), unanswered_submissions=(7, 8)))
    with pytest.raises(GuardRefused) as refused:
        consultation_complete(short_and_open)
    assert refused.value.extensions == {
        "working_days": 12, "required_working_days": 20, "earliest_on": "2025-02-03",
        "open_rounds": [3], "unanswered_submissions": [7, 8],
    }
    assert "lasted 12 working days" in refused.value.detail and "unanswered: id 7, 8" in refused.value.detail
    long_enough = GuardInput(strategy, request, date(2025, 3, 3), date(2025, 3, 3), 20, ALBANIA,
                             outstanding=Outstanding(unanswered_submissions=(7,)))
    with pytest.raises(GuardRefused) as refused:
        consultation_complete(long_enough)
    assert refused.value.extensions == {"open_rounds": [], "unanswered_submissions": [7]}
    settled = GuardInput(strategy, request, date(2025, 3, 3), date(2025, 3, 3), 20, ALBANIA, outstanding=Outstanding())
    assert consultation_complete(settled) is None
    with pytest.raises(RuntimeError):  # an adapter that forgot the consultation records fails loudly
        consultation_complete(GuardInput(strategy, request, date(2025, 3, 3), date(2025, 3, 3), 20, ALBANIA))
