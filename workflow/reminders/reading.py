"""The one read before a send: everything re-checking a claimed row and composing its email needs.

A claimed ledger row is re-checked against the current state (is a later reminder recorded for
it, does its strategy still exist, is its deadline still live) and then composed (the strategy,
the recipient, and what its kind of notice says). ``read_for_sending`` gets all of it in one
SELECT: the row's strategy and recipient, whether it is superseded, and whatever the deadline
source (``Recheck``) and the composer add to the statement (``Extension``), by label.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from workflow.directory import Contact
from workflow.lifecycle import Strategy
from workflow.reminders.ledger import superseded_by_later
from workflow.reminders.models import Notification

# Adds labelled columns (and the joins they need) to the read; the statement selects from the row
# itself (``Notification``, filtered to its id), so an extension may correlate with its columns.
# An aliased entity it joins is made once, at import: making one for every read costs more than the read.
Extension = Callable[[Select[Any]], Select[Any]]


def unchanged(query: Select[Any]) -> Select[Any]:
    """The extension that adds nothing (the read runs its prebuilt statement as it is)."""
    return query


@dataclass(frozen=True)
class Reading:
    """A claimed row and what was read with it. ``values`` holds the extensions' labelled columns."""

    row: Notification
    strategy: Strategy | None
    recipient: Contact | None
    superseded: bool
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Recheck:
    """What a deadline source adds to the read (``extend``) and how it decides from what was read
    whether the row's deadline still exists with the same due date (``holds``)."""

    holds: Callable[[Reading], bool]
    extend: Extension = unchanged


NEVER = Recheck(holds=lambda reading: False)  # for a row whose key names nothing the source can find


_LATER = aliased(Notification, name="later")
# Built once, the row's values bound per read: a worker runs it for every email. ``superseded``: a
# later offset of the row's deadline (same due date) is recorded for the same recipient, and the
# newest reminder replaces the older ones (``ledger.cancel_superseded``).
_READ = cast(Select[Any], (
    select(
        Strategy,
        Contact,
        superseded_by_later(_LATER, bindparam("deadline_key"), bindparam("due_on"), bindparam("contact_id"),
                            bindparam("offset_days")).label("superseded"),
    )
    .select_from(Notification)
    .outerjoin(Strategy, col(Strategy.id) == col(Notification.strategy_id))
    .outerjoin(Contact, col(Contact.id) == col(Notification.contact_id))
    .where(col(Notification.id) == bindparam("row_id"))
))


def read_for_sending(session: Session, row: Notification, *extensions: Extension) -> Reading:
    """One SELECT: ``row``'s strategy and recipient (None if gone), whether it is superseded, and
    every extension's columns."""
    query = _READ
    for extend in extensions:
        if extend is not unchanged:
            query = extend(query)
    values = {"row_id": row.id, "deadline_key": row.deadline_key, "due_on": row.due_on,
              "contact_id": row.contact_id, "offset_days": row.offset_days}
    found = session.execute(query, values).one()._mapping
    return Reading(
        row=row,
        strategy=found[Strategy],
        recipient=found[Contact],
        superseded=bool(found["superseded"]),
        values={key: value for key, value in found.items() if isinstance(key, str)},
    )


def recheck_now(session: Session, row: Notification, check: Recheck) -> bool:
    """``check`` on its own read: a source's ``still_live`` outside a send."""
    return check.holds(read_for_sending(session, row, check.extend))
