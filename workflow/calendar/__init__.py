"""The country's calendar: which days are working days. ``days`` holds the arithmetic every
working-day rule uses (a consultation's minimum and closing day, days left, reminder send days);
public holidays come from the ``holidays`` package for ``CONTINUUM_HOLIDAY_COUNTRY``, one-off days
a government declares are entered by an admin (``service``).
"""

from workflow.calendar.days import WEEKDAYS_ONLY, WorkingCalendar, public_holidays, supported_country
from workflow.calendar.models import NonWorkingDay
from workflow.calendar.requests import NonWorkingDayCreate
from workflow.calendar.service import (
    DECLARED,
    PUBLIC_HOLIDAY,
    CalendarDay,
    declare_non_working_day,
    non_working_days,
    remove_non_working_day,
    working_calendar,
)

__all__ = [
    "DECLARED",
    "PUBLIC_HOLIDAY",
    "WEEKDAYS_ONLY",
    "CalendarDay",
    "NonWorkingDay",
    "NonWorkingDayCreate",
    "WorkingCalendar",
    "declare_non_working_day",
    "non_working_days",
    "public_holidays",
    "remove_non_working_day",
    "supported_country",
    "working_calendar",
]
