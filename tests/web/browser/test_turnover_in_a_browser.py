"""An admin deactivates a person in a real browser, choosing who takes over (the form tests:
``tests/web/test_contact_turnover_console.py``)."""

from __future__ import annotations

from tests.web.browser.harness import check_accessibility
from tests.web.browser.harness import sign_in as browser_sign_in
from tests.web.conftest import ARTA, DANIEL
from tests.web.test_contact_turnover_console import ADMIN, _contact, _make_admin


def test_deactivating_in_a_real_browser(page, console, demo):
    _make_admin(demo)
    arta = _contact(demo, ARTA)
    browser_sign_in(page, console, ADMIN)
    page.goto(f"{console.url}/console/admin/people/{arta.id}")
    page.get_by_role("button", name="Deactivate").click()
    page.get_by_text("Tick the box to confirm that this person has left.").first.wait_for()
    page.get_by_label("Who takes over").select_option(label="Daniel Price <daniel.price@example.org>")
    page.get_by_label("I confirm that Arta Hoxha has left and should be deactivated.").check()
    page.get_by_role("button", name="Deactivate").click()
    page.get_by_text("The person was deactivated.").wait_for()
    assert page.locator("#deactivated-badge").is_visible()
    assert check_accessibility(page) == []
    assert console.foreign_requests() == []
    assert _contact(demo, ARTA).handover_contact_id == _contact(demo, DANIEL).id
