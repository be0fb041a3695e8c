"""Who acts: the principal a request runs as, whether it came with an API token or a browser session.

Both adapters authorize with the same two checks: the role (``admin`` passes every role check) and
the institution of the object touched (``may_act_for``: admins act for every institution).
"""

from __future__ import annotations

from dataclasses import dataclass

from workflow.core import Forbidden


@dataclass(frozen=True)
class Principal:
    name: str
    role: str
    institution_id: int | None
    token_id: int | None = None
    contact_id: int | None = None

    def has_role(self, *roles: str) -> bool:
        return self.role == "admin" or self.role in roles

    def require_role(self, *roles: str) -> None:
        if not self.has_role(*roles):
            allowed = ", ".join(("admin", *roles))
            raise Forbidden(f"a {self.role} may not do this (allowed: {allowed})")

    def may_act_for(self, institution_id: int | None) -> bool:
        """Admins act for every institution; everyone else only for their own."""
        return self.role == "admin" or (institution_id is not None and institution_id == self.institution_id)

    def require_institution(self, institution_id: int | None, what: str = "this") -> None:
        if not self.may_act_for(institution_id):
            own = f"institution {self.institution_id}" if self.institution_id is not None else "no institution"
            raise Forbidden(f"{self.name!r} acts for {own}; {what} belongs to institution {institution_id}")
