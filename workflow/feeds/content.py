"""What a feed shows: the live deadlines that concern its owner, read from the same deadline sources
(``workflow.scheduler.SOURCES``) and recipient rules (``RecipientBook``) the reminders use, so a
calendar and the emails never disagree about what is due for whom.

* A contact's feed holds the deadlines whose reminders go to them: those of their institution for
  the role the deadline's reminders go to (stage due dates and lapses, consultation rounds: the lead
  institution's coordinators; report due dates: the reporting institution's contact points).
  Escalation contacts hear of a deadline only once it is late, so it is not on their calendar.
* An institution's feed holds every deadline it must act on, and the reports it chases as the
  plan's lead institution, as the agenda shows its coordinators.

The sources are read for the owner's strategies only (those its institution leads, and the plans
it is responsible for measures in), so a feed costs what concerns its owner, not the portfolio.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, union
from sqlmodel import Session, col

from workflow.consultation import round_of_key
from workflow.core import Settings
from workflow.directory import RecipientBook, institution_names
from workflow.feeds.tokens import FeedOwner
from workflow.lifecycle import Strategy
from workflow.monitoring import Measure, period_of_key
from workflow.reminders import LiveDeadline
from workflow.scheduler import SOURCES


@dataclass(frozen=True)
class FeedEntry:
    """One all-day event: a live deadline, with what its summary and link need."""

    deadline_key: str
    kind: str
    due_on: date
    strategy_id: int
    title: str
    period_label: str | None = None
    reporting_institution: str | None = None  # named when it is not the feed's owner
    link: str | None = None


def _strategies_of(session: Session, institution_id: int) -> set[int]:
    """The strategies an institution leads, and the plans it is responsible for a measure in."""
    led = select(col(Strategy.id)).where(col(Strategy.lead_institution_id) == institution_id)
    measures = select(col(Measure.plan_id)).where(col(Measure.responsible_institution_id) == institution_id)
    return set(session.scalars(select(union(led, measures).subquery().c[0])))


def _live(session: Session, settings: Settings, strategy_ids: set[int]) -> list[LiveDeadline]:
    if not strategy_ids:
        return []
    return [item for source in SOURCES for item in source.live(session, settings, strategy_ids=strategy_ids)]


def _concerns(owner: FeedOwner, item: LiveDeadline, book: RecipientBook) -> bool:
    if owner.contact is not None:
        contact = owner.contact
        if item.institution_id != contact.institution_id:
            return False
        hearing = book.recipients(item.institution_id, role=item.recipient_role, escalate=False)
        return any(recipient.id == contact.id for recipient in hearing)
    return owner.institution_id in (item.institution_id, item.escalation_institution_id)


def _link(link_base: str, item: LiveDeadline) -> str:
    base = link_base.rstrip("/")
    round_id = round_of_key(item.deadline.key)
    if round_id is not None:
        return f"{base}/console/consultations/{round_id}"
    return f"{base}/console/strategies/{item.deadline.strategy_id}"


def feed_entries(session: Session, owner: FeedOwner, settings: Settings) -> list[FeedEntry]:
    """The owner's live deadlines, earliest first (then by key, so the order is stable)."""
    own_institution = owner.institution_id
    live = _live(session, settings, _strategies_of(session, own_institution))
    book = RecipientBook(session)
    if owner.contact is not None:
        book.load({own_institution})
    mine = [item for item in live if _concerns(owner, item, book)]
    ids = {item.deadline.strategy_id for item in mine}
    titles: dict[int, str] = {}
    if ids:
        rows = session.execute(select(col(Strategy.id), col(Strategy.title)).where(col(Strategy.id).in_(ids)))
        titles = {strategy_id: title for strategy_id, title in rows}
    others = {item.institution_id for item in mine if item.institution_id != own_institution}
    names = institution_names(session, others)
    entries = [
        FeedEntry(
            deadline_key=item.deadline.key, kind=item.deadline.kind, due_on=item.deadline.due_on,
            strategy_id=item.deadline.strategy_id, title=titles.get(item.deadline.strategy_id, ""),
            period_label=period_of_key(item.deadline.key), reporting_institution=names.get(item.institution_id),
            link=_link(settings.link_base, item),
        )
        for item in mine
    ]
    return sorted(entries, key=lambda entry: (entry.due_on, entry.deadline_key))
