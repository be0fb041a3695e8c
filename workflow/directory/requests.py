"""What callers may ask of the directory, with the checks that need no database."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import Field, model_validator

from workflow.core import Command, Email, Id, Name
from workflow.directory.models import CONTACT_ROLES, DELIVERY_PREFERENCES

Language = Literal["en", "sq"]
Delivery = Literal["immediate", "daily", "weekly"]


Role = Literal["coordinator", "escalation", "contact_point"]
AccessRole = Literal["admin", "coordinator", "contact_point", "viewer"]


assert set(get_args(Role)) == set(CONTACT_ROLES)
assert set(get_args(Delivery)) == set(DELIVERY_PREFERENCES)
DELIVERY_DESCRIPTION = (
    "How the person's reminders reach them: `immediate` (one email each), `daily` or `weekly` (a digest). "
    "Escalations and delivery failures are always sent at once."
)


class InstitutionCreate(Command):
    name: Name = Field(examples=["Ministry of Interior"])


class ContactCreate(Command):
    name: Name = Field(examples=["Arta Hoxha"])
    email: Email = Field(examples=["arta.hoxha@example.org"])
    institution_id: Id
    language: Language = "en"
    roles: list[Role] = Field(min_length=1, max_length=3, examples=[["coordinator"]])
    access_role: AccessRole | None = Field(
        default=None, description="What the person may do in the console; unset: derived from `roles`."
    )
    delivery: Delivery = Field(default="immediate", description=DELIVERY_DESCRIPTION)

    @model_validator(mode="after")
    def _distinct_roles(self) -> ContactCreate:
        self.roles = list(dict.fromkeys(self.roles))
        return self


class ContactPatch(Command):
    name: Name | None = None
    email: Email | None = None
    institution_id: Id | None = None
    language: Language | None = None
    roles: list[Role] | None = Field(default=None, min_length=1, max_length=3)
    access_role: AccessRole | None = None
    delivery: Delivery | None = Field(default=None, description=DELIVERY_DESCRIPTION)


class ContactDeactivate(Command):
    handover_contact_id: Id | None = Field(
        default=None,
        description="A person of the same institution who takes over the leaver's roles and pending reminders; "
        "without one, the institution's escalation contacts are told which roles nobody holds now.",
    )
