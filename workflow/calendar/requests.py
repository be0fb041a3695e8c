"""What callers may ask of the calendar."""

from __future__ import annotations

from pydantic import Field

from workflow.core import Command, Name, SaneDate


class NonWorkingDayCreate(Command):
    day: SaneDate = Field(examples=["2026-12-24"])
    name: Name = Field(examples=["Christmas Eve (Council of Ministers decision)"])
