"""Bulk import of an action plan's objectives and measures from CSV: all rows or none.

One row per measure. Columns (header names exact, order free):

    objective_code*, objective_title, measure_code, measure_title*, responsible_institution*,
    contributing_institutions, planned_start*, planned_end*, estimated_cost, currency,
    funding_source, status, completed_on, alignment_tags

Institutions are named as in the directory; lists (contributing_institutions, alignment_tags)
are separated by ``;``. An objective code already in the plan (or its strategy) is reused;
a new code creates a strategic objective of the plan and needs ``objective_title``. Every row
is checked before anything is written; errors point at ``#/rows/{line}/{column}``, where line
is the line number in the file (the header is line 1).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import func, select
from sqlmodel import Session, col

from workflow.core import FieldError, Settings, Title, ValidationFailed
from workflow.directory import Institution
from workflow.lifecycle import AuthorizeLink, Strategy, get_strategy
from workflow.monitoring.models import Measure, Objective
from workflow.monitoring.plan.catalog import objective_owner
from workflow.monitoring.plan.checks import measure_errors
from workflow.monitoring.plan.limits import PlanLimits, require_room
from workflow.monitoring.requests import Code, MeasureCreate

REQUIRED = ("objective_code", "measure_title", "responsible_institution", "planned_start", "planned_end")
OPTIONAL = ("objective_title", "measure_code", "contributing_institutions", "estimated_cost", "currency",
            "funding_source", "status", "completed_on", "alignment_tags")
MAX_ROWS = 2000
_CODE, _TITLE = TypeAdapter(Code), TypeAdapter(Title)
COLUMN_OF_FIELD = {
    "title": "measure_title", "code": "measure_code", "responsible_institution_id": "responsible_institution",
    "contributing_institution_ids": "contributing_institutions", "objective_id": "objective_code",
}


@dataclass(frozen=True)
class ImportResult:
    objectives_created: int
    measures_created: int
    measure_ids: list[int]


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _rows(data: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed.field("#", f"the file is not UTF-8 text (byte {exc.start})") from exc
    if "\x00" in text:
        raise ValidationFailed.field("#", "the file contains NUL characters")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in (reader.fieldnames or [])]
        reader.fieldnames = header
        rows = []
        for record in reader:
            if None in record:
                rows.append((reader.line_num, {"__extra__": "x"}))
                continue
            if any((value or "").strip() for value in record.values()):
                rows.append((reader.line_num, {k: (v or "").strip() for k, v in record.items()}))
            if len(rows) > MAX_ROWS:
                raise ValidationFailed.field("#", f"at most {MAX_ROWS} rows per import")
    except csv.Error as exc:
        raise ValidationFailed.field("#", f"not valid CSV: {exc}") from exc
    return header, rows


def _check_header(header: list[str]) -> None:
    errors = [FieldError(f"#/header/{name}", "required column is missing") for name in REQUIRED if name not in header]
    errors += [FieldError(f"#/header/{name}", "unknown column") for name in header if name not in REQUIRED + OPTIONAL]
    if errors:
        raise ValidationFailed(errors, detail="the header is not an action plan import: nothing was imported")


class _Importer:
    def __init__(self, session: Session, plan: Strategy, authorize_link: AuthorizeLink | None) -> None:
        self.session, self.plan, self.authorize_link = session, plan, authorize_link
        owners = [plan.id] + ([plan.parent_id] if plan.parent_id else [])
        self.objectives = {o.code: o.id for o in session.scalars(
            select(Objective).where(col(Objective.strategy_id).in_(owners), col(Objective.code).is_not(None)))}
        self.measure_codes = set(session.scalars(
            select(col(Measure.code)).where(col(Measure.plan_id) == plan.id, col(Measure.code).is_not(None))))
        self.new_objectives: dict[str, str] = {}
        self.errors: list[FieldError] = []
        self.valid: list[tuple[str, MeasureCreate]] = []

    def _institution(self, name: str, pointer: str) -> int | None:
        found = self.session.scalar(
            select(col(Institution.id)).where(func.lower(col(Institution.name)) == name.lower())
        )
        if found is None:
            self.errors.append(FieldError(pointer, f"no institution named {name!r}"))
        return found

    def _objective(self, row: dict[str, str], at: str) -> bool:
        code, title = row.get("objective_code", ""), row.get("objective_title", "")
        if not code:
            self.errors.append(FieldError(f"{at}/objective_code", "is required"))
            return False
        if code in self.objectives:
            self._authorize_objective(self.objectives[code], f"{at}/objective_code")
            return True
        if code in self.new_objectives and title in ("", self.new_objectives[code]):
            return True  # created by an earlier row
        for column, adapter, value in (("objective_code", _CODE, code), ("objective_title", _TITLE, title or "-")):
            try:
                adapter.validate_python(value)
            except ValidationError as exc:
                self.errors.append(FieldError(f"{at}/{column}", exc.errors()[0]["msg"]))
                return False
        if not title:
            self.errors.append(FieldError(f"{at}/objective_title", f"objective {code!r} is new: give its title"))
            return False
        if code in self.new_objectives:
            self.errors.append(
                FieldError(f"{at}/objective_title", f"objective {code!r} has another title on an earlier row")
            )
            return False
        self.new_objectives[code] = title
        return True

    def _authorize_objective(self, objective_id: int | None, pointer: str) -> None:
        """A reused objective may be the plan's strategy's: linking to it is authorized like any link."""
        owner = objective_owner(self.session, objective_id) if objective_id is not None else None
        if self.authorize_link is not None and owner is not None:
            self.authorize_link(owner, f"{pointer} (objective {objective_id})")

    def check(self, line: int, row: dict[str, str]) -> None:
        at = f"#/rows/{line}"
        if "__extra__" in row:
            self.errors.append(FieldError(at, "has more cells than the header has columns"))
            return
        objective_ok = self._objective(row, at)
        responsible = self._institution(row["responsible_institution"], f"{at}/responsible_institution") \
            if row.get("responsible_institution") else None
        contributing = [
            self._institution(n, f"{at}/contributing_institutions")
            for n in _split(row.get("contributing_institutions", ""))
        ]
        code = row.get("measure_code") or None
        if code is not None and code in self.measure_codes:
            self.errors.append(
                FieldError(f"{at}/measure_code", f"the plan has a measure {code!r} already (or an earlier row)")
            )
        if code is not None:
            self.measure_codes.add(code)
        values: dict[str, Any] = {
            "objective_id": 1, "code": code, "title": row.get("measure_title", ""),
            "responsible_institution_id": responsible or 1,
            "contributing_institution_ids": [c or 1 for c in contributing],
            "planned_start": row.get("planned_start", ""), "planned_end": row.get("planned_end", ""),
            "alignment_tags": _split(row.get("alignment_tags", "")),
        }
        for column in ("estimated_cost", "currency", "funding_source", "status", "completed_on"):
            if row.get(column):
                values[column] = row[column]
        try:
            command = MeasureCreate.model_validate(values)
        except ValidationError as exc:
            for error in exc.errors():
                field = str(error["loc"][0]) if error["loc"] else "row"
                self.errors.append(FieldError(f"{at}/{COLUMN_OF_FIELD.get(field, field)}", error["msg"]))
            return
        fields = command.model_dump()
        for problem in measure_errors(fields, self.plan.period_start, self.plan.period_end, at):
            field = problem.pointer.removeprefix(at + "/").split("/")[0]
            self.errors.append(FieldError(f"{at}/{COLUMN_OF_FIELD.get(field, field)}", problem.detail))
        if objective_ok and responsible is not None and None not in contributing:
            self.valid.append((row["objective_code"], command))


def import_plan_csv(
    session: Session, plan_id: int, data: bytes, *, now: datetime, authorize_link: AuthorizeLink | None = None,
    settings: Settings | None = None,
) -> ImportResult:
    """``authorize_link`` sees the owner of each existing objective a row reuses (see ``catalog``);
    ``settings`` give the size limits (``plan.limits``), checked for the whole file at once."""
    plan = get_strategy(session, plan_id)
    assert plan.id is not None
    header, rows = _rows(data)
    _check_header(header)
    if not rows:
        raise ValidationFailed.field("#/rows", "the file has a header but no rows")
    importer = _Importer(session, plan, authorize_link)
    for line, row in rows:
        importer.check(line, row)
    if importer.errors:
        bad_rows = len({e.pointer.split("/")[2] for e in importer.errors if e.pointer.startswith("#/rows/")})
        raise ValidationFailed(importer.errors, detail=(
            f"{len(importer.errors)} error(s) in {bad_rows} row(s); nothing was imported. "
            + "; ".join(f"{e.pointer}: {e.detail}" for e in importer.errors[:20])
        ))
    limits = PlanLimits.of(settings)
    require_room(session, plan, "objectives", limits, adding=len(importer.new_objectives), pointer="#/rows")
    require_room(session, plan, "measures", limits, adding=len(importer.valid), pointer="#/rows")
    objective_ids = dict(importer.objectives)
    for code, title in importer.new_objectives.items():
        objective = Objective(strategy_id=plan.id, level="strategic", code=code, title=title, alignment_tags=[],
                              created_at=now, updated_at=now)
        session.add(objective)
        session.flush()
        objective_ids[code] = objective.id
    measures = []
    for objective_code, command in importer.valid:
        fields = command.model_dump() | {"objective_id": objective_ids[objective_code]}
        measures.append(Measure(**fields, plan_id=plan.id, created_at=now, updated_at=now))
    session.add_all(measures)
    session.flush()
    measure_ids = [m.id for m in measures if m.id is not None]  # the flush has given every one its id
    return ImportResult(len(importer.new_objectives), len(measures), measure_ids)
