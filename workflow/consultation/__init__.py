"""Consultation records, as Law No. 146/2014 on notification and public consultation asks: a
strategy in consultation has rounds (``rounds``: opened, extended with a reason, closed; their
states as data in ``states``, closing days counted in working days by ``workflow.calendar``), what
each gathered (``records``: events with participants by stakeholder category, submissions and the
response to each), stakeholder categories as bilingual reference data (``categories``), the
consultation report in English and Albanian (``report``), reminders before a round closes and
about unanswered submissions (``deadlines``), and the answer to the lifecycle's port (``RECORDS``):
a strategy goes for approval only with every round closed and every submission answered.

It builds on the lifecycle; the lifecycle never imports it (the port is passed in).
"""

from workflow.consultation.access import (
    RoundActions,
    may_open_round,
    may_write_records,
    require_records_writer,
    round_actions,
)
from workflow.consultation.categories import BUILTIN_CATEGORIES, create_category, label, list_categories
from workflow.consultation.deadlines import ROUND_CLOSES, SUBMISSIONS_UNANSWERED, RoundDeadlines, round_of_key
from workflow.consultation.models import (
    CHANNELS,
    DECISIONS,
    EVENT_KINDS,
    ConsultationEvent,
    ConsultationRound,
    RoundChange,
    StakeholderCategory,
    Submission,
    SubmissionResponse,
)
from workflow.consultation.outstanding import RECORDS, unanswered_count, unanswered_in_round
from workflow.consultation.records import (
    Answered,
    get_submission,
    is_late,
    record_event_of_round,
    record_submission,
    respond,
    responses_of,
)
from workflow.consultation.report import CONTENT_SECURITY_POLICY, ConsultationReport, as_csv, as_html, report_for
from workflow.consultation.requests import (
    CategoryCreate,
    EventCreate,
    ResponseCreate,
    RoundClose,
    RoundExtend,
    RoundOpen,
    SubmissionCreate,
)
from workflow.consultation.rounds import (
    ClosingBounds,
    close_round,
    closing_bounds,
    extend_round,
    get_round,
    list_rounds,
    open_round,
    round_history,
    working_days_left,
)
from workflow.consultation.states import ROUNDS, RoundEvent, RoundState
from workflow.consultation.views import Counts, RoundView, round_view, strategy_views
from workflow.consultation.wording import name_of

__all__ = [
    "BUILTIN_CATEGORIES",
    "CONTENT_SECURITY_POLICY",
    "CHANNELS",
    "DECISIONS",
    "EVENT_KINDS",
    "RECORDS",
    "ROUNDS",
    "ROUND_CLOSES",
    "SUBMISSIONS_UNANSWERED",
    "Answered",
    "CategoryCreate",
    "ClosingBounds",
    "ConsultationReport",
    "ConsultationEvent",
    "ConsultationRound",
    "Counts",
    "EventCreate",
    "ResponseCreate",
    "RoundActions",
    "RoundChange",
    "RoundClose",
    "RoundDeadlines",
    "RoundEvent",
    "RoundExtend",
    "RoundOpen",
    "RoundState",
    "RoundView",
    "StakeholderCategory",
    "Submission",
    "SubmissionCreate",
    "SubmissionResponse",
    "as_csv",
    "as_html",
    "close_round",
    "closing_bounds",
    "create_category",
    "extend_round",
    "get_round",
    "get_submission",
    "is_late",
    "label",
    "list_categories",
    "list_rounds",
    "may_open_round",
    "may_write_records",
    "name_of",
    "open_round",
    "record_event_of_round",
    "record_submission",
    "report_for",
    "require_records_writer",
    "respond",
    "responses_of",
    "round_actions",
    "round_history",
    "round_of_key",
    "round_view",
    "strategy_views",
    "unanswered_count",
    "unanswered_in_round",
    "working_days_left",
]
