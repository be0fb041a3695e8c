"""The agenda: whose each deadline, gap status and review is, and the most urgent first."""

from __future__ import annotations

from datetime import UTC, date, datetime

from workflow.access import Principal
from workflow.gaps import GapEntry
from workflow.lifecycle import Strategy
from workflow.monitoring import ProgressReport
from workflow.reminders import Deadline, LiveDeadline, ReminderPolicy
from workflow.scheduler import Submitted, agenda_for

TODAY = date(2026, 12, 1)
POLICY = ReminderPolicy.of([7], [1], 14)
MINISTRY, COMMITTEE, DIASPORA = 1, 2, 3


def live(key: str, kind: str, strategy_id: int, due_on: date, institution_id: int, role: str,
         escalation: int | None = None) -> LiveDeadline:
    return LiveDeadline(Deadline(key, kind, strategy_id, due_on), institution_id, role, POLICY, escalation)


DEADLINES = [
    live("strategy:4:period_end", "period_end", 4, date(2030, 12, 31), MINISTRY, "coordinator"),
    live("strategy:5:period_end", "period_end", 5, date(2026, 12, 31), MINISTRY, "coordinator"),
    live("strategy:6:consultation_due", "consultation_due", 6, date(2026, 11, 20), DIASPORA, "coordinator"),
    live("report:5:2026-Q3:1", "report_due", 5, date(2026, 10, 30), MINISTRY, "contact_point", MINISTRY),
    live("report:5:2026-Q3:2", "report_due", 5, date(2026, 10, 30), COMMITTEE, "contact_point", MINISTRY),
    live("report:5:2026-Q4:1", "report_due", 5, date(2027, 1, 30), MINISTRY, "contact_point", MINISTRY),
]


def entry(strategy_id: int, status: str, lapses_on: date, **extra: object) -> GapEntry:
    return GapEntry(strategy_id=strategy_id, title=f"s{strategy_id}", policy_area="migration", kind="strategy",
                    parent_id=None, stage="implementation", in_force_from=date(2020, 1, 1), lapses_on=lapses_on,
                    status=status, **extra)  # type: ignore[arg-type]


ENTRIES = [
    entry(4, "ok", date(2030, 12, 31)),
    entry(5, "at_risk", date(2026, 12, 31)),
    entry(2, "gap", date(2015, 12, 31), gap_days=3988),
    entry(7, "gap", date(2025, 12, 31), gap_days=335),
]
LEADS: dict[int, int | None] = {4: MINISTRY, 5: MINISTRY, 2: MINISTRY, 6: DIASPORA, 7: DIASPORA}


def principal(role: str, institution_id: int | None) -> Principal:
    return Principal(name=role, role=role, institution_id=institution_id)


def agenda(who: Principal, submitted: tuple[Submitted, ...] = ()) -> list[tuple[str, int, date, int]]:
    return [(i.kind, i.strategy_id, i.due_on, i.days_left)
            for i in agenda_for(who, DEADLINES, ENTRIES, leads=LEADS, today=TODAY, submitted=submitted)]


def test_a_coordinator_gets_her_institutions_deadlines_gaps_and_the_reports_it_chases_earliest_first() -> None:
    assert agenda(principal("coordinator", MINISTRY)) == [
        ("gap", 2, date(2016, 1, 1), -3987),
        ("report_due", 5, date(2026, 10, 30), -32),  # her own institution's report
        ("report_due", 5, date(2026, 10, 30), -32),  # the committee's, on the plan she leads
        ("at_risk", 5, date(2026, 12, 31), 30),  # instead of its bare lapse
        ("report_due", 5, date(2027, 1, 30), 60),
        ("period_end", 4, date(2030, 12, 31), 1491),  # not at risk yet: its lapse is a plain deadline
    ]


def test_a_contact_point_gets_only_the_reports_his_institution_owes() -> None:
    assert agenda(principal("contact_point", COMMITTEE)) == [("report_due", 5, date(2026, 10, 30), -32)]


def test_another_institution_sees_nothing_of_the_ministry() -> None:
    assert agenda(principal("coordinator", DIASPORA)) == [
        ("gap", 7, date(2026, 1, 1), -334),
        ("consultation_due", 6, date(2026, 11, 20), -11),
    ]
    assert agenda(principal("viewer", None)) == []


def test_an_admin_gets_everything_and_a_covered_lapse_is_nobodys() -> None:
    everything = agenda(principal("admin", None))
    assert len(everything) == 8  # six deadlines less the lapse at risk, and three gap statuses
    covered = [entry(5, "covered", date(2026, 12, 31))]
    items = agenda_for(principal("admin", None), DEADLINES, covered, leads=LEADS, today=TODAY)
    assert [(i.kind, i.strategy_id) for i in items if i.strategy_id == 5 and i.kind != "report_due"] == []


def test_a_submitted_report_waits_for_the_plans_coordinators() -> None:
    now = datetime(2026, 11, 25, 10, tzinfo=UTC)
    report = ProgressReport(id=9, plan_id=5, institution_id=COMMITTEE, period_label="2026-Q3",
                            period_start=date(2026, 7, 1), period_end=date(2026, 9, 30), due_on=date(2026, 10, 30),
                            status="submitted", narrative="", created_at=now, updated_at=now)
    waiting = (Submitted(report, Strategy(id=5, lead_institution_id=MINISTRY), date(2026, 11, 25)),)
    reviews = agenda_for(principal("coordinator", MINISTRY), [], [], leads=LEADS, today=TODAY, submitted=waiting)
    assert [(i.kind, i.report_id, i.due_on, i.days_left) for i in reviews] == [
        ("report_review", 9, date(2026, 11, 25), -6)
    ]
    for other in (principal("contact_point", MINISTRY), principal("coordinator", COMMITTEE)):
        assert agenda_for(other, [], [], leads=LEADS, today=TODAY, submitted=waiting) == []
