"""Stage durations from the deployment's history: quantiles, the choice of history, and the
overdue-stage rule, on constructed samples."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from tests.workflow.gap_builders import DEFAULT_DAYS, history
from workflow.gaps.durations import (
    APPROXIMATE_MARGIN_DAYS,
    DEFAULT,
    GRID_POINTS,
    POLICY_AREA,
    PORTFOLIO,
    StageHistory,
    StageSamples,
    Stint,
    compact,
    compact_pairs,
    days_at,
    quantile,
    stage_history,
)
from workflow.gaps.projection import completed_spans
from workflow.lifecycle.stages import Stage


def test_quantiles_interpolate_between_order_statistics():
    assert quantile([10, 20, 30, 40, 50], 0.5) == 30
    assert quantile([50, 10, 40, 20, 30], 0.8) == pytest.approx(42)  # rank 3.2: 40 + 0.2 * 10
    assert quantile([1, 2], 0.5) == 1.5
    assert quantile([7], 0.8) == 7
    assert (quantile([3, 9], 0.0), quantile([3, 9], 1.0)) == (3, 9)
    assert days_at([100, 101], 0.5) == 101  # rounded up to whole days
    assert days_at([30, 30, 30], 0.8) == 30  # no spurious day from rounding


@pytest.mark.parametrize("bad", [-0.1, 1.1])
def test_quantile_levels_outside_zero_one_are_refused(bad):
    with pytest.raises(ValueError):
        quantile([1, 2, 3], bad)
    with pytest.raises(ValueError):
        quantile([], 0.5)


def stints(area: str, stage: Stage, *days: int) -> list[tuple[str, Stage, int]]:
    return [(area, stage, d) for d in days]


def test_the_area_s_own_history_is_used_when_it_has_three_samples():
    history = stage_history(
        stints("migration", Stage.DRAFTING, 400, 500, 600) + stints("diaspora", Stage.DRAFTING, 100, 110, 120),
        DEFAULT_DAYS,
    )
    migration = history.samples("migration", Stage.DRAFTING)
    assert (migration.basis, migration.observed, migration.median, migration.upper) == (POLICY_AREA, 3, 500, 560)
    assert history.samples("diaspora", Stage.DRAFTING).median == 110


def test_too_few_in_the_area_falls_back_to_the_portfolio_then_to_defaults():
    history = stage_history(
        stints("migration", Stage.CONSULTATION, 60) + stints("diaspora", Stage.CONSULTATION, 70, 80),
        DEFAULT_DAYS,
    )
    consultation = history.samples("migration", Stage.CONSULTATION)
    assert (consultation.basis, consultation.days) == (PORTFOLIO, (60, 70, 80))
    drafting = history.samples("migration", Stage.DRAFTING)
    assert (drafting.basis, drafting.days, drafting.observed) == (DEFAULT, (180, 180, 180), 0)


def test_a_thin_history_is_topped_up_with_the_default():
    """One two-year drafting stint is neither ignored nor taken as the rule."""
    history = stage_history(stints("migration", Stage.DRAFTING, 740), DEFAULT_DAYS)
    drafting = history.samples("migration", Stage.DRAFTING)
    assert (drafting.basis, drafting.days, drafting.observed) == (DEFAULT, (180, 180, 740), 1)
    assert (drafting.median, drafting.upper) == (180, 516)  # rank 1.6: 180 + 0.6 * 560


def test_history_round_trips_through_json():
    history = stage_history(stints("migration", Stage.APPROVAL, 50, 60, 90) + stints("x", Stage.APPROVAL, 5),
                            DEFAULT_DAYS)
    assert StageHistory.of(history.json()) == history


def test_large_histories_are_kept_as_a_quantile_grid():
    days = list(range(1, 10_001))
    kept = compact(days)
    assert len(kept) == GRID_POINTS and kept[0] == 1 and kept[-1] == 10_000
    assert abs(quantile(kept, 0.8) - quantile(days, 0.8)) < 1
    assert compact([5, 3, 4]) == (3, 4, 5)


APPROVAL = StageSamples(Stage.APPROVAL, (40, 50, 60, 70, 80, 120), PORTFOLIO, 6)


def test_an_open_stage_counts_what_is_left_of_the_stints_that_lasted_as_long():
    """Conditional on having lasted 55 days: the stints of 60, 70, 80 and 120 days, less 55."""
    left = APPROVAL.remaining(55)
    assert left.days == (5, 15, 25, 65)
    assert (left.median, left.upper) == (20, 41)
    assert APPROVAL.remaining(0) is APPROVAL


def test_an_overdue_stage_does_not_collapse_onto_today():
    """Past all but one stint: how far the stints that ran past the median (65) went beyond it."""
    left = APPROVAL.remaining(100)
    assert left.days == (5, 15, 55)  # 70, 80 and 120 less the median 65
    assert left.median == 15
    assert APPROVAL.remaining(400).days == left.days  # still open: the forecast keeps moving out


def test_an_overdue_stage_with_defaults_alone_gets_half_a_typical_stint_more():
    defaults = StageSamples(Stage.APPROVAL, (60, 60, 60), DEFAULT, 0)
    assert defaults.remaining(59).days == (1, 1, 1)
    assert defaults.remaining(61).days == (30,)


def test_approximate_ends_widen_the_range_not_the_median():
    """Three consultations whose two ends were each known to the month (a margin of 30 days a stint),
    and one exact stint, whose ends are its days."""
    history = stage_history([Stint("migration", Stage.CONSULTATION, d, 30) for d in (60, 63, 70)]
                            + [("diaspora", Stage.CONSULTATION, 50)], DEFAULT_DAYS)
    guessed = history.samples("migration", Stage.CONSULTATION)
    assert (guessed.median, guessed.low_ends, guessed.high_ends) == (63, (30, 33, 40), (90, 93, 100))
    assert (guessed.lower, guessed.upper) == (31, 98)  # rank 0.4 of the low ends (down), 1.6 of the high (up)
    assert history.samples("x", Stage.CONSULTATION).margins == (0, 30, 30, 30)  # the portfolio's, with diaspora's
    exact = stage_history([("x", Stage.CONSULTATION, d) for d in (60, 63, 70)], DEFAULT_DAYS)
    assert exact.samples("x", Stage.CONSULTATION).margins is None
    assert StageHistory.of(history.json()) == history
    assert StageHistory.of(exact.json()) == exact and "margins" not in exact.json()


def test_an_open_stage_keeps_each_stint_s_margin_with_what_is_left_of_it():
    """Open 45 days: of stints of 40, 50 and 60 days, only two lasted as long, too few: what is left
    is how far the one past the median (50) went beyond it, with that stint's margin."""
    samples = StageSamples(Stage.APPROVAL, (40, 50, 60), PORTFOLIO, 3, margins=(5, 10, 20))
    left = samples.remaining(45)
    assert (left.days, left.margins, left.low_ends, left.high_ends) == ((10,), (20,), (1,), (30,))
    longer = StageSamples(Stage.APPROVAL, (50, 60, 70, 80), PORTFOLIO, 4, margins=(0, 15, 0, 15)).remaining(45)
    assert (longer.days, longer.margins) == ((5, 15, 25, 35), (0, 15, 0, 15))
    assert longer.lower <= longer.median <= longer.upper


