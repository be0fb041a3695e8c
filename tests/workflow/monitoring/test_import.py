"""CSV import of an action plan: all rows or none, each bad row and column named."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests import factories as f
from workflow.core.errors import ValidationFailed
from workflow.monitoring.models import Measure, Objective
from workflow.monitoring.plan.importer import import_plan_csv

HEADER = ("objective_code,objective_title,measure_code,measure_title,responsible_institution,contributing_institutions,"
          "planned_start,planned_end,estimated_cost,currency,funding_source,status,completed_on,alignment_tags\n")
GOOD = [
    "1,Evidence-based governance,1.1,Publish the migration profile,Ministry of Interior,State Police,"
    "2020-01-01,2020-12-31,4500000.00,ALL,State budget,on_track,,gcm:1;mgi:whole-of-government\n",
    "1,,1.2,Data working group,State Police,,2020-02-01,2020-06-30,,,,completed,2020-06-15,gcm:1\n",
    "2,Return and reintegration,2.1,Reintegration counters,Ministry of Interior,,2020-03-01,2021-12-31,"
    "12000.50,EUR,EU IPA,,,\n",
]


@pytest.fixture
def plan(session):
    lead = f.institution(session)
    f.institution(session, "State Police")
    return f.strategy_in_stage(session, lead, "implementation", today=date(2020, 1, 1))


def counts(session, plan_id: int) -> tuple[int, int]:
    return (session.scalar(select(func.count()).select_from(Objective).where(Objective.strategy_id == plan_id)),
            session.scalar(select(func.count()).select_from(Measure).where(Measure.plan_id == plan_id)))


def test_a_clean_file_creates_the_objectives_and_measures(session, plan):
    result = import_plan_csv(session, plan.id, (HEADER + "".join(GOOD)).encode(), now=f.T0)
    assert (result.objectives_created, result.measures_created) == (2, 3)
    measures = {m.code: m for m in session.scalars(select(Measure))}
    assert str(measures["2.1"].estimated_cost) == "12000.50" and measures["2.1"].currency == "EUR"
    assert measures["1.2"].completed_on == date(2020, 6, 15)
    assert measures["1.1"].alignment_tags == ["gcm:1", "mgi:whole-of-government"]
    assert len(measures["1.1"].contributing_institution_ids) == 1


def test_bad_rows_are_each_reported_and_nothing_is_imported(session, plan):
    bad = [
        "3,New objective,3.1,Unknown ministry,Ministry of Magic,,2020-01-01,2020-12-31,,,,,,\n",  # line 5
        "3,,3.2,Ends before it starts,State Police,,2020-06-01,2020-01-01,10.12,ALL,,,,\n",  # line 6
        "4,,4.1,New objective without a title,State Police,,2020-01-01,2020-02-01,,,,finished,,\n",  # line 7
        "1,,1.1,Duplicate code,State Police,,2020-01-01,2023-05-01,5,,,completed,,\n",  # line 8
        "1,Another title,1.9,Too precise,State Police,,2020-01-01,2020-02-01,10.123,ALL,,,,gcm:99\n",  # line 9
    ]
    with pytest.raises(ValidationFailed) as failure:
        import_plan_csv(session, plan.id, (HEADER + "".join(GOOD + bad)).encode(), now=f.T0)
    pointers = {e.pointer for e in failure.value.errors}
    assert pointers == {
        "#/rows/5/responsible_institution",
        "#/rows/6/planned_end",
        "#/rows/7/objective_title", "#/rows/7/status",
        "#/rows/8/measure_code", "#/rows/8/planned_end", "#/rows/8/currency", "#/rows/8/completed_on",
        "#/rows/9/objective_title", "#/rows/9/estimated_cost", "#/rows/9/alignment_tags",
    }
    assert "nothing was imported" in failure.value.detail
    assert counts(session, plan.id) == (0, 0)


@pytest.mark.parametrize(
    ("data", "pointer"),
    [
        (b"objective_code,measure_title\n1,x\n", "#/header/responsible_institution"),
        (HEADER.replace("status", "state").encode() + b"", "#/header/state"),
        (HEADER.encode(), "#/rows"),
        (b"\xff\xfe" + HEADER.encode(), "#"),
        ((HEADER + GOOD[0].rstrip("\n") + ",extra\n").encode(), "#/rows/2"),
    ],
)
def test_a_malformed_file_is_refused_whole(session, plan, data, pointer):
    with pytest.raises(ValidationFailed) as failure:
        import_plan_csv(session, plan.id, data, now=f.T0)
    assert pointer in {e.pointer for e in failure.value.errors}
    assert counts(session, plan.id) == (0, 0)
