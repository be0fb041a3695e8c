"""Tables of consultation records. The schema itself comes from migration 0008.

A round hangs off a strategy (``strategies.id``); its history, events and submissions hang off
the round, and a submission's responses off the submission. Responses are appended, never
rewritten: the latest one is the submission's answer, the earlier ones its history.
Participants of an event are a JSON object from stakeholder category code to head count.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlmodel import Field, SQLModel

from workflow.consultation.states import ROUND_EVENTS, ROUND_STATES
from workflow.core import check_in, instant_field
from workflow.lifecycle import Strategy  # noqa: F401  (named by its foreign keys)

CHANNELS = ("e_register", "meetings", "written", "online")
EVENT_KINDS = ("roundtable", "workshop", "hearing", "online_session")
DECISIONS = ("accepted", "partly_accepted", "not_accepted")


def _flag() -> Any:
    return Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))


def _round_fk() -> Any:
    return Field(sa_column=Column(Integer, ForeignKey("consultation_rounds.id"), nullable=False, index=True))


class StakeholderCategory(SQLModel, table=True):
    """Who can be consulted, as reference data: nine built in by migration 0008, more added by admins."""

    __tablename__ = "stakeholder_categories"

    code: str = Field(sa_column=Column(String(40), primary_key=True))
    label_en: str = Field(sa_column=Column(String(200), nullable=False))
    label_sq: str = Field(sa_column=Column(String(200), nullable=False))
    builtin: bool = _flag()


class ConsultationRound(SQLModel, table=True):
    """One round of public consultation on a strategy: open from ``opened_on`` (day 0) until
    ``closes_on``, then closed on ``closed_on``. ``number`` counts a strategy's rounds from 1."""

    __tablename__ = "consultation_rounds"
    __table_args__ = (
        UniqueConstraint("strategy_id", "number", name="uq_consultation_rounds_number"),
        # One open round per strategy, held by the database: two openings racing cannot both win.
        Index("uq_consultation_rounds_one_open", "strategy_id", unique=True,
              sqlite_where=text("state = 'open'"), postgresql_where=text("state = 'open'")),
        check_in("state", ROUND_STATES, "ck_consultation_rounds_state"),
        CheckConstraint("closes_on > opened_on", name="ck_consultation_rounds_closes_after_opening"),
        CheckConstraint("(state = 'closed') = (closed_on IS NOT NULL)", name="ck_consultation_rounds_closed_on"),
        CheckConstraint("version >= 1", name="ck_consultation_rounds_version_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    strategy_id: int = Field(sa_column=Column(Integer, ForeignKey("strategies.id"), nullable=False, index=True))
    number: int
    opened_on: date
    closes_on: date
    channels: list[str] = Field(sa_column=Column(JSON, nullable=False))
    state: str = Field(sa_column=Column(String(10), nullable=False))
    closed_on: date | None = None
    version: int = Field(default=1, nullable=False)
    # Made-up or reconstructed records (the demo's): reports say so.
    illustrative: bool = _flag()
    # The opening day is not known exactly (imported history).
    effective_on_approximate: bool = _flag()
    created_at: datetime = instant_field(nullable=False)
    updated_at: datetime = instant_field(nullable=False)


class RoundChange(SQLModel, table=True):
    """One row of a round's history: opened, extended (closing day before and after, why) or closed."""

    __tablename__ = "consultation_round_changes"
    __table_args__ = (check_in("event", ROUND_EVENTS, "ck_consultation_round_changes_event"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = _round_fk()
    event: str = Field(sa_column=Column(String(10), nullable=False))
    from_state: str | None = Field(default=None, sa_column=Column(String(10), nullable=True))
    to_state: str = Field(sa_column=Column(String(10), nullable=False))
    closes_on_before: date | None = None
    closes_on_after: date
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    actor: str = Field(sa_column=Column(String(200), nullable=False))
    effective_on: date
    recorded_at: datetime = instant_field(nullable=False)


class ConsultationEvent(SQLModel, table=True):
    """A meeting of a round (roundtable, workshop, hearing, online session) and who came, by category."""

    __tablename__ = "consultation_events"
    __table_args__ = (check_in("kind", EVENT_KINDS, "ck_consultation_events_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = _round_fk()
    held_on: date
    kind: str = Field(sa_column=Column(String(20), nullable=False))
    place: str = Field(sa_column=Column(String(300), nullable=False))
    participants: dict[str, int] = Field(sa_column=Column(JSON, nullable=False))
    illustrative: bool = _flag()
    actor: str = Field(sa_column=Column(String(200), nullable=False))
    recorded_at: datetime = instant_field(nullable=False)


class Submission(SQLModel, table=True):
    """A comment received in a round: from whom, of which stakeholder category, when, saying what."""

    __tablename__ = "consultation_submissions"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = _round_fk()
    submitted_by: str = Field(sa_column=Column(String(200), nullable=False))
    organisation: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    category: str = Field(
        sa_column=Column(String(40), ForeignKey("stakeholder_categories.code"), nullable=False, index=True)
    )
    received_on: date
    summary: str = Field(sa_column=Column(Text, nullable=False))
    illustrative: bool = _flag()
    actor: str = Field(sa_column=Column(String(200), nullable=False))
    recorded_at: datetime = instant_field(nullable=False)


class SubmissionResponse(SQLModel, table=True):
    """The answer to a submission: accepted, partly accepted or not accepted, with the reason
    whenever it was not fully accepted (the consultation report publishes it)."""

    __tablename__ = "consultation_responses"
    __table_args__ = (
        check_in("decision", DECISIONS, "ck_consultation_responses_decision"),
        CheckConstraint("decision = 'accepted' OR reason IS NOT NULL", name="ck_consultation_responses_reason"),
    )

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(
        sa_column=Column(Integer, ForeignKey("consultation_submissions.id"), nullable=False, index=True)
    )
    decision: str = Field(sa_column=Column(String(20), nullable=False))
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    responded_on: date
    actor: str = Field(sa_column=Column(String(200), nullable=False))
    effective_on_approximate: bool = _flag()
    recorded_at: datetime = instant_field(nullable=False)