@pytest.mark.parametrize("elapsed", [0, 11, 45, 200])
def test_quantiles_never_decrease_with_the_level(elapsed):
    """The pipeline's share of late levels is found by bisection: it needs ``at`` monotone, also
    for a stage still open with approximate stints of very different lengths."""
    samples = StageSamples(Stage.APPROVAL, (10,) * 9 + (100,) * 3, PORTFOLIO, 12, margins=(15,) * 12)
    left = samples.remaining(elapsed)
    levels = [left.at(i / 100) for i in range(101)]
    assert levels == sorted(levels)
    assert left.lower <= left.median <= left.upper


def test_large_histories_keep_their_margins_at_the_grid_s_ranks():
    days, margins = compact_pairs((d, 15 if d % 2 else 0) for d in range(1, 10_001))
    assert len(days) == len(margins) == GRID_POINTS and set(margins) <= set(range(16))


def test_the_margin_of_a_stint_counts_each_approximate_end():
    rows = history(("submit_for_consultation", date(2020, 4, 1)), ("submit_for_approval", date(2020, 6, 1)),
                   ("approve", date(2020, 8, 3)))
    exact = completed_spans(rows, date(2021, 1, 1), date(2020, 1, 1))
    assert [(s.stage, s.days, s.margin) for s in exact] == [
        (Stage.DRAFTING, 91, 0), (Stage.CONSULTATION, 61, 0), (Stage.APPROVAL, 63, 0)]
    guessed = (rows[0], replace(rows[1], effective_on_approximate=True), rows[2])
    assert [s.margin for s in completed_spans(guessed, date(2021, 1, 1), date(2020, 1, 1))] == [
        0, APPROXIMATE_MARGIN_DAYS, APPROXIMATE_MARGIN_DAYS]
