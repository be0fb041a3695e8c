"""What a carrier's outcome does to the rows merged into it (``workflow.reminders.same_day``).

A ``merged`` row is closed on the promise that its carrier's email says it too. A carrier that ends
``cancelled`` or ``failed`` never said it, so whoever records that outcome calls ``unmerge`` in the
same transaction: the merged rows go back to ``pending``, due at once and carried by nobody, and the
next pass hands them out as themselves (or merges them into another email about the lapse that
still goes today). Only a gap warning carries (``may_carry``): a caller skips the statement for
other rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import cast

from sqlalchemy import Table, update
from sqlmodel import Session

from workflow.reminders.models import Notification
from workflow.reminders.statuses import NOTIFICATIONS, NotificationEvent
from workflow.reminders.timing import GAP_WARNING

_TABLE = cast(Table, Notification.__table__)  # type: ignore[attr-defined]


def may_carry(kind: str) -> bool:
    """Whether a row of ``kind`` can have rows merged into it."""
    return kind == GAP_WARNING


def unmerge(session: Session, carrier_ids: Iterable[int], *, now: datetime) -> list[int]:
    """Reopen the rows merged into ``carrier_ids`` (carriers that ended without sending them); returns
    their ids. No statement when ``carrier_ids`` is empty."""
    ids = sorted(set(carrier_ids))
    if not ids:
        return []
    return list(session.scalars(
        update(_TABLE)
        .where(_TABLE.c.carrier_id.in_(ids), _TABLE.c.status.in_(NOTIFICATIONS.sources(NotificationEvent.UNMERGE)))
        .values(status=NOTIFICATIONS.move(NotificationEvent.UNMERGE).target, carrier_id=None, due_at=now,
                claim_token=None, closed_at=None)
        .returning(_TABLE.c.id)
    ))
