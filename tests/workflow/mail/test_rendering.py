from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from workflow.mail import LANGUAGES, NOTIFICATION_KINDS, NotificationContext, render
from workflow.mail.phrases import Phrases

TITLE = "National Strategy on Migration 2019-2022"


def context(**overrides: Any) -> NotificationContext:
    values: dict[str, Any] = {
        "strategy_title": TITLE,
        "strategy_id": 42,
        "deadline_kind": "consultation_due",
        "due_on": date(2026, 3, 15),
        "days": 7,
        "recipient_name": "Arta Hoxha",
    }
    return NotificationContext(**(values | overrides))


LAPSE = {"deadline_kind": "period_end", "due_on": date(2022, 12, 31)}
SUCCESSOR = {
    "successor_title": "National Strategy on Migration 2023-2030",
    "successor_stage": "consultation",
    "projected_approval": date(2023, 2, 1),
    "projection_basis": "typical_durations",
}
FAILED = {
    "failed_recipient": "Arta Hoxha",
    "failed_recipient_email": "arta@ministria.gov.al",
    "last_error": "550 5.1.1 No such user",
}

SUBJECTS = [
    ("deadline_reminder", "en", {}, f"{TITLE}: consultation due in 7 days (2026-03-15)"),
    ("deadline_reminder", "sq", {}, f"{TITLE}: afati i konsultimit skadon pas 7 ditësh (2026-03-15)"),
    (
        "deadline_reminder",
        "en",
        {"deadline_kind": "drafting_due", "days": 1},
        f"{TITLE}: drafting due tomorrow (2026-03-15)",
    ),
    (
        "deadline_reminder",
        "sq",
        {"deadline_kind": "drafting_due", "days": 1},
        f"{TITLE}: afati i hartimit skadon nesër (2026-03-15)",
    ),
    (
        "deadline_reminder",
        "en",
        {"deadline_kind": "approval_due", "days": 0},
        f"{TITLE}: approval due today (2026-03-15)",
    ),
    (
        "deadline_reminder",
        "sq",
        {"deadline_kind": "approval_due", "days": 0},
        f"{TITLE}: afati i miratimit skadon sot (2026-03-15)",
    ),
    ("deadline_reminder", "en", LAPSE | {"days": 30}, f"{TITLE} lapses in 30 days (2022-12-31)"),
    ("deadline_reminder", "sq", LAPSE | {"days": 30}, f"{TITLE} skadon pas 30 ditësh (2022-12-31)"),
    (
        "overdue",
        "en",
        {"deadline_kind": "approval_due", "days": -7},
        f"OVERDUE: {TITLE}: approval was due 7 days ago (2026-03-15)",
    ),
    (
        "overdue",
        "sq",
        {"deadline_kind": "approval_due", "days": -7},
        f"ME VONESË: {TITLE}: afati i miratimit skadoi 7 ditë më parë (2026-03-15)",
    ),
    ("overdue", "en", {"days": -1}, f"OVERDUE: {TITLE}: consultation was due 1 day ago (2026-03-15)"),
    ("overdue", "sq", {"days": -1}, f"ME VONESË: {TITLE}: afati i konsultimit skadoi 1 ditë më parë (2026-03-15)"),
    ("gap_warning", "en", LAPSE | {"days": 30}, f"{TITLE} lapses in 30 days: no successor approved"),
    (
        "gap_warning",
        "sq",
        LAPSE | {"days": 30},
        f"{TITLE} skadon pas 30 ditësh: nuk ka strategji pasardhëse të miratuar",
    ),
    ("gap_warning", "en", LAPSE | {"days": 1}, f"{TITLE} lapses tomorrow: no successor approved"),
    (
        "delivery_failed",
        "en",
        FAILED,
        f"Continuum could not deliver a reminder to Arta Hoxha <arta@ministria.gov.al> about {TITLE}",
    ),
    (
        "delivery_failed",
        "sq",
        FAILED,
        f"Continuum nuk arriti të dërgonte një kujtesë te Arta Hoxha <arta@ministria.gov.al> për {TITLE}",
    ),
    (
        "report_due",
        "en",
        {"deadline_kind": "report_due", "days": 7},
        f"{TITLE}: progress report due in 7 days (2026-03-15)",
    ),
    (
        "report_due",
        "sq",
        {"deadline_kind": "report_due", "days": 7},
        f"{TITLE}: afati i raportit të progresit skadon pas 7 ditësh (2026-03-15)",
    ),
]


