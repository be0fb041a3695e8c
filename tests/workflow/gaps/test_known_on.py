"""History as known then: ``as_of`` is the day a report is about, ``known_on`` what had been recorded
by then (revisions effective after it undone, stage changes after it dropped), and a strategy is
seen from the day its drafting started."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from tests.workflow.gap_builders import DEFAULT_DAYS, approved_history, history, snap
from workflow.gaps.history import RevisionRow, as_known_on, snapshots_known_on, state_on
from workflow.gaps.projection import completed_spans, history_of
from workflow.gaps.rules import AT_RISK, GAP, OK, assess_gaps
from workflow.lifecycle.stages import Stage

# The 2019-2022 strategy, in force until the end of 2022.
OLD = snap((date(2019, 1, 1), date(2022, 12, 31)), id=1, events=approved_history(date(2019, 6, 19)))


def _revision(effective_on: date, **changes: tuple[object, object]) -> RevisionRow:
    return RevisionRow(effective_on, tuple((name, old, new) for name, (old, new) in changes.items()))


def _successor(period=(date(2023, 1, 1), date(2030, 12, 31)), **fields):
    """The 2024-2030 successor in consultation since 2023-06-01, its approval due 2024-03-31 since a
    change effective on 2023-10-15; until then it was due 2023-09-30."""
    defaults = dict(
        id=2, predecessor_id=1, approval_due=date(2024, 3, 31), drafting_started_on=date(2022, 10, 3),
        created_on=date(2023, 11, 6), events=history(("submit_for_consultation", date(2023, 6, 1))),
        revisions=(_revision(date(2023, 10, 15), approval_due=(date(2023, 9, 30), date(2024, 3, 31))),),
    )
    return snap(period, **(defaults | fields))


def _report(snapshots, as_of, known_on=None, horizon_days=365):
    known = snapshots_known_on(snapshots, known_on)
    return assess_gaps(known, as_of=as_of, horizon_days=horizon_days, default_days=DEFAULT_DAYS)


def test_as_of_and_known_on_the_same_day_answer_with_the_deadline_recorded_then():
    snapshots = [OLD, _successor()]
    [then] = _report(snapshots, date(2023, 8, 31), known_on=date(2023, 8, 31))
    assert (then.strategy_id, then.status, then.successor_id) == (1, GAP, 2)
    assert then.projection_steps[-1].due_on == date(2023, 9, 30)  # the deadline as it stood, shown beside
    # ... and not taken: the history says the approval alone takes 60 days, after the consultation.
    # (the consultation, past the stints it is topped up with, gets half a default one more: 23 days)
    assert (then.projected_successor_approval, then.projection_basis) == (date(2023, 11, 22), "defaults")
    [now] = _report(snapshots, date(2023, 8, 31))  # known_on left out: everything recorded since
    assert now.projected_successor_approval == date(2024, 3, 31)


def test_known_on_the_day_of_the_change_sees_it():
    [entry] = _report([OLD, _successor()], date(2023, 8, 31), known_on=date(2023, 10, 15))
    assert entry.projected_successor_approval == date(2024, 3, 31)


def test_revisions_are_undone_latest_first_back_to_the_value_before_the_earliest():
    successor = _successor(approval_due=date(2024, 6, 30), revisions=(
        _revision(date(2023, 7, 1), approval_due=(None, date(2023, 9, 30))),
        _revision(date(2023, 10, 15), approval_due=(date(2023, 9, 30), date(2024, 3, 31))),
        _revision(date(2024, 1, 10), approval_due=(date(2024, 3, 31), date(2024, 6, 30))),
    ))
    assert as_known_on(successor, date(2023, 6, 30)).approval_due is None
    assert as_known_on(successor, date(2023, 7, 1)).approval_due == date(2023, 9, 30)
    assert as_known_on(successor, date(2023, 12, 31)).approval_due == date(2024, 3, 31)
    assert as_known_on(successor, date(2024, 1, 10)) == successor


def test_a_strategy_is_seen_from_its_drafting_start_though_entered_later():
    """The gap report of 2022-11 knows the successor was being drafted since 2022-10."""
    successor = _successor(events=(), revisions=(), approval_due=None)
    [entry] = _report([OLD, successor], date(2022, 11, 15), horizon_days=90)
    assert (entry.strategy_id, entry.status, entry.successor_id, entry.successor_stage) == (1, AT_RISK, 2, "drafting")
    # Drafting counts from its start: 2022-10-03 + 180 days of drafting, + 45 + 60 (the defaults).
    assert [step.ends_on for step in entry.projection_steps] == [date(2023, 4, 1), date(2023, 5, 16), date(2023, 7, 15)]
    assert state_on(successor, date(2022, 10, 2)) is None
    assert state_on(successor, date(2022, 10, 3)).stage_entered_on == date(2022, 10, 3)
    [known_then] = _report([OLD, successor], date(2022, 11, 15), known_on=date(2022, 11, 15), horizon_days=90)
    assert known_then == entry


def test_a_strategy_whose_drafting_had_not_started_by_known_on_is_not_known():
    successor = _successor(events=(), revisions=())
    assert as_known_on(successor, date(2022, 10, 2)) is None
    [entry] = _report([OLD, successor], date(2022, 11, 15), known_on=date(2022, 10, 2), horizon_days=90)
    assert (entry.status, entry.successor_id) == (AT_RISK, None)


def test_stage_changes_effective_after_known_on_are_dropped_and_the_stage_is_the_one_reached_by_then():
    successor = _successor(events=history(
        ("submit_for_consultation", date(2023, 6, 1)), ("submit_for_approval", date(2023, 9, 1)),
        ("approve", date(2023, 12, 20)),
    ))
    known = as_known_on(successor, date(2023, 5, 31))
    assert (known.stage, known.history) == ("drafting", ())
    assert as_known_on(successor, date(2023, 9, 1)).stage == "approval"
    # As of 2024, as known at the end of 2023-11: not approved yet, so the old strategy's gap goes on.
    [entry] = _report([OLD, successor], date(2024, 1, 15), known_on=date(2023, 11, 30))
    assert (entry.status, entry.successor_stage, entry.successor_in_force_from) == (GAP, "approval", None)
    [now] = _report([OLD, successor], date(2024, 1, 15))
    assert (now.strategy_id, now.status) == (2, OK)


def test_an_undone_predecessor_link_changes_who_succeeds():
    """Named as the successor only since 2023-02-01: before, the next in line by period start was."""
    other = snap((date(2023, 1, 1), date(2026, 12, 31)), id=3, drafting_started_on=date(2022, 3, 1))
    successor = _successor(
        (date(2023, 3, 1), date(2030, 12, 31)), events=(),
        revisions=(_revision(date(2023, 2, 1), predecessor_id=(None, 1)),),
    )
    assert as_known_on(successor, date(2023, 1, 31)).predecessor_id is None
    [then] = _report([OLD, other, successor], date(2022, 12, 1), known_on=date(2023, 1, 31))
    assert then.successor_id == 3
    [now] = _report([OLD, other, successor], date(2022, 12, 1))
    assert now.successor_id == 2


def test_without_known_on_the_snapshots_are_as_they_are():
    snapshots = [OLD, _successor()]
    assert snapshots_known_on(snapshots, None) == snapshots


def completed_stints(rows, as_of, drafting_started_on=None):
    return [(span.stage, span.days) for span in completed_spans(rows, as_of, drafting_started_on)]


def test_the_first_drafting_stint_counts_from_the_drafting_start():
    rows = history(("submit_for_consultation", date(2020, 4, 1)), ("submit_for_approval", date(2020, 6, 1)))
    assert completed_stints(rows, date(2021, 1, 1)) == [(Stage.CONSULTATION, 61)]
    assert completed_stints(rows, date(2021, 1, 1), date(2020, 1, 1)) == [
        (Stage.DRAFTING, 91), (Stage.CONSULTATION, 61)
    ]
    # A drafting start no earlier than the first step (imported history) says nothing.
    assert completed_stints(rows, date(2021, 1, 1), date(2020, 4, 1)) == [(Stage.CONSULTATION, 61)]


def test_the_median_drafting_time_counts_from_the_drafting_starts():
    drafts = [
        snap((date(2021, 1, 1), date(2025, 12, 31)), drafting_started_on=date(2020, 1, 1),
             events=history(("submit_for_consultation", date(2020, 1, 1).replace(month=month))))
        for month in (3, 4, 5)
    ]
    drafting = history_of(drafts, date(2021, 1, 1), DEFAULT_DAYS).samples("migration", Stage.DRAFTING)
    assert (drafting.median, drafting.basis, drafting.observed) == (91, "policy_area", 3)
    no_start = [replace(d, drafting_started_on=None) for d in drafts]
    assert history_of(no_start, date(2021, 1, 1), DEFAULT_DAYS).samples("migration", Stage.DRAFTING).basis == (
        "default"
    )
