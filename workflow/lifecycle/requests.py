"""What callers may ask of the lifecycle, with the checks that need no database.

The API uses these models as request bodies and the CLI builds them too, so a bad field gets
the same answer wherever it comes from. Server-owned fields (ids, stage, version, approval
fields outside ``approve``, timestamps) are not here at all; unknown fields are refused.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, Strict

from workflow.core import Command, Comment, Id, PolicyArea, Reference, SaneDate, Title
from workflow.lifecycle.stages import LifecycleEvent

Kind = Literal["strategy", "action_plan"]


ConsultationDays = Annotated[int, Strict(), Field(ge=0, le=365)]


Offsets = Annotated[list[Annotated[int, Strict(), Field(ge=0, le=3650)]], Field(max_length=12)]


class StrategyFields(Command):
    """Fields shared by create and patch; cross-field checks live with the services."""

    drafting_started_on: SaneDate | None = Field(
        default=None,
        description="When drafting began; defaults to the day the strategy is registered, may be in the past, "
        "never in the future nor after its first transition.",
    )
    drafting_due: SaneDate | None = None
    consultation_due: SaneDate | None = None
    approval_due: SaneDate | None = None
    min_consultation_days: ConsultationDays | None = Field(
        default=None, description="Working days; empty means the deployment default."
    )
    reminder_offsets: Offsets | None = Field(
        default=None, description="Days before a deadline to remind; empty means the deployment default.",
        examples=[[90, 30, 7, 1]],
    )
    overdue_offsets: Offsets | None = Field(
        default=None, description="Days after a missed deadline to send overdue notices; empty means the default.",
        examples=[[1, 7]],
    )


class StrategyCreate(StrategyFields):
    title: Title = Field(examples=["National Strategy for Migration 2024-2030"])
    policy_area: PolicyArea = Field(examples=["migration"])
    kind: Kind = "strategy"
    parent_id: Id | None = Field(
        default=None, description="The strategy an action plan belongs to; none for a standalone action plan."
    )
    predecessor_id: Id | None = Field(default=None, description="The strategy this one succeeds.")
    lead_institution_id: Id
    period_start: SaneDate = Field(examples=["2024-01-01"])
    period_end: SaneDate = Field(examples=["2030-12-31"])


class StrategyPatch(StrategyFields):
    title: Title | None = None
    policy_area: PolicyArea | None = None
    predecessor_id: Id | None = None
    lead_institution_id: Id | None = None
    period_start: SaneDate | None = None
    period_end: SaneDate | None = None
    effective_on: SaneDate | None = Field(
        default=None,
        description="When the change was really made (recorded as a revision); defaults to today, may be in the "
        "past to import earlier edits, not before the previous revision.",
    )
    effective_on_approximate: Annotated[bool, Strict()] = Field(
        default=False, description="The day of the change is not known exactly; shown as approximate."
    )


NOT_NULLABLE_PATCH_FIELDS = frozenset(
    {"title", "policy_area", "lead_institution_id", "period_start", "period_end", "drafting_started_on"}
)
# Fields of a ``StrategyPatch`` that say when and how surely a change was made, not what to change.
REVISION_FIELDS = frozenset({"effective_on", "effective_on_approximate"})


class TransitionRequest(Command):
    event: LifecycleEvent
    comment: Comment | None = None
    effective_on: SaneDate | None = Field(
        default=None, description="When it happened; defaults to today, may be in the past for imported history."
    )
    effective_on_approximate: Annotated[bool, Strict()] = Field(
        default=False, description="The day is not known exactly (imported history); shown as approximate."
    )
    approval_reference: Reference | None = Field(default=None, examples=["DCM No. 400"])
    approval_reference_unknown: Annotated[bool, Strict()] = Field(
        default=False,
        description="For `approve`: the act's number is not known; instead of `approval_reference`, never with it.",
    )
    approved_on: SaneDate | None = None
    reason: Literal["superseded", "terminated"] | None = Field(
        default=None, description="For `expire` before the period has ended."
    )