@pytest.mark.parametrize(("kind", "language", "overrides", "subject"), SUBJECTS)
def test_subject_says_what_and_when(kind: str, language: str, overrides: dict[str, Any], subject: str) -> None:
    rendered = render(kind, language, context(**overrides))

    assert rendered.subject == subject
    assert "\n" not in rendered.subject
    assert f'<html lang="{language}">' in rendered.html
    assert f"<title>{subject}</title>" in rendered.html.replace("&lt;", "<").replace("&gt;", ">")


VALID_FOR_KIND = {
    "deadline_reminder": {},
    "overdue": {"days": -3, "escalated": True},
    "gap_warning": LAPSE | SUCCESSOR | {"days": 30},
    "delivery_failed": FAILED,
    "report_due": {"deadline_kind": "report_due", "reporting_period": "2025"},
}


def test_every_kind_has_templates_in_every_language() -> None:
    assert set(VALID_FOR_KIND) == set(NOTIFICATION_KINDS)
    for kind in NOTIFICATION_KINDS:
        for language in LANGUAGES:
            rendered = render(kind, language, context(**VALID_FOR_KIND[kind]))
            assert rendered.subject and rendered.text.strip() and "</html>" in rendered.html
            assert "Arta Hoxha" in rendered.text and TITLE in rendered.text and TITLE in rendered.html


def test_albanian_body_is_albanian() -> None:
    text = render("deadline_reminder", "sq", context()).text

    for word in ("Përshëndetje", "Strategjia", "Afati i konsultimit", "skadon", "pas 7 ditësh", "më 2026-03-15"):
        assert word in text
    assert "Hello" not in text and "due" not in text


def test_html_escapes_title_and_names_but_text_keeps_them() -> None:
    hostile = context(strategy_title="<script>alert(1)</script> Plan", recipient_name="Arta & <Besa>")

    for language in LANGUAGES:
        rendered = render("deadline_reminder", language, hostile)
        assert "<script>" not in rendered.html
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Plan" in rendered.html
        assert "Arta &amp; &lt;Besa&gt;" in rendered.html
        assert "<script>alert(1)</script> Plan" in rendered.text
        assert "Arta & <Besa>" in rendered.text


def test_delivery_failed_escapes_the_failed_recipient_and_error_in_html() -> None:
    rendered = render("delivery_failed", "en", context(**FAILED | {"last_error": "550 <bad> & worse"}))

    assert "Arta Hoxha &lt;arta@ministria.gov.al&gt;" in rendered.html
    assert "550 &lt;bad&gt; &amp; worse" in rendered.html
    assert "Last error: 550 <bad> & worse" in rendered.text


@pytest.mark.parametrize(
    ("language", "days", "count", "ahead", "past"),
    [
        ("en", 0, "0 days", "today", None),
        ("en", 1, "1 day", "tomorrow", "1 day ago"),
        ("en", 2, "2 days", "in 2 days", "2 days ago"),
        ("en", 7, "7 days", "in 7 days", "7 days ago"),
        ("sq", 0, "0 ditë", "sot", None),
        ("sq", 1, "1 ditë", "nesër", "1 ditë më parë"),
        ("sq", 7, "7 ditë", "pas 7 ditësh", "7 ditë më parë"),
    ],
)
def test_day_phrases_are_plural_correct(language: str, days: int, count: str, ahead: str, past: str | None) -> None:
    phrases = Phrases(language)

    assert phrases.day_count(days) == count
    assert phrases.when_ahead(days) == ahead
    if past is not None:
        assert phrases.when_past(days) == past


