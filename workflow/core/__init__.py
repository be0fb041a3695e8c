"""What every topic stands on: the one clock, the settings, the database session and its unit of
work, column types, field types, the catalogue of domain errors, the outbox, PATCH handling and
the working-day calendar. It imports no other topic.
"""

from workflow.core import clock
from workflow.core.clock import local_date
from workflow.core.columns import ExactDecimal, UTCDateTime
from workflow.core.db import (
    conflict_on_duplicate,
    get_or_not_found,
    insert_ignoring_conflict,
    make_engine,
    new_session,
    unit_of_work,
)
from workflow.core.errors import (
    ConcurrentUpdate,
    Conflict,
    ContentTooLarge,
    DeliveryError,
    DomainError,
    FieldError,
    Forbidden,
    GuardRefused,
    IllegalTransition,
    MalformedIfMatch,
    NotFound,
    PermanentDeliveryError,
    ServerBusy,
    StaleVersion,
    TemporaryDeliveryError,
    TooManyFailedAuthentications,
    Unauthenticated,
    ValidationFailed,
)
from workflow.core.fields import (
    EARLIEST_DATE,
    LATEST_DATE,
    POLICY_AREA_PATTERN,
    Command,
    Comment,
    Email,
    Id,
    Name,
    PolicyArea,
    Reference,
    SaneDate,
    Title,
    no_line_breaks,
    no_nul,
)
from workflow.core.machines import StateMachine, Step
from workflow.core.outbox import OutboxEvent, events_after, record_event
from workflow.core.patching import apply_changes, requested_changes
from workflow.core.settings import Settings, get_settings
from workflow.core.workdays import add_working_days, working_days_between

__all__ = [
    "EARLIEST_DATE",
    "LATEST_DATE",
    "POLICY_AREA_PATTERN",
    "Command",
    "Comment",
    "ConcurrentUpdate",
    "Conflict",
    "ContentTooLarge",
    "DeliveryError",
    "DomainError",
    "Email",
    "ExactDecimal",
    "FieldError",
    "Forbidden",
    "GuardRefused",
    "Id",
    "IllegalTransition",
    "MalformedIfMatch",
    "Name",
    "NotFound",
    "OutboxEvent",
    "PermanentDeliveryError",
    "PolicyArea",
    "Reference",
    "SaneDate",
    "ServerBusy",
    "Settings",
    "StaleVersion",
    "StateMachine",
    "Step",
    "TemporaryDeliveryError",
    "Title",
    "TooManyFailedAuthentications",
    "UTCDateTime",
    "Unauthenticated",
    "ValidationFailed",
    "add_working_days",
    "apply_changes",
    "clock",
    "events_after",
    "conflict_on_duplicate",
    "get_or_not_found",
    "get_settings",
    "insert_ignoring_conflict",
    "local_date",
    "make_engine",
    "new_session",
    "no_line_breaks",
    "no_nul",
    "record_event",
    "requested_changes",
    "unit_of_work",
    "working_days_between",
]
