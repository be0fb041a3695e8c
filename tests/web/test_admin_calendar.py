"""The working calendar's admin page: a year's public holidays and declared days, declaring a one-off
non-working day (refused next to the date when it cannot be one) and removing it; admins only."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from freezegun import freeze_time
from sqlalchemy import Engine, func, select

from tests.web.conftest import ARTA, PersonFactory
from tests.web.console import post_form
from tests.web.test_strategy_page import section, text_of
from workflow.calendar import NonWorkingDay
from workflow.core import clock, unit_of_work
from workflow.directory import ContactCreate, create_contact, find_institution

PAGE = "/console/admin/calendar"


def an_admin(person: PersonFactory, engine: Engine, email: str, language: str) -> TestClient:
    with unit_of_work(engine) as session:
        moi = find_institution(session, "Ministry of Interior")
        assert moi is not None and moi.id is not None
        create_contact(session, ContactCreate(name="Ada Admin", email=email, institution_id=moi.id, language=language,
                                              roles=["escalation"], access_role="admin"), now=clock.now())
    return person(email)


@pytest.fixture
def admin(person: PersonFactory, demo: Engine) -> TestClient:
    return an_admin(person, demo, "ada.admin@example.org", "en")


@pytest.fixture
def sq_admin(person: PersonFactory, demo: Engine) -> TestClient:
    return an_admin(person, demo, "drita.admin@example.org", "sq")


def declared(engine: Engine) -> int:
    with unit_of_work(engine) as session:
        return session.scalar(select(func.count()).select_from(NonWorkingDay)) or 0


@freeze_time("2025-12-10 10:00")
def test_the_admin_sees_this_years_holidays_and_declares_and_removes_a_day(admin: TestClient, demo: Engine):
    page = admin.get(PAGE)
    assert page.status_code == 200
    assert 'href="/console/admin/calendar" aria-current="page"' in page.text  # in the admin navigation
    holidays = text_of(section(page.text, "holidays"))
    assert "Working calendar 2025" in text_of(page.text)
    assert "Monday, 8 December 2025" in holidays and "National Youth Day" in holidays
    assert "No day of 2025 has been declared non-working." in text_of(section(page.text, "declared"))

    answer = post_form(admin, PAGE, page.text, {"day": "2025-12-24", "name": "Christmas Eve (DCM decision)"},
                       follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == f"{PAGE}?year=2025&done=declared"
    page = admin.get(answer.headers["location"])
    assert '<p class="notice" role="status">The non-working day was declared.</p>' in page.text
    row = text_of(section(page.text, "declared"))
    assert "Wednesday, 24 December 2025" in row and "Christmas Eve (DCM decision)" in row and "Ada Admin" in row
    assert declared(demo) == 1

    # the same day again, a Saturday, a holiday: refused next to the date, nothing added
    for day, message in [("2025-12-24", "This day is already declared a non-working day."),
                         ("2025-12-27", "This day is a Saturday or a Sunday, never a working day."),
                         ("2025-12-25", "This day is already a public holiday.")]:
        refused = post_form(admin, PAGE, page.text, {"day": day, "name": "Another day"}, follow_redirects=False)
        assert refused.status_code in (409, 422)
        form = section(refused.text, "declare")
        assert f'<p class="field-error" id="day-error">{message}</p>' in form
        assert f'value="{day}"' in form and 'value="Another day"' in form
    refused = post_form(admin, PAGE, page.text, {"day": "24.12.2025", "name": ""}, follow_redirects=False)
    assert refused.status_code == 422
    assert re.search(r'id="day-error">Enter a date as YYYY-MM-DD', refused.text)
    assert re.search(r'id="name-error">This field is required\.</p>', refused.text)
    assert declared(demo) == 1

    answer = post_form(admin, f"{PAGE}/2025-12-24/remove", page.text, {}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == f"{PAGE}?year=2025&done=removed"
    page = admin.get(answer.headers["location"])
    assert "The declared day was removed." in page.text and declared(demo) == 0
    assert post_form(admin, f"{PAGE}/2025-12-24/remove", page.text, {}).status_code == 404
    assert post_form(admin, f"{PAGE}/2025-13-45/remove", page.text, {}).status_code == 404


@freeze_time("2025-12-10 10:00")
def test_a_chosen_year_in_albanian(sq_admin: TestClient, demo: Engine):
    page = sq_admin.get(f"{PAGE}?year=2026")
    assert page.status_code == 200
    assert "Kalendari i ditëve të punës 2026" in text_of(page.text)
    holidays = text_of(section(page.text, "holidays"))
    assert "2 janar 2026" in holidays  # the second day of the New Year holiday
    assert 'href="/console/admin/calendar">Ky vit</a>' in page.text
    refused = post_form(sq_admin, PAGE, page.text, {"day": "2026-01-03", "name": "Një ditë"}, follow_redirects=False)
    assert ('<p class="field-error" id="day-error">Kjo ditë bie të shtunën ose të dielën: nuk është kurrë ditë pune.'
            '</p>') in refused.text
    assert sq_admin.get(f"{PAGE}?year=1800").status_code == 422


def test_only_admins_use_the_calendar_page(person: PersonFactory, admin: TestClient, demo: Engine):
    arta = person(ARTA)
    assert arta.get(PAGE).status_code == 403
    page = admin.get(PAGE).text
    refused = post_form(arta, PAGE, arta.get("/console/portfolio").text, {"day": "2030-12-24", "name": "X"})
    assert refused.status_code == 403 and declared(demo) == 0
    assert admin.post(PAGE, data={"day": "2030-12-24", "name": "X"}).status_code == 403  # no token
    assert post_form(admin, PAGE, page, {"day": "2030-12-24", "name": "X"}, follow_redirects=False).status_code == 303
    assert post_form(arta, f"{PAGE}/2030-12-24/remove", arta.get("/console/portfolio").text, {}).status_code == 403
    assert declared(demo) == 1
