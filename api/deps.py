"""Request-scoped dependencies: the session (unit of work), settings and If-Match. Who acts: ``api.auth``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Path, Request
from sqlmodel import Session

from workflow.core import MalformedIfMatch, Settings, unit_of_work

MAX_ID = 2**31 - 1
MAX_PAGE_SIZE = 200


def get_session(request: Request) -> Iterator[Session]:
    """The request's unit of work: one session, committed when the endpoint returns and rolled back
    when it raises. Its scope is the endpoint function, so the commit happens before the response
    is sent: a commit that fails is the request's error, never a success reported for lost work."""
    with unit_of_work(request.app.state.engine) as session:
        yield session


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


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
        quoted = tag.startswith('"') and tag.endswith('"')
        if not (quoted and digits.isascii() and digits.isdigit() and len(digits) <= 9):
            raise MalformedIfMatch(f"If-Match must list ETags such as \"3\"; got {if_match!r}")
        versions.add(int(digits))
    return versions


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]
IfMatchDep = Annotated[set[int] | None, Depends(expected_version)]


def id_path(name: str) -> object:
    return Path(ge=1, le=MAX_ID, description=f"The {name}'s id.")
