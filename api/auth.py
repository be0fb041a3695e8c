"""Who is calling: the principal behind a request, and the checks routes use to authorize.

INTERIM: until bearer tokens land (issue 5), every caller is an admin named by ``X-Actor``.
Routes depend only on ``PrincipalDep``, ``require_roles`` and ``Principal.may_act_for``, so
making authentication real changes this module, not the routes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from api.deps import get_actor

ROLES = ("admin", "coordinator", "contact_point", "viewer")


@dataclass(frozen=True)
class Principal:
    name: str
    role: str
    institution_id: int | None

    def may_act_for(self, institution_id: int | None) -> bool:
        """Admins act for every institution; everyone else only for their own."""
        return self.role == "admin" or (institution_id is not None and institution_id == self.institution_id)


def current_principal(actor: Annotated[str, Depends(get_actor)]) -> Principal:
    return Principal(name=actor, role="admin", institution_id=None)


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: str):
    """A dependency that refuses principals whose role is not one of ``roles`` (admin always passes)."""

    def check(principal: PrincipalDep) -> Principal:
        if principal.role != "admin" and principal.role not in roles:
            from workflow.errors import DomainError

            class Forbidden(DomainError):
                status = 403
                slug = "forbidden"
                title = "Forbidden"

            raise Forbidden(f"role {principal.role!r} may not do this")
        return principal

    return Depends(check)
