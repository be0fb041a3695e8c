"""The working calendar: public holidays and the non-working days an admin declares."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import BaseModel

from api.auth import PrincipalDep, require_roles
from api.deps import SessionDep, SettingsDep
from api.problems import responses
from workflow import calendar
from workflow.core import SaneDate, clock

router = APIRouter(tags=["working calendar"])
Language = Literal["en", "sq"]
# Built at import (not read from an annotation later), so a frozen clock's FakeDate never reaches FastAPI.
DeclaredDay = Annotated[SaneDate, Path(description="A declared day, e.g. 2026-12-24.")]
ADMIN_ONLY = [require_roles()]


class NonWorkingDayOut(BaseModel):
    day: date
    name: str
    source: Literal["public_holiday", "declared"]
    declared_by: str | None = None


def _out(day: calendar.CalendarDay) -> NonWorkingDayOut:
    return NonWorkingDayOut(day=day.day, name=day.name, source=day.source, declared_by=day.declared_by)


@router.get("/non-working-days", response_model=list[NonWorkingDayOut], responses=responses(422))
def list_non_working_days(
    session: SessionDep,
    settings: SettingsDep,
    year: Annotated[int | None, Query(ge=1990, le=2100, description="Default: this year.")] = None,
    lang: Annotated[Language | None, Query(description="Language of holiday names; default: the deployment's.")] = None,
) -> list[NonWorkingDayOut]:
    """Weekdays that are not working days in ``year``: the country's public holidays
    (``CONTINUUM_HOLIDAY_COUNTRY``, observed days included) and the days an admin declared."""
    chosen = year or clock.today(settings.zone).year
    return [_out(d) for d in calendar.non_working_days(session, settings, chosen, lang or settings.language)]


@router.post("/non-working-days", status_code=status.HTTP_201_CREATED, response_model=NonWorkingDayOut,
             responses=responses(409, 422), dependencies=ADMIN_ONLY)
def declare_non_working_day(
    command: calendar.NonWorkingDayCreate, session: SessionDep, settings: SettingsDep, principal: PrincipalDep,
    response: Response,
) -> NonWorkingDayOut:
    """A day the government declared non-working (by decision): no working-day count includes it
    from now on. Closing days already set (a consultation round's) do not move."""
    row = calendar.declare_non_working_day(session, command, settings, actor=principal, now=clock.now())
    response.headers["Location"] = f"/non-working-days/{row.day.isoformat()}"
    return NonWorkingDayOut(day=row.day, name=row.name, source="declared", declared_by=row.declared_by)


@router.delete("/non-working-days/{day}", status_code=status.HTTP_204_NO_CONTENT, responses=responses(404, 422),
               dependencies=ADMIN_ONLY)
def remove_non_working_day(
    day: DeclaredDay, session: SessionDep,
    principal: PrincipalDep,
) -> Response:
    calendar.remove_non_working_day(session, day, actor=principal, now=clock.now())
    return Response(status_code=status.HTTP_204_NO_CONTENT)
