"""The forecast of a successor's approval (a range, deadlines beside it) and the pipeline rule, on
constructed histories; and the rules' entries built from them."""

from __future__ import annotations

from datetime import date, timedelta

from tests.workflow.gap_builders import DEFAULT_DAYS, approved_history, history, snap
from workflow.gaps.durations import stage_history
from workflow.gaps.forecast import HORIZON, PIPELINE, assess_risk, forecast_approval
from workflow.gaps.rules import AT_RISK, OK, assess_gaps
from workflow.lifecycle.stages import Stage

AS_OF = date(2021, 1, 1)
LAPSE = date(2022, 12, 31)
# Three strategies of the area took 19 to 26 months from drafting start to approval.
HISTORY = stage_history(
    [("migration", Stage.DRAFTING, d) for d in (420, 500, 600)]
    + [("migration", Stage.CONSULTATION, d) for d in (60, 90, 120)]
    + [("migration", Stage.APPROVAL, d) for d in (90, 100, 110)],
    DEFAULT_DAYS,
)


def whole_pipeline(as_of: date = AS_OF):
    return forecast_approval(stage=None, stage_entered_on=None, due_dates={}, as_of=as_of, history=HISTORY,
                             policy_area="migration")


def test_a_whole_pipeline_is_forecast_as_a_range_with_its_basis():
    forecast = whole_pipeline()
    assert forecast is not None
    assert [s.stage for s in forecast.steps] == [Stage.DRAFTING, Stage.CONSULTATION, Stage.APPROVAL]
    assert forecast.approved_on == AS_OF + timedelta(days=500 + 90 + 100)
    assert forecast.upper_on == AS_OF + timedelta(days=560 + 108 + 106)
    assert forecast.lower_on == AS_OF + timedelta(days=452 + 72 + 94)  # the 20th percentiles, rounded down
    assert forecast.basis == "policy_area" and {s.samples for s in forecast.steps} == {3}


def test_no_successor_is_at_risk_by_the_pipeline_long_before_the_horizon():
    risk = assess_risk(lapse=LAPSE, as_of=AS_OF, horizon_days=365, forecast=whole_pipeline(), successor_stage=None,
                       has_successor=False, approved_start=None, period_start=None)
    assert risk.rule == PIPELINE
    assert risk.days_left == 730 and risk.needed_days_upper == 774 and risk.needed_days == 690
    assert 0 < risk.gap_risk < 0.5 and risk.gap_days == 0 and risk.gap_days_upper == 44
    assert risk.act == "start_drafting" and risk.act_by == LAPSE + timedelta(days=1) - timedelta(days=774)


def test_with_time_enough_the_pipeline_rule_does_not_flag():
    early = date(2020, 1, 1)
    risk = assess_risk(lapse=LAPSE, as_of=early, horizon_days=365, forecast=whole_pipeline(early),
                       successor_stage=None, has_successor=False, approved_start=None, period_start=None)
    assert risk.rule is None and risk.gap_risk == 0.0


def test_the_horizon_stays_a_floor():
    """A missing successor within the horizon is at risk even when a short pipeline would make it."""
    quick = stage_history([], {Stage.DRAFTING: 10, Stage.CONSULTATION: 10, Stage.APPROVAL: 10})
    as_of = LAPSE - timedelta(days=200)
    forecast = forecast_approval(stage=None, stage_entered_on=None, due_dates={}, as_of=as_of, history=quick,
                                 policy_area="migration")
    risk = assess_risk(lapse=LAPSE, as_of=as_of, horizon_days=365, forecast=forecast, successor_stage=None,
                       has_successor=False, approved_start=None, period_start=None)
    assert risk.rule == HORIZON


def test_a_successor_under_way_needs_only_its_remaining_stages():
    entered = date(2022, 6, 1)
    forecast = forecast_approval(stage=Stage.CONSULTATION, stage_entered_on=entered, due_dates={},
                                 as_of=date(2022, 7, 1), history=HISTORY, policy_area="migration")
    assert forecast is not None and [s.stage for s in forecast.steps] == [Stage.CONSULTATION, Stage.APPROVAL]
    # 30 days in: the consultations that lasted longer (60, 90, 120) less 30, then the approval.
    assert forecast.approved_on == date(2022, 7, 1) + timedelta(days=60 + 100)
    risk = assess_risk(lapse=LAPSE, as_of=date(2022, 7, 1), horizon_days=365, forecast=forecast,
                       successor_stage=Stage.CONSULTATION, has_successor=True, approved_start=None,
                       period_start=date(2023, 1, 1))
    assert risk.rule is None and risk.act == "submit_for_approval"
    assert risk.act_by == LAPSE + timedelta(days=1) - timedelta(days=106)


