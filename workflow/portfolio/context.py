"""What an import needs to know of the database, read in a few chunked queries before anything is
written: the institutions, contacts and strategies the file names that exist already, and, for
those strategies, what the file would be compared with (their columns, history and revisions).

An empty table is read no further, so importing into an empty database costs a few statements.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlmodel import Session, col

from workflow.directory import Contact, Institution
from workflow.lifecycle import StageChange, Strategy, StrategyRevision
from workflow.portfolio.reading import Parsed
from workflow.portfolio.validate import LinkFacts

CHUNK = 1_000
T = TypeVar("T")
HistoryKey = tuple[str, Any, bool, str | None]  # event, effective_on, approximate, comment
STRATEGY_COLUMNS = (
    "id", "import_key", "title", "policy_area", "kind", "lead_institution_id", "parent_id", "predecessor_id",
    "period_start", "period_end", "drafting_due", "consultation_due", "approval_due", "min_consultation_days",
    "reminder_offsets", "overdue_offsets", "stage", "stage_entered_on", "drafting_started_on", "approval_reference",
    "approval_reference_unknown", "approved_on", "expired_on", "expiry_reason",
)


@dataclass
class ExistingStrategy:
    id: int
    key: str | None
    columns: dict[str, Any]
    history: list[HistoryKey] = field(default_factory=list)
    revisions: int = 0

    @property
    def facts(self) -> LinkFacts:
        c = self.columns
        return LinkFacts(c["kind"], c["policy_area"], c["parent_id"] is None, c["period_start"], c["period_end"])


@dataclass
class Context:
    institutions: dict[str, int] = field(default_factory=dict)  # case-folded name -> id
    contacts: dict[tuple[int | None, str], dict[str, Any]] = field(default_factory=dict)
    by_key: dict[str, ExistingStrategy] = field(default_factory=dict)
    # Strategies without a key, by title, policy area and kind, oldest first.
    by_title: dict[tuple[str, str, str], list[ExistingStrategy]] = field(default_factory=dict)

    @property
    def link_facts(self) -> dict[str, LinkFacts]:
        return {key: found.facts for key, found in self.by_key.items()}


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for offset in range(0, len(items), size):
        yield items[offset:offset + size]


def read_context(session: Session, parsed: Parsed) -> Context:
    context = Context()
    if _has_rows(session, Institution):
        names = sorted({row.name.lower() for _, row in parsed.institutions})
        for part in chunks(names):
            query = select(col(Institution.id), func.lower(col(Institution.name))).where(
                func.lower(col(Institution.name)).in_(part))
            context.institutions.update({name: row_id for row_id, name in session.execute(query)})
        _read_contacts(session, context)
    if _has_rows(session, Strategy):
        _read_strategies(session, parsed, context)
    return context


def _has_rows(session: Session, model: Any) -> bool:
    return session.scalar(select(col(model.id)).limit(1)) is not None


def _read_contacts(session: Session, context: Context) -> None:
    ids = sorted(context.institutions.values())
    for part in chunks(ids):
        query = select(
            col(Contact.institution_id), col(Contact.email_key), col(Contact.name), col(Contact.language),
            col(Contact.roles), col(Contact.delivery),
        ).where(col(Contact.institution_id).in_(part))
        for institution_id, email_key, name, language, roles, delivery in session.execute(query):
            context.contacts[(institution_id, email_key)] = {"name": name, "language": language, "roles": roles,
                                                             "delivery": delivery}


def _read_strategies(session: Session, parsed: Parsed, context: Context) -> None:
    columns = [col(getattr(Strategy, name)) for name in STRATEGY_COLUMNS]
    keys = sorted({row.key for _, row in parsed.strategies}
                  | {ref for _, row in parsed.strategies for ref in (row.parent, row.predecessor) if ref}
                  | {value for _, row in parsed.strategies for revision in row.revisions
                     for old_new in [revision.changes.get("predecessor")] if old_new
                     for value in old_new if isinstance(value, str)})
    for part in chunks(keys):
        for values in session.execute(select(*columns).where(col(Strategy.import_key).in_(part))):
            found = _existing(values)
            context.by_key[found.key or ""] = found
    titles = sorted({row.title for _, row in parsed.strategies if row.key not in context.by_key})
    for part in chunks(titles):
        query = select(*columns).where(col(Strategy.import_key).is_(None), col(Strategy.title).in_(part)).order_by(
            col(Strategy.id))
        for values in session.execute(query):
            found = _existing(values)
            c = found.columns
            context.by_title.setdefault((c["title"], c["policy_area"], c["kind"]), []).append(found)
    _read_histories(session, [*context.by_key.values(), *(f for same in context.by_title.values() for f in same)])


def _existing(values: Iterable[Any]) -> ExistingStrategy:
    columns = dict(zip(STRATEGY_COLUMNS, values, strict=True))
    return ExistingStrategy(id=columns["id"], key=columns["import_key"], columns=columns)


def _read_histories(session: Session, found: list[ExistingStrategy]) -> None:
    by_id = {item.id: item for item in found}
    for part in chunks(sorted(by_id)):
        history = session.execute(
            select(col(StageChange.strategy_id), col(StageChange.event), col(StageChange.effective_on),
                   col(StageChange.effective_on_approximate), col(StageChange.comment))
            .where(col(StageChange.strategy_id).in_(part)).order_by(col(StageChange.strategy_id), col(StageChange.id)))
        for strategy_id, *row in history:
            event, effective_on, approximate, comment = row
            by_id[strategy_id].history.append((event, effective_on, approximate, comment))
        counts: dict[int, int] = defaultdict(int)
        revisions = session.execute(
            select(col(StrategyRevision.strategy_id), func.count()).where(col(StrategyRevision.strategy_id).in_(part))
            .group_by(col(StrategyRevision.strategy_id)))
        counts.update({strategy_id: count for strategy_id, count in revisions})
        for strategy_id in part:
            by_id[strategy_id].revisions = counts[strategy_id]
