"""Projected approval: due dates, this deployment's medians (three samples or more), or defaults."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.workflow.gap_builders import DEFAULT_DAYS, history
from workflow.gaps.projection import (
    MIN_MEDIAN_SAMPLES,
    TypicalDuration,
    completed_stints,
    project_approval,
    typical_durations,
)
from workflow.lifecycle.stages import Stage

AS_OF = date(2024, 3, 1)
NO_DUES = {Stage.DRAFTING: None, Stage.CONSULTATION: None, Stage.APPROVAL: None}


def consulted(opened: date, days: int):
    """A history whose consultation took ``days`` and whose approval took 10 days."""
    submitted = opened + timedelta(days=days)
    return history(
        ("submit_for_consultation", opened),
        ("submit_for_approval", submitted),
        ("approve", submitted + timedelta(days=10)),
    )


def defaults() -> dict[Stage, TypicalDuration]:
    return typical_durations([], AS_OF, DEFAULT_DAYS)


def test_due_dates_ahead_are_used_as_they_are():
    projection = project_approval(
        stage="drafting",
        stage_entered_on=None,
        due_dates={
            Stage.DRAFTING: date(2024, 4, 1), Stage.CONSULTATION: date(2024, 6, 1), Stage.APPROVAL: date(2024, 9, 1)
        },
        as_of=AS_OF,
        typical=defaults(),
    )
    assert projection.approved_on == date(2024, 9, 1)
    assert projection.basis == "due_dates"
    assert [s.stage for s in projection.steps] == [Stage.DRAFTING, Stage.CONSULTATION, Stage.APPROVAL]


def test_without_due_dates_or_history_the_defaults_apply_from_the_stage_start():
    projection = project_approval(
        stage="consultation", stage_entered_on=date(2024, 2, 20), due_dates=NO_DUES, as_of=AS_OF, typical=defaults()
    )
    # 2024-02-20 + 45 = 2024-04-05, + 60 = 2024-06-04
    assert [(s.ends_on, s.basis) for s in projection.steps] == [
        (date(2024, 4, 5), "default"), (date(2024, 6, 4), "default")
    ]
    assert projection.basis == "defaults"


def test_a_drafting_stage_with_no_recorded_start_counts_from_as_of():
    projection = project_approval(
        stage="drafting", stage_entered_on=None, due_dates=NO_DUES, as_of=AS_OF, typical=defaults()
    )
    assert projection.steps[0].ends_on == date(2024, 8, 28)  # 2024-03-01 + 180
    assert projection.approved_on == date(2024, 12, 11)  # + 45 + 60


def test_a_missed_due_date_is_replaced_and_the_current_stage_never_ends_before_as_of():
    projection = project_approval(
        stage="approval",
        stage_entered_on=date(2023, 10, 1),
        due_dates={**NO_DUES, Stage.APPROVAL: date(2023, 12, 1)},
        as_of=AS_OF,
        typical=defaults(),
    )
    # 2023-10-01 + 60 days is already past: the approval is at the earliest today.
    assert (projection.approved_on, projection.basis) == (AS_OF, "defaults")


def test_a_later_due_date_before_the_previous_projected_end_is_replaced():
    projection = project_approval(
        stage="consultation",
        stage_entered_on=date(2024, 2, 20),
        due_dates={**NO_DUES, Stage.CONSULTATION: date(2024, 5, 1), Stage.APPROVAL: date(2024, 4, 15)},
        as_of=AS_OF,
        typical=defaults(),
    )
    assert [(s.ends_on, s.basis) for s in projection.steps] == [
        (date(2024, 5, 1), "due_date"), (date(2024, 6, 30), "default")
    ]
    assert projection.basis == "mixed"


def test_nothing_to_project_once_approved():
    for stage in ("implementation", "monitoring", "expiry"):
        assert project_approval(
            stage=stage, stage_entered_on=AS_OF, due_dates=NO_DUES, as_of=AS_OF, typical=defaults()
        ) is None


def test_medians_of_three_completed_stints_replace_the_defaults():
    histories = [consulted(date(2020, 1, 6), days) for days in (30, 40, 90)]
    typical = typical_durations(histories, AS_OF, DEFAULT_DAYS)
    assert typical[Stage.CONSULTATION] == TypicalDuration(Stage.CONSULTATION, 40, "history_median", 3)
    assert typical[Stage.APPROVAL] == TypicalDuration(Stage.APPROVAL, 10, "history_median", 3)
    assert typical[Stage.DRAFTING] == TypicalDuration(Stage.DRAFTING, 180, "default", 0)

    projection = project_approval(
        stage="consultation", stage_entered_on=date(2024, 2, 20), due_dates=NO_DUES, as_of=AS_OF, typical=typical
    )
    assert projection.approved_on == date(2024, 4, 10)  # 2024-02-20 + 40 + 10
    assert projection.basis == "history_medians"


def test_two_samples_are_not_enough():
    assert MIN_MEDIAN_SAMPLES == 3
    typical = typical_durations([consulted(date(2020, 1, 6), d) for d in (30, 40)], AS_OF, DEFAULT_DAYS)
    assert typical[Stage.CONSULTATION] == TypicalDuration(Stage.CONSULTATION, 45, "default", 2)


def test_an_even_number_of_samples_rounds_the_median_up():
    typical = typical_durations([consulted(date(2020, 1, 6), d) for d in (30, 40, 41, 90)], AS_OF, DEFAULT_DAYS)
    assert typical[Stage.CONSULTATION].days == 41  # median 40.5


def test_only_stints_completed_by_as_of_are_samples():
    histories = [consulted(date(2020, 1, 6), 30), consulted(date(2021, 1, 6), 40), consulted(date(2024, 6, 3), 50)]
    assert typical_durations(histories, AS_OF, DEFAULT_DAYS)[Stage.CONSULTATION].basis == "default"
    assert typical_durations(histories, date(2024, 12, 31), DEFAULT_DAYS)[Stage.CONSULTATION].days == 40


def test_stints_ended_by_a_return_to_drafting_and_the_first_drafting_do_not_count():
    rows = history(
        ("submit_for_consultation", date(2020, 1, 6)),
        ("return_to_drafting", date(2020, 2, 1)),
        ("submit_for_consultation", date(2020, 3, 1)),
        ("submit_for_approval", date(2020, 4, 10)),
        ("approve", date(2020, 5, 1)),
    )
    assert completed_stints(rows, AS_OF) == [
        (Stage.DRAFTING, 29),
        (Stage.CONSULTATION, 40),
        (Stage.APPROVAL, 21),
    ]


@pytest.mark.parametrize("stage", [Stage.DRAFTING, Stage.CONSULTATION, Stage.APPROVAL])
def test_each_due_date_feeds_its_own_stage(stage):
    due = date(2024, 5, 1)
    projection = project_approval(
        stage=stage.value,
        stage_entered_on=date(2024, 2, 1),
        due_dates={**NO_DUES, stage: due},
        as_of=AS_OF,
        typical=defaults(),
    )
    step = next(s for s in projection.steps if s.stage is stage)
    assert (step.ends_on, step.basis) == (due, "due_date")
