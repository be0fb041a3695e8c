"""What a page handler stands on: the request's settings, a read session, and a separate unit of
work for each change.

A POST does its change in ``changing(request)``: the block commits when it ends and rolls back
when it raises, so a refused form (caught *outside* the block) has saved nothing; the page is then
rendered again from fresh data with the errors next to their fields.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from workflow.core import Settings, unit_of_work


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def reading_session(request: Request) -> Iterator[Session]:
    with unit_of_work(request.app.state.engine) as session:
        yield session


@contextmanager
def changing(request: Request) -> Iterator[Session]:
    """One unit of work for one change: committed at the end of the block, rolled back if it raises."""
    with unit_of_work(request.app.state.engine) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
ReadSession = Annotated[Session, Depends(reading_session, scope="function")]
