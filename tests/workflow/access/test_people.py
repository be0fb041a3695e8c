"""The access role a contact signs in with."""

from __future__ import annotations

import pytest

from workflow.access import access_role_of
from workflow.directory import Contact


def contact(roles: list[str], access_role: str | None = None) -> Contact:
    return Contact(name="P", email="p@example.org", email_key="p@example.org", institution_id=1, language="en",
                   roles=roles, access_role=access_role)


@pytest.mark.parametrize(("roles", "expected"), [
    (["coordinator"], "coordinator"),
    (["contact_point", "coordinator"], "coordinator"),
    (["contact_point"], "contact_point"),
    (["escalation"], "viewer"),
    (["escalation", "contact_point"], "contact_point"),
])
def test_the_role_follows_the_contacts_roles(roles: list[str], expected: str) -> None:
    assert access_role_of(contact(roles)) == expected


def test_an_admin_set_role_wins() -> None:
    assert access_role_of(contact(["coordinator"], "viewer")) == "viewer"
    assert access_role_of(contact(["escalation"], "admin")) == "admin"
