from dataclasses import dataclass
from datetime import date

from workflow.lifecycle.in_force import Interval, in_force_interval


@dataclass
class Dates:
    period_start: date = date(2024, 1, 1)
    period_end: date = date(2030, 12, 31)
    approved_on: date | None = None
    expired_on: date | None = None


def test_never_approved_is_never_in_force():
    assert in_force_interval(Dates()) is None


def test_approved_before_the_period_starts_is_in_force_from_period_start():
    assert in_force_interval(Dates(approved_on=date(2023, 11, 20))) == Interval(date(2024, 1, 1), date(2030, 12, 31))


def test_approved_late_is_in_force_from_the_approval():
    assert in_force_interval(Dates(approved_on=date(2024, 5, 2))) == Interval(date(2024, 5, 2), date(2030, 12, 31))


def test_expiry_after_the_period_does_not_extend_it():
    dates = Dates(approved_on=date(2024, 5, 2), expired_on=date(2031, 3, 1))
    assert in_force_interval(dates) == Interval(date(2024, 5, 2), date(2030, 12, 31))


def test_early_expiry_ends_it_the_day_before():
    dates = Dates(approved_on=date(2024, 5, 2), expired_on=date(2026, 7, 1))
    interval = in_force_interval(dates)
    assert interval == Interval(date(2024, 5, 2), date(2026, 6, 30))
    assert interval.contains(date(2026, 6, 30))
    assert not interval.contains(date(2026, 7, 1))
    assert not interval.contains(date(2024, 5, 1))


def test_expired_on_the_day_it_began_was_never_in_force():
    assert in_force_interval(Dates(approved_on=date(2024, 5, 2), expired_on=date(2024, 5, 2))) is None


def test_expired_the_day_after_it_began_was_in_force_one_day():
    interval = in_force_interval(Dates(approved_on=date(2024, 5, 2), expired_on=date(2024, 5, 3)))
    assert interval == Interval(date(2024, 5, 2), date(2024, 5, 2))
    assert interval.days == 1


def test_interval_days_counts_both_ends():
    assert Interval(date(2024, 1, 1), date(2024, 12, 31)).days == 366
