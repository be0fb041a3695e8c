"""Opening, extending and closing rounds: the closing day in working days, the bounds, who may,
and the one writer's history and events."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlmodel import col

from tests import factories as f
from tests.workflow.consultation.builders import ENTERED, a_round, at, closed, in_consultation, people
from workflow.consultation import (
    ROUNDS,
    RoundClose,
    RoundEvent,
    RoundExtend,
    close_round,
    extend_round,
    list_rounds,
    round_history,
)
from workflow.consultation.states import OPENING, RoundState
from workflow.core import Conflict, Forbidden, GuardRefused, OutboxEvent, StaleVersion, ValidationFailed


@pytest.fixture
def world(session):
    p = people(session)
    s = in_consultation(session, p.institution_id)
    return p, s


def test_the_round_table_is_sound_and_open_is_its_creation():
    assert ROUNDS.defects() == []
    assert ROUNDS.allowed("open") == [RoundEvent.EXTEND, RoundEvent.CLOSE]
    assert ROUNDS.allowed("closed") == []
    assert OPENING.target is ROUNDS.initial is RoundState.OPEN
    assert RoundEvent.OPEN not in ROUNDS.moves


def test_the_default_closing_day_counts_20_working_days_past_albanias_holidays(session, settings, world):
    p, s = world
    # After Monday 2025-11-10 (day 0): Alphabet Day observed (24 Nov), Flag Day (28 Nov), Liberation
    # Day observed (1 Dec) and Youth Day (8 Dec) do not count; on weekdays alone it would be 8 Dec.
    round_ = a_round(session, p.coordinator, s.id, settings, today=date(2025, 11, 10), opened_on=date(2025, 11, 10))
    assert round_.closes_on == date(2025, 12, 12)
    assert (round_.number, round_.state, round_.channels, round_.version) == (1, "open", ["e_register"], 1)
    [change] = round_history(session, round_.id)
    assert (change.event, change.from_state, change.to_state, change.closes_on_before, change.closes_on_after,
            change.actor, change.effective_on) == ("open", None, "open", None, date(2025, 12, 12), "arta",
                                                    date(2025, 11, 10))
    event = session.scalars(select(OutboxEvent).where(col(OutboxEvent.type) == "consultation_round_opened")).one()
    assert event.strategy_id == s.id and event.payload["closes_on"] == "2025-12-12"


def test_a_declared_day_counts_like_a_holiday(session, settings, world):
    from workflow.calendar import NonWorkingDayCreate, declare_non_working_day

    p, s = world
    declare_non_working_day(session, NonWorkingDayCreate(day=date(2025, 12, 10), name="Snow day"), settings,
                            actor=p.admin, now=at(date(2025, 11, 1)))
    round_ = a_round(session, p.coordinator, s.id, settings, today=date(2025, 11, 10), opened_on=date(2025, 11, 10))
    assert round_.closes_on == date(2025, 12, 15)


def test_the_strategy_own_minimum_is_the_default(session, settings):
    p = people(session)
    s = in_consultation(session, p.institution_id, min_consultation_days=30)
    round_ = a_round(session, p.admin, s.id, settings, today=date(2025, 11, 10), opened_on=date(2025, 11, 10))
    assert round_.closes_on == date(2025, 12, 29)  # 20 working days to 12 Dec, then 10 more past Christmas


def test_channels_are_one_or_several_each_once_in_order(session, settings, world):
    p, s = world
    round_ = a_round(session, p.coordinator, s.id, settings, today=ENTERED,
                     channel=["online", "e_register", "online"])
    assert round_.channels == ["e_register", "online"]


@pytest.mark.parametrize(("opened_on", "detail"), [
    (date(2025, 11, 11), "must not be in the future"),
    (date(2025, 10, 31), "must not precede the start of the consultation stage on 2025-11-03"),
])
def test_opening_day_bounds(session, settings, world, opened_on, detail):
    p, s = world
    with pytest.raises(ValidationFailed) as refused:
        a_round(session, p.coordinator, s.id, settings, today=date(2025, 11, 10), opened_on=opened_on)
    assert refused.value.errors[0].pointer == "#/opened_on"
    assert detail in refused.value.errors[0].detail


def test_a_closing_day_below_the_minimum_is_for_admins_above_the_maximum_for_nobody(session, settings, world):
    p, s = world
    today = date(2025, 11, 10)
    with pytest.raises(Forbidden) as refused:
        a_round(session, p.coordinator, s.id, settings, today=today, opened_on=today, closes_on=date(2025, 12, 11))
    assert refused.value.extensions["errors"][0]["pointer"] == "#/closes_on"
    assert "2025-12-12 or later" in refused.value.detail
    # 40 working days after 10 Nov: past Christmas and New Year's two days, 2026-01-14
    with pytest.raises(ValidationFailed) as too_long:
        a_round(session, p.admin, s.id, settings, today=today, opened_on=today, closes_on=date(2026, 1, 15))
    assert "2026-01-14 at the latest" in too_long.value.errors[0].detail
    round_ = a_round(session, p.admin, s.id, settings, today=today, opened_on=today, closes_on=date(2025, 11, 20))
    assert round_.closes_on == date(2025, 11, 20)


def test_closes_on_must_follow_the_opening(session, settings, world):
    p, s = world
    with pytest.raises(ValidationFailed) as refused:
        a_round(session, p.admin, s.id, settings, today=ENTERED, opened_on=ENTERED, closes_on=ENTERED)
    assert refused.value.errors[0].pointer == "#/closes_on"


def test_rounds_open_only_in_consultation_one_at_a_time(session, settings):
    p = people(session)
    draft = f.strategy(session, p.institution_id)
    with pytest.raises(GuardRefused, match="only while the strategy is in consultation"):
        a_round(session, p.coordinator, draft.id, settings, today=ENTERED)
    s = in_consultation(session, p.institution_id)
    first = a_round(session, p.coordinator, s.id, settings, today=ENTERED)
    with pytest.raises(Conflict) as busy:
        a_round(session, p.coordinator, s.id, settings, today=ENTERED)
    assert busy.value.extensions["round_id"] == first.id
    closed(session, p.coordinator, first, settings)
    with pytest.raises(ValidationFailed, match="must not precede the close of round 1"):
        a_round(session, p.coordinator, s.id, settings, today=first.closes_on, opened_on=ENTERED)
    second = a_round(session, p.coordinator, s.id, settings, today=first.closes_on)
    assert [r.number for r in list_rounds(session, s.id)] == [1, 2] and second.opened_on == first.closes_on


def test_only_the_lead_institutions_coordinators_and_admins_write(session, settings, world):
    p, s = world
    for actor in (p.outsider, p.viewer):
        with pytest.raises(Forbidden):
            a_round(session, actor, s.id, settings, today=ENTERED)
    assert a_round(session, p.admin, s.id, settings, today=ENTERED).id


def test_an_extension_moves_the_closing_day_with_a_reason_within_the_maximum(session, settings, world):
    p, s = world
    today = date(2025, 11, 10)
    round_ = a_round(session, p.coordinator, s.id, settings, today=today, opened_on=today)
    with pytest.raises(ValidationFailed) as too_long:
        extend_round(session, p.coordinator, round_.id, RoundExtend(closes_on=date(2026, 1, 15), reason="More time"),
                     settings=settings, now=at(date(2025, 12, 1)))
    assert too_long.value.errors[0].pointer == "#/closes_on"
    with pytest.raises(ValidationFailed, match="after the current closing day, 2025-12-12"):
        extend_round(session, p.coordinator, round_.id, RoundExtend(closes_on=date(2025, 12, 12), reason="x"),
                     settings=settings, now=at(date(2025, 12, 1)))
    extended = extend_round(session, p.coordinator, round_.id,
                            RoundExtend(closes_on=date(2026, 1, 14), reason="Requests from civil society"),
                            settings=settings, now=at(date(2025, 12, 1)), if_match={1})
    assert (extended.closes_on, extended.version, extended.state) == (date(2026, 1, 14), 2, "open")
    change = round_history(session, round_.id)[-1]
    assert (change.event, change.closes_on_before, change.closes_on_after, change.reason, change.effective_on) == (
        "extend", date(2025, 12, 12), date(2026, 1, 14), "Requests from civil society", date(2025, 12, 1))
    with pytest.raises(StaleVersion):
        extend_round(session, p.coordinator, round_.id, RoundExtend(closes_on=date(2026, 1, 14), reason="x"),
                     settings=settings, now=at(date(2025, 12, 1)), if_match={1})


def test_an_extension_comes_before_the_closing_day(session, settings, world):
    p, s = world
    round_ = a_round(session, p.coordinator, s.id, settings, today=date(2025, 11, 10), opened_on=date(2025, 11, 10))
    command = RoundExtend(closes_on=date(2025, 12, 19), reason="late request")
    with pytest.raises(GuardRefused, match="on or before its closing day, 2025-12-12"):
        extend_round(session, p.coordinator, round_.id, command, settings=settings, now=at(date(2025, 12, 15)))
    backdated = command.model_copy(update={"effective_on": date(2025, 12, 13)})
    with pytest.raises(ValidationFailed) as refused:
        extend_round(session, p.coordinator, round_.id, backdated, settings=settings, now=at(date(2025, 12, 15)))
    assert refused.value.errors[0].pointer == "#/effective_on"


def test_a_round_closes_on_or_after_its_closing_day_never_in_the_future(session, settings, world):
    p, s = world
    round_ = a_round(session, p.coordinator, s.id, settings, today=date(2025, 11, 10), opened_on=date(2025, 11, 10))
    with pytest.raises(GuardRefused) as early:
        close_round(session, p.coordinator, round_.id, RoundClose(), settings=settings, now=at(date(2025, 12, 11)))
    assert early.value.extensions["closes_on"] == "2025-12-12"
    with pytest.raises(ValidationFailed) as explicit:
        close_round(session, p.coordinator, round_.id, RoundClose(closed_on=date(2025, 12, 11)), settings=settings,
                    now=at(date(2025, 12, 20)))
    assert explicit.value.errors[0].pointer == "#/closed_on"
    with pytest.raises(ValidationFailed, match="future"):
        close_round(session, p.coordinator, round_.id, RoundClose(closed_on=date(2025, 12, 21)), settings=settings,
                    now=at(date(2025, 12, 20)))
    done = close_round(session, p.coordinator, round_.id, RoundClose(closed_on=date(2025, 12, 15)),
                       settings=settings, now=at(date(2025, 12, 20)))
    assert (done.state, done.closed_on, done.version) == ("closed", date(2025, 12, 15), 2)
    with pytest.raises(Conflict, match="only an open round can be closed; this one is closed"):
        close_round(session, p.coordinator, round_.id, RoundClose(), settings=settings, now=at(date(2025, 12, 20)))
    with pytest.raises(Conflict, match="only an open round can be extended"):
        extend_round(session, p.coordinator, round_.id, RoundExtend(closes_on=date(2026, 1, 5), reason="x"),
                     settings=settings, now=at(date(2025, 12, 20)))
    types = list(session.scalars(select(col(OutboxEvent.type)).where(col(OutboxEvent.type).like("consultation%"))))
    assert types == ["consultation_round_opened", "consultation_round_closed"]
