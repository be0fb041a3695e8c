"""Events, submissions and responses, the counts a round shows, and the lifecycle's port."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests import factories as f
from tests.workflow.consultation.builders import (
    ENTERED,
    a_round,
    answer,
    at,
    closed,
    in_consultation,
    meeting,
    people,
    submission,
)
from workflow.calendar import working_calendar
from workflow.consultation import RECORDS, CategoryCreate, create_category, list_categories, responses_of, round_view
from workflow.core import Conflict, Forbidden, GuardRefused, ValidationFailed
from workflow.lifecycle import Outstanding

OPENED = date(2025, 11, 10)  # closes 2025-12-12


@pytest.fixture
def world(session, settings):
    p = people(session)
    s = in_consultation(session, p.institution_id)
    round_ = a_round(session, p.coordinator, s.id, settings, today=OPENED, opened_on=OPENED)
    return p, s, round_

LATER = date(2026, 6, 30)  # a day after every record of these tests


def test_a_submission_needs_a_known_category_and_a_day_within_reach(session, settings, world):
    p, _, round_ = world
    with pytest.raises(ValidationFailed) as refused:
        submission(session, p.coordinator, round_.id, settings, today=date(2025, 11, 20), category="unions",
                   received_on=date(2025, 11, 9))
    assert [e.pointer for e in refused.value.errors] == ["#/received_on", "#/category"]
    with pytest.raises(ValidationFailed, match="future"):
        submission(session, p.coordinator, round_.id, settings, today=date(2025, 11, 20),
                   received_on=date(2025, 11, 21))


def test_a_late_submission_is_kept_and_marked_late_until_an_extension_covers_it(session, settings, world):
    from workflow.consultation import RoundExtend, extend_round

    p, _, round_ = world
    on_time = submission(session, p.coordinator, round_.id, settings, today=date(2025, 12, 12))
    late = submission(session, p.coordinator, round_.id, settings, today=date(2025, 12, 15),
                      received_on=date(2025, 12, 15))
    cal = working_calendar(session, settings)
    view = round_view(session, round_.id, today=date(2025, 12, 15), calendar=cal)
    assert [(a.submission.id, a.late) for a in view.submissions] == [(on_time, False), (late, True)]
    assert view.counts.late == 1
    extend_round(session, p.coordinator, round_.id, RoundExtend(closes_on=date(2025, 12, 19), reason="More time",
                 effective_on=date(2025, 12, 12)), settings=settings, now=at(date(2025, 12, 15)))
    view = round_view(session, round_.id, today=date(2025, 12, 15), calendar=cal)
    assert [a.late for a in view.submissions] == [False, False]


def test_a_response_needs_a_reason_unless_accepted_and_the_latest_counts(session, settings, world):
    p, _, round_ = world
    sid = submission(session, p.coordinator, round_.id, settings, today=date(2025, 11, 20))
    with pytest.raises(ValidationFailed) as refused:
        answer(session, p.coordinator, sid, settings, today=date(2025, 11, 21), decision="not_accepted")
    assert refused.value.errors[0].pointer == "#/reason"
    with pytest.raises(ValidationFailed) as early:
        answer(session, p.coordinator, sid, settings, today=date(2025, 11, 21), responded_on=date(2025, 11, 19))
    assert early.value.errors[0].pointer == "#/responded_on"
    answer(session, p.coordinator, sid, settings, today=date(2025, 11, 21), decision="partly_accepted",
           reason="Formal channels only; informal ones are not measured.")
    answer(session, p.coordinator, sid, settings, today=date(2025, 11, 24), decision="accepted")
    assert [r.decision for r in responses_of(session, sid)] == ["partly_accepted", "accepted"]
    view = round_view(session, round_.id, today=date(2025, 11, 24), calendar=working_calendar(session, settings))
    assert (view.counts.answered, view.counts.accepted, view.counts.partly_accepted) == (1, 1, 0)


def test_events_count_participants_by_known_category_within_the_round(session, settings, world):
    p, _, round_ = world
    with pytest.raises(ValidationFailed) as refused:
        meeting(session, p.coordinator, round_.id, settings, today=date(2025, 11, 20), date=date(2025, 11, 7),
                participants={"unions": 3, "diaspora": 1})
    assert [e.pointer for e in refused.value.errors] == ["#/date", "#/participants/unions"]
    meeting(session, p.coordinator, round_.id, settings, today=date(2025, 11, 20))
    meeting(session, p.coordinator, round_.id, settings, today=date(2025, 11, 27), kind="hearing",
            participants={"diaspora": 2, "academia": 5})
    view = round_view(session, round_.id, today=date(2025, 11, 27), calendar=working_calendar(session, settings))
    assert view.counts.participants_by_category == {"academia": 5, "civil_society": 12, "diaspora": 5}
    assert (view.counts.events, view.counts.participants) == (2, 22)
    assert view.working_days == 12 and view.working_days_left == 8  # 24 Nov is a holiday; 28 Nov and 1 Dec too


def test_records_are_written_only_in_consultation_by_the_lead(session, settings, world):
    p, s, round_ = world
    with pytest.raises(Forbidden):
        submission(session, p.outsider, round_.id, settings, today=date(2025, 11, 20))
    closed(session, p.coordinator, round_, settings)
    f.advance(session, s.id, "return_to_drafting", today=date(2025, 12, 15), comment="Rework",
              effective_on=date(2025, 12, 15))
    with pytest.raises(GuardRefused, match="strategy .* is in drafting"):
        submission(session, p.coordinator, round_.id, settings, today=date(2025, 12, 15))


def test_outstanding_names_open_rounds_and_unanswered_submissions(session, settings, world):
    p, s, round_ = world
    assert RECORDS.outstanding(session, s.id, LATER) == Outstanding(open_rounds=(round_.id,))
    first = submission(session, p.coordinator, round_.id, settings, today=date(2025, 11, 20))
    second = submission(session, p.coordinator, round_.id, settings, today=date(2025, 11, 21), category="academia")
    answer(session, p.coordinator, first, settings, today=date(2025, 11, 24))
    closed(session, p.coordinator, round_, settings)
    assert RECORDS.outstanding(session, s.id, LATER) == Outstanding(unanswered_submissions=(second,))
    answer(session, p.coordinator, second, settings, today=date(2025, 12, 15), decision="not_accepted",
           reason="Out of scope.")
    assert RECORDS.outstanding(session, s.id, LATER).settled
    other = in_consultation(session, p.institution_id, title="Another")
    assert RECORDS.outstanding(session, other.id, LATER) == Outstanding()


def test_outstanding_is_judged_on_the_day_asked_about(session, settings, world):
    p, s, round_ = world
    sid = submission(session, p.coordinator, round_.id, settings, today=date(2025, 11, 20))
    closed_round = closed(session, p.coordinator, round_, settings)
    answer(session, p.coordinator, sid, settings, today=date(2025, 12, 15))
    assert RECORDS.outstanding(session, s.id, LATER).settled
    before_close = closed_round.closed_on - timedelta(days=1)
    assert RECORDS.outstanding(session, s.id, before_close) == Outstanding(
        open_rounds=(round_.id,), unanswered_submissions=(sid,)
    )
    assert RECORDS.outstanding(session, s.id, date(2025, 12, 14)) == Outstanding(unanswered_submissions=(sid,))
    with pytest.raises(GuardRefused):  # a submission for approval backdated before the answer
        f.advance(session, s.id, "submit_for_approval", today=date(2025, 12, 15), consultation=RECORDS,
                  effective_on=date(2025, 12, 14))


def test_submit_for_approval_waits_for_every_round_and_answer(session, settings, world):
    p, s, round_ = world
    sid = submission(session, p.coordinator, round_.id, settings, today=date(2025, 11, 20))
    closed(session, p.coordinator, round_, settings)
    with pytest.raises(GuardRefused) as refused:
        f.advance(session, s.id, "submit_for_approval", today=date(2025, 12, 15), consultation=RECORDS,
                  effective_on=date(2025, 12, 15))
    assert str(sid) in refused.value.detail
    answer(session, p.coordinator, sid, settings, today=date(2025, 12, 15))
    moved = f.advance(session, s.id, "submit_for_approval", today=date(2025, 12, 15), consultation=RECORDS,
                      effective_on=date(2025, 12, 15))
    assert moved.stage == "approval"


def test_categories_nine_built_in_then_admins_add(session):
    p = people(session)
    codes = [c.code for c in list_categories(session)]
    assert codes == ["diaspora", "migrants", "local_communities", "development_partners", "civil_society",
                     "private_sector", "academia", "public_institutions", "other"]
    with pytest.raises(Forbidden):
        create_category(session, p.coordinator, CategoryCreate(code="unions", label_en="Trade unions",
                                                               label_sq="Sindikatat"), now=at(ENTERED))
    create_category(session, p.admin, CategoryCreate(code="unions", label_en="Trade unions", label_sq="Sindikatat"),
                    now=at(ENTERED))
    with pytest.raises(Conflict):
        create_category(session, p.admin, CategoryCreate(code="unions", label_en="x", label_sq="y"), now=at(ENTERED))
    assert [c.code for c in list_categories(session)][-2:] == ["other", "unions"]


def test_the_migration_seeds_the_built_in_categories_as_the_code_lists_them(session):
    from workflow.consultation import BUILTIN_CATEGORIES

    rows = [(c.code, c.label_en, c.label_sq) for c in list_categories(session) if c.builtin]
    assert rows == list(BUILTIN_CATEGORIES)
