"""Cross-field rules for measures and indicators, on the merged field values (create, patch and
CSV import all pass through here). Pure: what needs the database is in the services."""

from __future__ import annotations

from datetime import date
from typing import Any

from workflow.core import FieldError


def measure_errors(fields: dict[str, Any], plan_start: date, plan_end: date, prefix: str = "#") -> list[FieldError]:
    errors: list[FieldError] = []
    start, end = fields["planned_start"], fields["planned_end"]
    within = f"{plan_start}..{plan_end}"
    if end < start:
        errors.append(FieldError(f"{prefix}/planned_end", "must not be before planned_start"))
    if start < plan_start or start > plan_end:
        errors.append(FieldError(f"{prefix}/planned_start", f"must lie within the plan's period {within}"))
    if end > plan_end or end < plan_start:
        errors.append(FieldError(f"{prefix}/planned_end", f"must lie within the plan's period {within}"))
    if (fields.get("estimated_cost") is None) != (fields.get("currency") is None):
        missing = "currency" if fields.get("currency") is None else "estimated_cost"
        errors.append(FieldError(f"{prefix}/{missing}", "an estimated cost needs both an amount and a currency"))
    completed = fields["status"] == "completed"
    if completed and fields.get("completed_on") is None:
        errors.append(FieldError(f"{prefix}/completed_on", "is required when the status is completed"))
    if not completed and fields.get("completed_on") is not None:
        errors.append(FieldError(f"{prefix}/completed_on", "only a completed measure has a completion date"))
    if fields["responsible_institution_id"] in fields.get("contributing_institution_ids", []):
        errors.append(
            FieldError(f"{prefix}/contributing_institution_ids", "must not repeat the responsible institution")
        )
    return errors


def indicator_errors(fields: dict[str, Any], prefix: str = "#") -> list[FieldError]:
    """The target must lie on the indicator's side of the baseline: progress is then one formula."""
    errors: list[FieldError] = []
    baseline, target = fields["baseline_value"], fields["target_value"]
    if fields["direction"] == "increase" and not target > baseline:
        errors.append(FieldError(f"{prefix}/target_value", "must be above the baseline for an increasing indicator"))
    if fields["direction"] == "decrease" and not target < baseline:
        errors.append(FieldError(f"{prefix}/target_value", "must be below the baseline for a decreasing indicator"))
    if fields["target_year"] < fields["baseline_year"]:
        errors.append(FieldError(f"{prefix}/target_year", "must not be before the baseline year"))
    return errors