def test_a_deadline_earlier_than_the_history_is_shown_beside_the_forecast_not_taken():
    optimistic = {Stage.DRAFTING: AS_OF + timedelta(days=90)}
    forecast = forecast_approval(stage=Stage.DRAFTING, stage_entered_on=AS_OF, due_dates=optimistic, as_of=AS_OF,
                                 history=HISTORY, policy_area="migration")
    assert forecast is not None
    drafting = forecast.steps[0]
    assert drafting.due_on == optimistic[Stage.DRAFTING] and drafting.basis == "policy_area"
    assert drafting.ends_on == AS_OF + timedelta(days=500)


def test_a_deadline_no_earlier_than_the_history_is_taken():
    cautious = {Stage.DRAFTING: AS_OF + timedelta(days=550)}
    forecast = forecast_approval(stage=Stage.DRAFTING, stage_entered_on=AS_OF, due_dates=cautious, as_of=AS_OF,
                                 history=HISTORY, policy_area="migration")
    assert forecast is not None
    assert (forecast.steps[0].ends_on, forecast.steps[0].basis) == (cautious[Stage.DRAFTING], "due_date")
    assert forecast.steps[0].upper == AS_OF + timedelta(days=560)


def test_the_gap_risk_is_the_share_of_pipelines_ending_after_the_lapse():
    forecast = whole_pipeline()
    assert forecast is not None
    assert forecast.share_after(forecast.approved_on - timedelta(days=1)) >= 0.5
    assert forecast.share_after(forecast.upper_on) <= 0.2
    assert forecast.share_after(AS_OF) == 1.0 and forecast.share_after(AS_OF + timedelta(days=3000)) == 0.0


def test_the_rules_flag_a_strategy_with_no_successor_by_the_pipeline():
    past = [snap((date(y, 1, 1), date(y + 3, 12, 31)), drafting_started_on=date(y - 3, 1, 1),
                 events=approved_history(date(y - 1, 6, 1), consulted_days=90), policy_area="migration")
            for y in (2005, 2010, 2015)]
    current = snap((date(2019, 1, 1), LAPSE), events=approved_history(date(2018, 12, 1)), policy_area="migration")
    entries = assess_gaps([*past, current], as_of=date(2021, 3, 1), horizon_days=365, default_days=DEFAULT_DAYS)
    entry = next(e for e in entries if e.strategy_id == current.id)
    assert (entry.status, entry.risk_rule) == (AT_RISK, PIPELINE)
    assert entry.needed_days_upper is not None and entry.days_left is not None
    assert entry.needed_days_upper > entry.days_left > 365
    assert entry.gap_risk is not None and entry.gap_risk > 0.2
    fixed = assess_gaps([current], as_of=date(2021, 3, 1), horizon_days=365, default_days=DEFAULT_DAYS)
    assert fixed[0].status == OK  # defaults alone: a 285-day pipeline makes it


def test_an_overdue_successor_keeps_moving_out():
    past = [snap((date(y, 1, 1), date(y + 3, 12, 31)), events=history(
        ("submit_for_consultation", date(y - 1, 1, 1)), ("submit_for_approval", date(y - 1, 3, 1)),
        ("approve", date(y - 1, 3, 1) + timedelta(days=d))), policy_area="migration")
        for y, d in ((2005, 50), (2010, 60), (2015, 90))]
    old = snap((date(2019, 1, 1), LAPSE), id=1, events=approved_history(date(2018, 12, 1)))
    new = snap((date(2023, 1, 1), date(2026, 12, 31)), id=2, predecessor_id=1, events=history(
        ("submit_for_consultation", date(2022, 1, 10)), ("submit_for_approval", date(2022, 3, 1))))
    seen = []
    for as_of in (date(2022, 6, 1), date(2022, 7, 1), date(2022, 8, 1)):  # 92+ days in approval: past all
        entry = next(e for e in assess_gaps([*past, old, new], as_of=as_of, horizon_days=365,
                                            default_days=DEFAULT_DAYS) if e.strategy_id == 1)
        assert entry.projected_successor_approval is not None and entry.projected_successor_approval > as_of
        seen.append(entry.projected_successor_approval)
    assert seen == sorted(seen) and len(set(seen)) == 3
