"""Links between rows: a field that names another row is authorized against that row.

Writing a row is authorized against the row (its institution); a field of it that names another
row (``parent_id``, ``predecessor_id``, ``objective_id``, anything added later) must be too, or a
coordinator of one institution could hang its objects onto another's. Which columns are links
is read from the table's foreign keys, not from a list, so a linking column added later is
checked without anyone remembering to; who owns a linked row is one rule per linked table
(``owners``), and a table with no rule is a programming error, raised at once.

``authorize_link(institution_id, what)`` is the caller's decision, as ``authorize`` is for the
row itself: it raises (``Forbidden``) when the caller may not write that institution's objects.
The API passes ``Principal.require_institution``; code that acts for the system passes none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import inspect
from sqlmodel import Session, SQLModel

from workflow.lifecycle.models import Strategy

AuthorizeLink = Callable[[int, str], None]
OwnerOf = Callable[[Session, int], int | None]

_SINGULAR = {"strategies": "strategy"}


def links_of(model: type[SQLModel]) -> dict[str, str]:
    """The linking columns of ``model``'s table and the table each names, from its foreign keys."""
    table = inspect(model).local_table
    return {fk.parent.name: fk.column.table.name for fk in table.foreign_keys}


def authorize_links(
    session: Session,
    model: type[SQLModel],
    fields: Mapping[str, Any],
    authorize_link: AuthorizeLink | None,
    owners: Mapping[str, OwnerOf | None],
    prefix: str = "#",
) -> None:
    """Call ``authorize_link`` with the owner of every row that ``fields`` (column values of
    ``model``) link to. ``owners[table]`` gives the institution owning a row of ``table`` (None for
    an unknown id, left to the field checks' 422); an ``owners`` entry of None marks a table whose
    rows nobody owns in this sense (the directory of institutions, which only admins write)."""
    if authorize_link is None:
        return
    for column, target in sorted(links_of(model).items()):
        value = fields.get(column)
        if value is None:
            continue
        if target not in owners:
            raise LookupError(f"{model.__name__}.{column} links to {target}, for which no owner rule is given")
        owner_of = owners[target]
        if owner_of is None:
            continue
        institution_id = owner_of(session, value)
        if institution_id is not None:
            noun = _SINGULAR.get(target, target.removesuffix("s"))
            authorize_link(institution_id, f"{prefix}/{column} ({noun} {value})")


def strategy_owner(session: Session, strategy_id: int) -> int | None:
    """A strategy or action plan is its lead institution's."""
    strategy = session.get(Strategy, strategy_id)
    return strategy.lead_institution_id if strategy is not None else None


def institution_itself(_: Session, institution_id: int) -> int:
    """Naming an institution as the owner of a row (``lead_institution_id``) is acting for it."""
    return institution_id


STRATEGY_OWNERS: Mapping[str, OwnerOf | None] = {"strategies": strategy_owner, "institutions": institution_itself}
