"""The reminder rules as plain functions: offsets, catch-up, send hour, DST, leap day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from workflow.calendar import WorkingCalendar
from workflow.core import clock
from workflow.reminders.deadlines import Deadline
from workflow.reminders.timing import (
    DEADLINE_REMINDER,
    OVERDUE,
    ReminderPolicy,
    due_gap_warning,
    due_reminder,
    send_instant,
    sending_day,
)

TIRANE = ZoneInfo("Europe/Tirane")
POLICY = ReminderPolicy.of([90, 30, 7, 1], [1, 7], escalate_after_days=7)
DUE = date(2026, 6, 30)
CONSULTATION = Deadline("strategy:1:consultation_due", "consultation_due", 1, DUE)
LAPSE = Deadline("strategy:1:period_end", "period_end", 1, DUE)


class EveryDay(WorkingCalendar):
    """Every day a working day, so the offsets' own rules show (the calendar's move is tested below)."""

    def is_working_day(self, day: date) -> bool:
        return True


EVERY_DAY = EveryDay(country=None)
ALBANIA = WorkingCalendar(country="AL")


@pytest.mark.parametrize("offset", [90, 30, 7, 1])
def test_each_offset_is_due_on_its_day(offset):
    reminder = due_reminder(CONSULTATION, POLICY, DUE - timedelta(days=offset), EVERY_DAY)
    assert reminder is not None
    assert (reminder.offset_days, reminder.kind, reminder.escalate) == (offset, DEADLINE_REMINDER, False)
    assert reminder.send_on == DUE - timedelta(days=offset)


def test_nothing_is_due_before_the_first_offset():
    assert due_reminder(CONSULTATION, POLICY, DUE - timedelta(days=91), EVERY_DAY) is None


def test_between_offsets_the_last_reached_one_stays_due_so_the_ledger_dedupes_it():
    reminder = due_reminder(CONSULTATION, POLICY, DUE - timedelta(days=20), EVERY_DAY)
    assert reminder is not None and reminder.offset_days == 30


def test_catch_up_after_downtime_yields_only_the_most_recent_missed_offset():
    # Down from 95 days before until 2 days before: 90, 30 and 7 were all missed.
    reminder = due_reminder(CONSULTATION, POLICY, DUE - timedelta(days=2), EVERY_DAY)
    assert reminder is not None and reminder.offset_days == 7


def test_overdue_notices_follow_the_due_date_and_the_second_escalates():
    first = due_reminder(CONSULTATION, POLICY, DUE + timedelta(days=1), EVERY_DAY)
    second = due_reminder(CONSULTATION, POLICY, DUE + timedelta(days=7), EVERY_DAY)
    assert (first.offset_days, first.kind, first.escalate) == (-1, OVERDUE, False)
    assert (second.offset_days, second.kind, second.escalate) == (-7, OVERDUE, True)


def test_on_the_due_day_itself_the_one_day_reminder_is_the_latest():
    assert due_reminder(CONSULTATION, POLICY, DUE, EVERY_DAY).offset_days == 1


def test_a_lapse_is_never_overdue():
    reminder = due_reminder(LAPSE, POLICY, DUE + timedelta(days=10), EVERY_DAY)
    assert reminder is not None and reminder.kind == DEADLINE_REMINDER and reminder.offset_days == 1


def test_policy_normalises_offsets():
    policy = ReminderPolicy.of([7, 30, 7], [7, 1], 7)
    assert policy.before == (30, 7) and policy.after == (1, 7)


def test_leap_day_offsets_count_real_days():
    leap = Deadline("strategy:2:approval_due", "approval_due", 2, date(2028, 3, 30))
    assert due_reminder(leap, POLICY, date(2028, 2, 29), EVERY_DAY).offset_days == 30
    assert due_reminder(leap, POLICY, date(2028, 2, 28), EVERY_DAY).offset_days == 90
    on_leap_day = Deadline("strategy:3:approval_due", "approval_due", 3, date(2028, 2, 29))
    assert due_reminder(on_leap_day, POLICY, date(2028, 2, 22), EVERY_DAY).offset_days == 7


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        # Winter (CET, UTC+1): 09:00 local is 08:00 UTC.
        (datetime(2026, 1, 15, 7, 59, tzinfo=UTC), date(2026, 1, 14)),
        (datetime(2026, 1, 15, 8, 0, tzinfo=UTC), date(2026, 1, 15)),
        # Summer (CEST, UTC+2): 09:00 local is 07:00 UTC.
        (datetime(2026, 7, 15, 6, 59, tzinfo=UTC), date(2026, 7, 14)),
        (datetime(2026, 7, 15, 7, 0, tzinfo=UTC), date(2026, 7, 15)),
        # The spring-forward day (2026-03-29) and the fall-back day (2026-10-25).
        (datetime(2026, 3, 29, 6, 59, tzinfo=UTC), date(2026, 3, 28)),
        (datetime(2026, 3, 29, 7, 0, tzinfo=UTC), date(2026, 3, 29)),
        (datetime(2026, 10, 25, 7, 59, tzinfo=UTC), date(2026, 10, 24)),
        (datetime(2026, 10, 25, 8, 0, tzinfo=UTC), date(2026, 10, 25)),
    ],
)
def test_a_days_reminders_go_out_from_nine_local_across_dst(utc, expected):
    assert sending_day(utc, TIRANE, 9) == expected


def test_send_instant_is_nine_local_in_utc_on_both_sides_of_dst():
    assert send_instant(date(2026, 3, 28), TIRANE, 9) == datetime(2026, 3, 28, 8, 0, tzinfo=UTC)
    assert send_instant(date(2026, 3, 29), TIRANE, 9) == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)
    assert send_instant(date(2026, 10, 25), TIRANE, 9) == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)


@freeze_time("2026-03-29 06:30:00")
def test_frozen_clock_before_nine_local_on_the_dst_day_sends_yesterdays_reminders():
    assert sending_day(clock.now(), TIRANE, 9) == date(2026, 3, 28)
    reminder = due_reminder(
        Deadline("k", "approval_due", 1, date(2026, 4, 5)), POLICY, sending_day(clock.now(), TIRANE, 9), EVERY_DAY)
    assert reminder is not None and reminder.offset_days == 30  # the 7-day one is due at 09:00 today, not yet


def test_gap_warnings_use_their_offsets_until_the_lapse_and_always_escalate():
    offsets = (365, 180, 90, 30, 7)
    assert due_gap_warning(LAPSE, offsets, DUE - timedelta(days=366), EVERY_DAY) is None
    warning = due_gap_warning(LAPSE, offsets, DUE - timedelta(days=100), EVERY_DAY)
    assert (warning.offset_days, warning.escalate) == (180, True)
    assert due_gap_warning(LAPSE, offsets, DUE - timedelta(days=3), EVERY_DAY).offset_days == 7
    assert due_gap_warning(LAPSE, offsets, DUE + timedelta(days=1), EVERY_DAY) is None


def test_a_reminder_due_on_a_non_working_day_goes_out_on_the_working_day_before():
    christmas_deadline = Deadline("k", "approval_due", 1, date(2026, 1, 1))  # offset 7: Thursday 25 Dec
    reminder = due_reminder(christmas_deadline, POLICY, date(2025, 12, 24), ALBANIA)
    assert (reminder.offset_days, reminder.send_on) == (7, date(2025, 12, 24))
    assert due_reminder(christmas_deadline, POLICY, date(2025, 12, 23), ALBANIA).offset_days == 30
    weekend = Deadline("k", "approval_due", 1, date(2026, 7, 5))  # offset 1: Saturday 4 July
    assert due_reminder(weekend, POLICY, date(2026, 7, 3), ALBANIA).send_on == date(2026, 7, 3)


def test_an_overdue_notice_due_on_a_non_working_day_waits_for_the_next_working_day():
    friday = Deadline("k", "approval_due", 1, date(2026, 7, 3))  # one day late: Saturday
    assert due_reminder(friday, POLICY, date(2026, 7, 4), ALBANIA) is None
    late = due_reminder(friday, POLICY, date(2026, 7, 6), ALBANIA)
    assert (late.offset_days, late.send_on) == (-1, date(2026, 7, 6))


def test_a_gap_warning_on_a_holiday_goes_out_the_working_day_before():
    lapse = Deadline("k", "period_end", 1, date(2026, 12, 31))  # 7 days before: Thursday 24 Dec, then Christmas
    warning = due_gap_warning(Deadline("k", "period_end", 1, date(2027, 1, 1)), (7,), date(2026, 12, 24), ALBANIA)
    assert warning is not None and warning.send_on == date(2026, 12, 24)
    assert due_gap_warning(lapse, (7,), date(2026, 12, 23), ALBANIA) is None


def test_past_the_due_day_no_before_due_reminder_is_caught_up_while_the_overdue_notice_waits():
    labour_day_eve = Deadline("k", "report_due", 1, date(2020, 4, 30))  # due +1 is 1 May, a holiday
    assert due_reminder(labour_day_eve, POLICY, date(2020, 5, 1), ALBANIA) is None
    assert due_reminder(labour_day_eve, POLICY, date(2020, 5, 4), ALBANIA).offset_days == -1
