"""An action plan is called an action plan, in both languages; an overdue report says whose
report is late and for which period."""

from __future__ import annotations

from datetime import date

import pytest

from tests.workflow.mail.test_rendering import context
from workflow.mail import NOTIFICATION_KINDS, render

PLAN = "Action Plan 2024-2026 of the National Strategy on Migration"
LATE_REPORT = {
    "strategy_title": PLAN,
    "document_kind": "action_plan",
    "deadline_kind": "report_due",
    "due_on": date(2025, 10, 20),
    "days": -8,
    "reporting_period": "2025-Q3",
    "reporting_institution": "Ministry of Interior",
}


def test_an_overdue_report_names_the_institution_and_the_period_in_english():
    mail = render("overdue", "en", context(**LATE_REPORT))
    assert mail.subject == (
        f"OVERDUE: {PLAN}: progress report of Ministry of Interior for 2025-Q3 was due 8 days ago (2025-10-20)"
    )
    assert "The progress report of Ministry of Interior for 2025-Q3" in mail.text
    assert "Reporting institution: Ministry of Interior" in mail.text
    assert "Ministry of Interior" in mail.html and "2025-Q3" in mail.html


def test_an_overdue_report_names_the_institution_and_the_period_in_albanian():
    mail = render("overdue", "sq", context(**LATE_REPORT))
    assert mail.subject == (
        f"ME VONESË: {PLAN}: afati i raportit të progresit të Ministry of Interior për 2025-Q3 kaloi 8 ditë më parë"
        " (2025-10-20)"
    )
    assert "Raporti i progresit i Ministry of Interior për periudhën 2025-Q3 për planin e veprimit" in mail.text
    assert "Institucioni raportues: Ministry of Interior" in mail.text


@pytest.mark.parametrize("kind", NOTIFICATION_KINDS)
def test_an_action_plan_is_never_called_a_strategy_in_albanian(kind):
    overrides = {
        "deadline_reminder": {"deadline_kind": "drafting_due"},
        "overdue": {"deadline_kind": "drafting_due", "days": -3},
        "gap_warning": {"deadline_kind": "period_end"},
        "delivery_failed": {"failed_recipient": "Arta Hoxha", "last_error": "550 No such user"},
        "report_due": {"deadline_kind": "report_due", "reporting_period": "2025-Q3"},
    }[kind]
    mail = render(kind, "sq", context(strategy_title=PLAN, document_kind="action_plan", **overrides))
    assert "Strategjia:" not in mail.text and "për strategjinë" not in mail.text
    assert "Plani i veprimit" in mail.text
    english = render(kind, "en", context(strategy_title=PLAN, document_kind="action_plan", **overrides))
    assert "Strategy:" not in english.text and "Action plan:" in english.text


def test_an_unknown_document_kind_is_refused():
    with pytest.raises(ValueError, match="document kind"):
        context(document_kind="law")


def test_a_lapsing_action_plan_asks_for_a_successor_action_plan_not_a_strategy():
    lapse = {"strategy_title": PLAN, "document_kind": "action_plan", "deadline_kind": "period_end", "days": 30}
    sq = render("gap_warning", "sq", context(**lapse))
    assert "nuk ka plan veprimi pasardhës të miratuar" in sq.subject
    assert "pa plan veprimi në fuqi" in sq.text and "strategji" not in sq.text.split("\n\n")[1]
    en = render("deadline_reminder", "en", context(**lapse))
    assert "without an action plan in force" in en.text and "without a strategy" not in en.text


def test_an_escalation_contact_is_asked_to_follow_up_not_to_submit():
    late = LATE_REPORT | {"escalated": True, "escalate_after_days": 7, "days": -32}
    for_reporter = render("overdue", "en", context(**late))
    assert "Please submit it in Continuum." in for_reporter.text
    assert "also goes to the escalation contacts, because the deadline is 7 days or more" in for_reporter.text
    for_escalation = render("overdue", "en", context(**late, recipient_escalates=True))
    assert "please follow up with them" in for_escalation.text and "Please submit" not in for_escalation.text
    assert "You receive it as an escalation contact" in for_escalation.text
    albanian = render("overdue", "sq", context(**late, recipient_escalates=True))
    assert "ju lutemi ndiqni çështjen me të" in albanian.text and "dorëzojeni" not in albanian.text
