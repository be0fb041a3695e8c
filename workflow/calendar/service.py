"""Reading and keeping the calendar: the deployment's working calendar, and the declared days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import select
from sqlmodel import Session, col

from workflow.calendar.days import WorkingCalendar, public_holidays
from workflow.calendar.models import NonWorkingDay
from workflow.calendar.requests import NonWorkingDayCreate
from workflow.core import Conflict, Forbidden, NotFound, Settings, ValidationFailed, conflict_on_duplicate, record_event

PUBLIC_HOLIDAY = "public_holiday"
DECLARED = "declared"
HOLIDAY_LANGUAGES = {"en": "en_US", "sq": "sq"}


class Actor(Protocol):
    """Who changes the calendar (a ``workflow.access.Principal`` is one)."""

    @property
    def name(self) -> str: ...

    @property
    def role(self) -> str: ...


def _require_admin(actor: Actor) -> None:
    if actor.role != "admin":
        raise Forbidden("only an admin may change the working calendar")


def working_calendar(session: Session, settings: Settings) -> WorkingCalendar:
    """The calendar every working-day count of one request or task uses."""
    declared = frozenset(session.scalars(select(NonWorkingDay.day)))  # type: ignore[call-overload]
    return WorkingCalendar(country=settings.holiday_country or None, declared=declared)


@dataclass(frozen=True)
class CalendarDay:
    """A weekday that is not a working day, and why."""

    day: date
    name: str
    source: str
    declared_by: str | None = None


def non_working_days(session: Session, settings: Settings, year: int, language: str = "en") -> list[CalendarDay]:
    """Every public holiday and declared day of ``year``, by day (a day both is listed as declared)."""
    found = {
        day: CalendarDay(day, name, PUBLIC_HOLIDAY)
        for day, name in public_holidays(
            settings.holiday_country or None, year, HOLIDAY_LANGUAGES.get(language, "en_US")
        ).items()
    }
    declared = session.scalars(
        select(NonWorkingDay).where(col(NonWorkingDay.day).between(date(year, 1, 1), date(year, 12, 31)))
    )
    for row in declared:
        found[row.day] = CalendarDay(row.day, row.name, DECLARED, row.declared_by)
    return [found[day] for day in sorted(found)]


def declare_non_working_day(
    session: Session, command: NonWorkingDayCreate, settings: Settings, *, actor: Actor, now: datetime
) -> NonWorkingDay:
    """Record a day the government declared non-working. Dates already computed from the calendar
    (a consultation round's closing day) are not moved: they were right when they were set."""
    _require_admin(actor)
    calendar = working_calendar(session, settings)
    if session.get(NonWorkingDay, command.day) is not None:
        raise Conflict(f"{command.day.isoformat()} is already declared a non-working day")
    if command.day.weekday() >= 5:
        raise ValidationFailed.field("#/day", f"{command.day.isoformat()} is a weekend day, never a working day")
    if calendar.is_public_holiday(command.day):
        raise ValidationFailed.field("#/day", f"{command.day.isoformat()} is already a public holiday")
    row = NonWorkingDay(day=command.day, name=command.name, declared_by=actor.name, created_at=now)
    with conflict_on_duplicate(session, lambda: Conflict(f"{command.day.isoformat()} is already declared")):
        session.add(row)
    record_event(
        session, "non_working_day_declared", strategy_id=None,
        payload={"day": command.day.isoformat(), "name": command.name, "actor": actor.name}, at=now,
    )
    return row


def remove_non_working_day(session: Session, day: date, *, actor: Actor, now: datetime) -> None:
    _require_admin(actor)
    row = session.get(NonWorkingDay, day)
    if row is None:
        raise NotFound(f"{day.isoformat()} is not a declared non-working day")
    session.delete(row)
    session.flush()
    record_event(
        session, "non_working_day_removed", strategy_id=None,
        payload={"day": day.isoformat(), "name": row.name, "actor": actor.name}, at=now,
    )
