"""When reminders are due: pure rules over a deadline, the offsets and the current moment.

Offsets are whole days: positive before the due date, negative after it (overdue notices).
A reminder for day D goes out from ``send_hour`` local time on D, or, when D is not a working
day, on the working day before it (an overdue notice: after it, since it cannot come before
the lateness it reports). After downtime only the
most recent missed offset is due, so a deadline never produces a burst of stale reminders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from workflow.calendar import WorkingCalendar
from workflow.reminders.deadlines import Deadline

DEADLINE_REMINDER = "deadline_reminder"
OVERDUE = "overdue"
GAP_WARNING = "gap_warning"
DELIVERY_FAILED = "delivery_failed"
REPORT_DUE = "report_due"
DIGEST = "digest"  # one email for several rows of one person (``workflow.reminders.digests``)
# The email kind of a before-due reminder, by deadline kind; anything not listed is a deadline_reminder.
BEFORE_DUE_KIND = {"report_due": REPORT_DUE}


@dataclass(frozen=True)
class ReminderPolicy:
    before: tuple[int, ...]
    after: tuple[int, ...]
    escalate_after_days: int

    @classmethod
    def of(cls, before: list[int], after: list[int], escalate_after_days: int) -> ReminderPolicy:
        return cls(tuple(sorted(set(before), reverse=True)), tuple(sorted(set(after))), escalate_after_days)


@dataclass(frozen=True)
class DueReminder:
    deadline: Deadline
    offset_days: int
    kind: str
    send_on: date
    escalate: bool


def sending_day(now: datetime, zone: ZoneInfo, send_hour: int) -> date:
    """The latest day whose reminders may go out at ``now``: today from ``send_hour`` local, else yesterday.

    Wall-clock comparison in the deployment zone, so daylight-saving changes move nothing.
    """
    local = now.astimezone(zone)
    return local.date() if local.time() >= time(send_hour) else local.date() - timedelta(days=1)


def send_instant(day: date, zone: ZoneInfo, send_hour: int) -> datetime:
    """The UTC instant at which ``day``'s reminders start going out."""
    return datetime.combine(day, time(send_hour), tzinfo=zone).astimezone(UTC)


def due_reminder(
    deadline: Deadline, policy: ReminderPolicy, day: date, calendar: WorkingCalendar
) -> DueReminder | None:
    """The one reminder due for ``deadline`` on ``day``: the latest offset whose send day has come.

    Earlier offsets that were missed are skipped on purpose (catch-up sends one, not a burst).
    The caller's ledger makes the result idempotent: the same reminder is recorded only once.
    """
    candidates = []
    if day <= deadline.due_on or not deadline.overdue_possible:  # after it, "due in N days" would be false
        candidates = [
            (offset, calendar.on_or_before(deadline.due_on - timedelta(days=offset))) for offset in policy.before
        ]
    if deadline.overdue_possible:
        candidates += [
            (-offset, calendar.on_or_after(deadline.due_on + timedelta(days=offset)))
            for offset in policy.after
            if offset > 0
        ]
    reached = [(send_on, offset) for offset, send_on in candidates if send_on <= day]
    if not reached:
        return None
    send_on, offset = max(reached)
    overdue = offset < 0
    return DueReminder(
        deadline=deadline,
        offset_days=offset,
        kind=OVERDUE if overdue else BEFORE_DUE_KIND.get(deadline.kind, DEADLINE_REMINDER),
        send_on=send_on,
        escalate=overdue and -offset >= policy.escalate_after_days,
    )


def due_gap_warning(
    deadline: Deadline, offsets: tuple[int, ...], day: date, calendar: WorkingCalendar
) -> DueReminder | None:
    """Like ``due_reminder`` for a lapse without a timely successor; always to escalation contacts too."""
    sends = [(calendar.on_or_before(deadline.due_on - timedelta(days=offset)), offset) for offset in offsets]
    reached = [(send_on, offset) for send_on, offset in sends if send_on <= day <= deadline.due_on]
    if not reached:
        return None
    send_on, offset = max(reached)
    return DueReminder(deadline=deadline, offset_days=offset, kind=GAP_WARNING, send_on=send_on, escalate=True)
