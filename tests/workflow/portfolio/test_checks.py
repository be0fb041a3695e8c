"""A portfolio file is checked whole before anything is written: every bad field of every row is
reported (not only the first), each naming its row by index and key and the field to fix."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.workflow.portfolio.builders import approved, document, lapsed, strategy, text
from workflow.calendar import WorkingCalendar
from workflow.portfolio import Parsed, check, parse
from workflow.portfolio.context import Context
from workflow.portfolio.plan import plan
from workflow.portfolio.validate import LinkFacts

TODAY = date(2026, 3, 2)
CALENDAR = WorkingCalendar("AL")


def errors_of(doc: dict, known: dict[str, LinkFacts] | None = None) -> list[str]:
    parsed = parse(text(doc))
    context = Context(by_key={})
    found = list(parsed.errors) + check(parsed, known or {})
    if not found:
        _, found = plan(parsed, context, today=TODAY, default_min_consultation_days=20, calendar=CALENDAR)
    return [str(error) for error in found]


def test_a_valid_file_has_no_errors():
    doc = document([lapsed("a", 2000, 2004), lapsed("b", 2005, 2009, predecessor="a")])
    assert errors_of(doc) == []


def test_every_bad_field_of_every_row_is_reported_with_the_rows_key():
    doc = document([
        lapsed("a", 2000, 2004),
        strategy("b", 2005, 2009, kind="programme", history=[{"event": "approve", "effective_on": "2005-13-01"}]),
        strategy("c", 2010, 2014, policy_area="Not An Area"),
    ])
    found = errors_of(doc)
    assert "strategies[1] (key b).kind: Input should be 'strategy' or 'action_plan'" in found
    assert any(e.startswith("strategies[1] (key b).history[0].effective_on: must be a date as YYYY-MM-DD")
               for e in found)
    assert any(e.startswith("strategies[2] (key c).policy_area: String should match pattern") for e in found)
    assert len(found) == 3


def test_a_row_that_does_not_fit_is_still_a_known_key_for_the_rows_after_it():
    doc = document([strategy("a", 2000, 2004, title=""), lapsed("b", 2005, 2009, predecessor="a")])
    found = errors_of(doc)
    assert [e.split(":")[0] for e in found] == ["strategies[0] (key a).title"]


def test_unknown_fields_are_refused_by_name():
    doc = document([lapsed("a", 2000, 2004, colour="blue")])
    assert errors_of(doc) == ["strategies[0] (key a).colour: Extra inputs are not permitted"]


def test_keys_names_and_addresses_must_be_unique():
    contact = {"name": "A", "email": "a@example.org", "institution": "Ministry of Interior", "language": "en",
               "roles": ["coordinator"]}
    doc = document([lapsed("a", 2000, 2004), lapsed("a", 2005, 2009)],
                   contacts=[contact, contact | {"email": "A@example.org"}],
                   institution_names=("Ministry of Interior", "ministry of interior"))
    assert errors_of(doc) == [
        "institutions[1] (name ministry of interior).name: appears twice in the file (also institutions[0])",
        "contacts[1] (email A@example.org).email: appears twice for 'Ministry of Interior' (also contacts[0])",
        "strategies[1] (key a).key: appears twice in the file (also strategies[0])",
    ]


def test_references_resolve_to_rows_listed_before_or_to_the_database():
    doc = document([
        lapsed("b", 2005, 2009, predecessor="a"),
        lapsed("a", 2000, 2004),
        lapsed("c", 2010, 2014, predecessor="nowhere"),
        lapsed("d", 2015, 2019, predecessor="old", lead="Ministry of Magic"),
    ])
    known = {"old": LinkFacts("strategy", "migration", True, date(1990, 1, 1), date(1994, 12, 31))}
    assert errors_of(doc, known) == [
        "strategies[0] (key b).predecessor: 'a' must be listed before it",
        "strategies[2] (key c).predecessor: no strategy with key 'nowhere' in the file or the database",
        "strategies[3] (key d).lead_institution: no institution named 'Ministry of Magic' among the file's "
        "institutions",
    ]


def test_links_follow_the_strategy_services_rules():
    plan_row = strategy("plan", 2024, 2031, kind="action_plan", parent="a")
    doc = document([
        lapsed("a", 2024, 2030),
        plan_row,
        strategy("wrong-area", 2031, 2035, area="diaspora", predecessor="a"),
        strategy("wrong-kind", 2031, 2035, kind="action_plan", predecessor="a"),
        strategy("x", 2031, 2035, parent="a"),
    ])
    assert errors_of(doc) == [
        "strategies[1] (key plan).last_year: the action plan ends after its strategy (2030-12-31)",
        "strategies[2] (key wrong-area).predecessor: the predecessor belongs to policy area 'migration'",
        "strategies[3] (key wrong-kind).predecessor: the predecessor is a strategy, not a action_plan",
        "strategies[4] (key x).parent: only an action plan has a parent strategy (one without is a standalone plan)",
    ]


def test_a_period_is_whole_years_or_exact_days_one_of_each_pair():
    doc = document([
        strategy("exact", 2000, 2004) | {"first_year": None, "last_year": None, "period_start": "2000-07-01",
                                         "period_end": "2003-06-30"},
        strategy("both", 2000, 2004, period_start="2000-01-01"),
        strategy("none", 2000, 2004) | {"first_year": None},
        strategy("backwards", 2004, 2000),
    ])
    assert errors_of(doc) == [
        "strategies[1] (key both).period_start: give first_year or period_start, not both",
        "strategies[2] (key none).first_year: required (or period_start)",
        "strategies[3] (key backwards).last_year: the period must end after it starts (2004-01-01)",
    ]


@pytest.mark.parametrize(("steps", "expected"), [
    ([{"event": "approve", "effective_on": "2020-01-01"}],
     "history[0].event: 'approve' cannot be applied in stage 'drafting'. Allowed events: submit_for_consultation."),
    ([{"event": "submit_for_consultation", "effective_on": "2027-01-01"}],
     "history[0].effective_on: must not be in the future (today is 2026-03-02)"),
    ([{"event": "submit_for_consultation", "effective_on": "2020-03-02"},
      {"event": "submit_for_approval", "effective_on": "2020-02-03"}],
     "history[1].effective_on: must not precede the previous transition, effective on 2020-03-02"),
    ([{"event": "submit_for_consultation", "effective_on": "2020-03-02"},
      {"event": "submit_for_approval", "effective_on": "2020-03-09"}],
     "history[1]: consultation opened on 2020-03-02 has lasted 5 working days; at least 20 are required, so it "
     "can be submitted for approval from 2020-04-01"),
    (approved(date(2020, 6, 1))[:2] + [{"event": "approve", "effective_on": "2020-06-01"}],
     "history[2].approval_reference: the approval act is required, e.g. 'DCM No. 400', or mark its number as "
     "unknown"),
])
def test_history_is_replayed_through_the_transition_table_and_its_guards(steps, expected):
    found = errors_of(document([strategy("a", 2020, 2024, history=steps)]))
    assert found[0] == f"strategies[0] (key a).{expected}"


def test_an_approval_without_act_or_date_names_both_fields():
    steps = approved(date(2020, 6, 1))[:2] + [{"event": "approve", "effective_on": "2020-06-01"}]
    found = errors_of(document([strategy("a", 2020, 2024, history=steps)]))
    assert [e.split(":")[0] for e in found] == ["strategies[0] (key a).history[2].approval_reference",
                                                 "strategies[0] (key a).history[2].approved_on"]


def test_an_expiry_within_the_period_needs_a_reason():
    steps = approved(date(2020, 6, 1), expire_on=date(2022, 1, 1))
    found = errors_of(document([strategy("a", 2020, 2024, history=steps)]))
    assert found == ["strategies[0] (key a).history[3]: the period runs until 2024-12-31; to end it early give a "
                     "reason: 'superseded' or 'terminated'"]
    steps[-1]["reason"] = "superseded"
    assert errors_of(document([strategy("a", 2020, 2024, history=steps)])) == []


def test_revisions_are_checked_as_an_edit_is():
    doc = document([lapsed("a", 2000, 2004), lapsed("b", 2005, 2009, predecessor="a", revisions=[
        {"effective_on": "2010-05-01", "changes": {"approval_due": [None, "2004-06-30"], "colour": ["a", "b"]}},
        {"effective_on": "2010-04-01", "changes": {"predecessor": ["nowhere", "a"], "min_consultation_days": [1, -3]}},
        {"effective_on": "2011-01-01", "changes": {"title": ["Old", "Not the title it has"]}},
    ])])
    assert errors_of(doc) == [
        "strategies[1] (key b).revisions[0].changes.colour: not a field an edit changes (one of: title, policy_area, "
        "predecessor, lead_institution, period_start, period_end, drafting_started_on, drafting_due, "
        "consultation_due, approval_due, min_consultation_days, reminder_offsets, overdue_offsets)",
        "strategies[1] (key b).revisions[1].effective_on: must not precede the previous change, effective on "
        "2010-05-01",
        "strategies[1] (key b).revisions[1].changes.predecessor: 'nowhere' is not in the file nor in the database",
        "strategies[1] (key b).revisions[1].changes.min_consultation_days: Input should be greater than or equal "
        "to 0",
        "strategies[1] (key b).revisions[0].changes.approval_due: the last change must leave the value the "
        "strategy has: none",
        "strategies[1] (key b).revisions[2].changes.title: the last change must leave the value the strategy has: "
        "'migration strategy 2005-2009 (b)'",
    ]


def test_a_file_that_is_not_json_or_not_a_portfolio_says_so():
    assert errors_of_text("{") [0].startswith("(file): not a JSON document: ")
    assert errors_of_text("[]") == ["(file): must be a JSON object with institutions, contacts and strategies"]
    assert errors_of_text(json.dumps({"strategies": {}, "extra": 1})) == [
        "(file).extra: not a field of a portfolio file", "strategies: must be a list"]


def errors_of_text(raw: str) -> list[str]:
    parsed: Parsed = parse(raw)
    return [str(error) for error in parsed.errors]
