"""Who may change what in the monitoring mechanism.

Works on anything shaped like ``api.auth.Principal`` (role, institution_id, may_act_for), so
the rules are testable without the web layer and unaffected by how tokens are checked.

* Objectives, measures, indicators, the reporting cycle and report reviews: coordinators of
  the document's lead institution (and admins).
* A progress report's content and submission: contact points of the report's own institution
  (and admins). A contact point of another institution cannot even open one.
"""

from __future__ import annotations

from typing import Protocol

from workflow.core import Forbidden
from workflow.lifecycle import Strategy


class Actor(Protocol):
    @property
    def role(self) -> str: ...

    @property
    def institution_id(self) -> int | None: ...

    def may_act_for(self, institution_id: int | None) -> bool: ...


def require_plan_editor(actor: Actor, document: Strategy) -> None:
    """Coordinators of the lead institution of ``document`` (a strategy or action plan)."""
    if actor.role == "admin":
        return
    if actor.role != "coordinator" or not actor.may_act_for(document.lead_institution_id):
        raise Forbidden(
            f"only coordinators of the lead institution ({document.lead_institution_id}) may change the monitoring of "
            f"strategy {document.id}"
        )


def require_report_author(actor: Actor, institution_id: int) -> None:
    """Contact points write their own institution's reports, nobody else's."""
    if actor.role == "admin":
        return
    if actor.role != "contact_point" or actor.institution_id != institution_id:
        raise Forbidden(f"only contact points of institution {institution_id} may write its progress reports")


def require_report_reviewer(actor: Actor, plan: Strategy) -> None:
    if actor.role == "admin":
        return
    if actor.role != "coordinator" or not actor.may_act_for(plan.lead_institution_id):
        raise Forbidden(
            f"only coordinators of the plan's lead institution ({plan.lead_institution_id}) review its reports"
        )