def test_overdue_body_counts_days_late_and_mentions_escalation_only_when_escalated() -> None:
    plain = context(deadline_kind="approval_due", days=-1)

    rendered = render("overdue", "en", plain)
    assert "it is now 1 day overdue" in rendered.text
    assert "escalation" not in rendered.text and "escalation" not in rendered.html

    escalated = render("overdue", "en", replace(plain, days=-7, escalated=True))
    assert "also goes to the escalation contacts, because the deadline is 7 days or more overdue" in escalated.text
    assert "escalation contacts" in escalated.html
    assert "personat për përshkallëzim" in render("overdue", "sq", replace(plain, escalated=True)).text


def test_gap_warning_shows_successor_status() -> None:
    none = render("gap_warning", "en", context(**LAPSE, days=90))
    assert "Successor: none registered" in none.text
    assert "Lapses on: 2022-12-31 (in 90 days)" in none.text

    with_successor = render("gap_warning", "en", context(**LAPSE | SUCCESSOR, days=90))
    assert "Successor: National Strategy on Migration 2023-2030" in with_successor.text
    assert "Successor stage: consultation" in with_successor.text
    assert "Projected approval: 2023-02-01 (based on typical durations of the remaining stages)" in with_successor.text
    assert "Projected gap: 32 days without a strategy in force" in with_successor.text

    in_albanian = render("gap_warning", "sq", context(**LAPSE | SUCCESSOR, days=90)).text
    assert "Faza e strategjisë pasardhëse: konsultimi" in in_albanian
    assert "Boshllëku i parashikuar: 32 ditë pa strategji në fuqi" in in_albanian

    unprojected = render(
        "gap_warning", "en", context(**LAPSE, days=90, successor_title="Next", successor_stage="drafting")
    )
    assert "Projected approval: cannot be projected yet" in unprojected.text
    assert "Projected gap" not in unprojected.text

    in_time = render(
        "gap_warning", "en", context(**LAPSE | SUCCESSOR | {"projected_approval": date(2022, 11, 1)}, days=90)
    )
    assert "Projected gap" not in in_time.text


def test_unknown_projection_basis_is_shown_as_given() -> None:
    rendered = render(
        "gap_warning", "en", context(**LAPSE | SUCCESSOR | {"projection_basis": "minister's estimate"}, days=30)
    )

    assert "(based on minister's estimate)" in rendered.text
    assert "(based on minister&#39;s estimate)" in rendered.html


def test_app_url_becomes_a_link() -> None:
    rendered = render("deadline_reminder", "en", context(app_url="https://continuum.example/strategies/42?a=1&b=2"))

    assert "Open in Continuum: https://continuum.example/strategies/42?a=1&b=2" in rendered.text
    assert '<a href="https://continuum.example/strategies/42?a=1&amp;b=2"' in rendered.html
    assert "<a " not in render("deadline_reminder", "en", context()).html


@pytest.mark.parametrize(
    ("kind", "overrides", "reason"),
    [
        ("overdue", {"days": 0}, "days must be < 0"),
        ("overdue", LAPSE | {"days": -3}, "a lapse is never overdue"),
        ("deadline_reminder", {"days": -1}, "days must be >= 0"),
        ("gap_warning", {"days": 30}, "deadline_kind must be 'period_end'"),
        ("report_due", {"days": 3}, "needs deadline_kind 'report_due'"),
        ("delivery_failed", {}, "needs failed_recipient and last_error"),
        ("reminder", {}, "unknown notification kind"),
    ],
)
def test_refuses_a_context_that_would_say_something_false(kind: str, overrides: dict[str, Any], reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        render(kind, "en", context(**overrides))


def test_refuses_unknown_language_deadline_kind_and_non_http_link() -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        render("deadline_reminder", "fr", context())
    with pytest.raises(ValueError, match="unknown deadline kind"):
        context(deadline_kind="lunch_due")
    with pytest.raises(ValueError, match="http"):
        context(app_url="javascript:alert(1)")
