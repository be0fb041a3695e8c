"""A strategy's life as data and its one writer: the stages and events (``stages``), the transition
table (``transitions``), the guards, ``machine.apply_transition`` (the only code that changes a
stage), the strategy service, the request models, automatic expiry, the in-force interval, and the
authorization of links between rows (``links``: a field naming another row is checked against that row),
and what an actor may do to a strategy, the same through every adapter (``acting``); each edit is
recorded as a revision effective when it was really made, with the drafting start (``revisions``);
facts recorded as not known exactly (``uncertain``: an act number unknown, an approximate date).
"""

from workflow.lifecycle import guards
from workflow.lifecycle.acting import Actor, edit_as, transition_as
from workflow.lifecycle.expiry import expire_due
from workflow.lifecycle.guards import ConsultationProgress, ConsultationRecords, Outstanding, consultation_progress
from workflow.lifecycle.in_force import Interval, in_force_interval
from workflow.lifecycle.links import AuthorizeLink, OwnerOf, authorize_links, links_of, strategy_owner
from workflow.lifecycle.machine import apply_transition, consultation_status, history
from workflow.lifecycle.models import StageChange, Strategy, StrategyRevision
from workflow.lifecycle.requests import (
    ConsultationDays,
    Kind,
    Offsets,
    StrategyCreate,
    StrategyPatch,
    TransitionRequest,
)
from workflow.lifecycle.revisions import revisions_of
from workflow.lifecycle.stages import IN_FORCE_STAGES, LifecycleEvent, Stage
from workflow.lifecycle.strategies import (
    StrategyFilter,
    backdating_floor_for,
    consultation_floor_for,
    create_strategy,
    get_strategy,
    list_strategies,
    lock_strategy,
    update_strategy,
)
from workflow.lifecycle.transitions import TRANSITIONS, allowed_events
from workflow.lifecycle.uncertain import approximate_approvals

__all__ = [
    "Actor",
    "AuthorizeLink",
    "ConsultationDays",
    "ConsultationProgress",
    "ConsultationRecords",
    "IN_FORCE_STAGES",
    "Interval",
    "Kind",
    "LifecycleEvent",
    "Offsets",
    "OwnerOf",
    "Outstanding",
    "Stage",
    "StageChange",
    "Strategy",
    "StrategyCreate",
    "StrategyFilter",
    "StrategyPatch",
    "StrategyRevision",
    "TRANSITIONS",
    "TransitionRequest",
    "allowed_events",
    "apply_transition",
    "approximate_approvals",
    "edit_as",
    "authorize_links",
    "backdating_floor_for",
    "consultation_floor_for",
    "consultation_progress",
    "consultation_status",
    "create_strategy",
    "expire_due",
    "get_strategy",
    "guards",
    "history",
    "in_force_interval",
    "links_of",
    "list_strategies",
    "lock_strategy",
    "strategy_owner",
    "transition_as",
    "revisions_of",
    "update_strategy",
]
