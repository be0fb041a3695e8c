"""Every event type the code records can be subscribed to: read from the code, not listed by hand."""

from __future__ import annotations

import re
from pathlib import Path

from workflow.consultation.states import OPENING, ROUND_MOVES
from workflow.monitoring.statuses import REPORT_MOVES
from workflow.webhooks import EVENT_TYPES

WORKFLOW = Path(__file__).resolve().parents[3] / "workflow"
# record_event(session, "type", ...), event_insert_from("type", ...), _announce(session, "type", ...),
# and the dicts record_events takes: {"type": "type", ...}
LITERAL = re.compile(
    r"""(?:record_event|_announce)\(\s*(?:self\.)?session,\s*"(\w+)"|event_insert_from\(\s*"(\w+)"|"type":\s*"(\w+)\""""
)


def recorded_in_code() -> set[str]:
    found: set[str] = set()
    for path in WORKFLOW.rglob("*.py"):
        if "webhooks" in path.parts:
            continue
        for match in LITERAL.finditer(path.read_text(encoding="utf-8")):
            found.add(next(group for group in match.groups() if group))
    found |= {move.announced_as for move in (*ROUND_MOVES.values(), OPENING, *REPORT_MOVES.values())}
    return found


def test_the_reader_finds_the_types_it_should():
    assert {"stage_changed", "strategy_created", "gap_warning", "gap_status_changed",
            "consultation_submission_recorded", "report_accepted"} <= recorded_in_code()


def test_every_event_type_the_code_records_is_in_the_catalog():
    assert recorded_in_code() - set(EVENT_TYPES) == set()


def test_the_catalog_names_contact_turnover_and_describes_every_type():
    assert "contact_deactivated" in EVENT_TYPES
    assert all(description.strip() for description in EVENT_TYPES.values())
