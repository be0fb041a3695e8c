"""Request-scoped dependencies: the session (unit of work), settings and If-Match. Who acts: ``api.auth``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Path, Request
from sqlmodel import Session

from workflow.db import new_session
from workflow.errors import DomainError
from workflow.settings import Settings

MAX_ID = 2**31 - 1
MAX_PAGE_SIZE = 200


def get_session(request: Request) -> Iterator[Session]:
    """One session per request. Routes that write commit explicitly before rendering; anything
    left uncommitted (an error, a read) is rolled back when the session closes."""
    session = new_session(request.app.state.engine)
    try:
        yield session
    finally:
        session.close()


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


class MalformedIfMatch(DomainError):
    status = 400
    slug = "malformed-if-match"
    title = "Malformed If-Match header"


def expected_version(
    if_match: Annotated[str | None, Header(description='The ETag you read, e.g. "3"; a stale one gets 412.')] = None,
) -> set[int] | None:
    """The versions the client says it has seen. ``*`` and no header mean any version."""
    if if_match is None or if_match.strip() == "*":
        return None
    versions = set()
    for tag in if_match.split(","):
        tag = tag.strip()
        if tag.startswith("W/"):
            raise MalformedIfMatch("If-Match needs a strong ETag such as \"3\", not a weak one")
        digits = tag.strip('"')
        if not (tag.startswith('"') and tag.endswith('"') and digits.isascii() and digits.isdigit() and len(digits) <= 9):
            raise MalformedIfMatch(f"If-Match must list ETags such as \"3\"; got {if_match!r}")
        versions.add(int(digits))
    return versions


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
IfMatchDep = Annotated[set[int] | None, Depends(expected_version)]


def id_path(name: str) -> object:
    return Path(ge=1, le=MAX_ID, description=f"The {name}'s id.")
