"""Who may change monitoring data, with principals built directly (no tokens involved)."""

from __future__ import annotations

from datetime import date

import pytest

from api.auth import Principal
from workflow.core.errors import Forbidden
from workflow.lifecycle.models import Strategy
from workflow.monitoring.access import require_plan_editor, require_report_author, require_report_reviewer

PLAN = Strategy(id=7, title="Plan", policy_area="migration", kind="action_plan", lead_institution_id=1,
                period_start=date(2024, 1, 1), period_end=date(2026, 12, 31), stage="implementation")


def who(role: str, institution_id: int | None) -> Principal:
    return Principal(name=f"{role}-{institution_id}", role=role, institution_id=institution_id)


@pytest.mark.parametrize("principal", [who("admin", None), who("coordinator", 1)])
def test_admins_and_lead_coordinators_edit_the_plan_and_review_its_reports(principal):
    require_plan_editor(principal, PLAN)
    require_report_reviewer(principal, PLAN)


@pytest.mark.parametrize(
    "principal", [who("coordinator", 2), who("coordinator", None), who("contact_point", 1), who("viewer", 1)]
)
def test_others_neither_edit_the_plan_nor_review(principal):
    with pytest.raises(Forbidden):
        require_plan_editor(principal, PLAN)
    with pytest.raises(Forbidden):
        require_report_reviewer(principal, PLAN)


def test_contact_points_write_only_their_own_institutions_reports():
    require_report_author(who("contact_point", 3), 3)
    require_report_author(who("admin", None), 3)
    for principal in (who("contact_point", 4), who("coordinator", 3), who("viewer", 3), who("contact_point", None)):
        with pytest.raises(Forbidden):
            require_report_author(principal, 3)
