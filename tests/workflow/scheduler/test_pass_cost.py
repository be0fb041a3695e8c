"""What a scheduler pass costs follows what changed and what is due, not the portfolio's size.

Statements are counted on real PostgreSQL with a ``before_cursor_execute`` listener; the
portfolios are ``benchmarks/synthetic.py``'s (areas of five strategies with reminders due,
lapses ahead and successors in preparation), at two sizes ten times apart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, event, select

from benchmarks import synthetic
from tests import factories as f
from workflow.access import Principal
from workflow.calendar import NonWorkingDayCreate, declare_non_working_day
from workflow.core import Settings
from workflow.core.db import unit_of_work
from workflow.lifecycle import Strategy, StrategyPatch, update_strategy
from workflow.reminders import Notification, ledger
from workflow.scheduler import run_pass

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # 10:00 in Tirane: after the send hour
TODAY = NOW.date()


@contextmanager
def counting(engine: Engine) -> Iterator[Counter[str]]:
    """Every statement the engine runs inside the block, by its first two words."""
    seen: Counter[str] = Counter()

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        seen[" ".join(statement.split()[:3])] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _portfolio(engine: Engine, strategies: int) -> None:
    synthetic.build(engine, strategies=strategies, today=TODAY, now=NOW)


def _steady_statements(engine: Engine, settings: Settings) -> int:
    run_pass(engine, now=NOW, settings=settings)  # the first pass plans everything
    with counting(engine) as seen:
        report = run_pass(engine, now=NOW + timedelta(minutes=1), settings=settings)
    assert report.recorded == 0 and report.planned == "0 changed strategies"
    return sum(seen.values())


def test_a_steady_pass_issues_a_few_statements(pg_engine: Engine, settings):
    _portfolio(pg_engine, 25)
    small = _steady_statements(pg_engine, settings)
    # the cursor, the events since, the due rows, and the transactions around them; the webhooks'
    # active subscriptions (none: no fan-out) and their due deliveries
    assert small <= 8


def test_the_steady_pass_does_not_grow_with_the_portfolio(pg_engine: Engine, settings):
    _portfolio(pg_engine, 250)
    big = _steady_statements(pg_engine, settings)
    assert big <= 8


def test_after_one_change_a_pass_replans_that_strategy_alone(pg_engine: Engine, settings):
    _portfolio(pg_engine, 250)
    run_pass(pg_engine, now=NOW, settings=settings)
    with unit_of_work(pg_engine) as s:
        strategy = s.scalars(select(Strategy).where(Strategy.stage == "drafting").order_by(Strategy.id)).first()
        assert strategy is not None and strategy.id is not None
        changed = strategy.id
        update_strategy(s, changed, StrategyPatch(drafting_due=TODAY + timedelta(days=7)), now=NOW, actor="test",
                        today=TODAY)
    with counting(pg_engine) as seen:
        report = run_pass(pg_engine, now=NOW + timedelta(minutes=1), settings=settings)
    assert report.planned == "1 changed strategies"
    assert report.recorded == 2  # its two coordinators, for the 7-day reminder the new date makes due
    assert sum(seen.values()) <= 40  # a fixed handful for one strategy, whatever the portfolio holds
    assert seen["INSERT INTO notifications"] == 1


def test_a_recorded_reminder_is_never_offered_to_the_ledger_again(pg_engine: Engine, settings):
    _portfolio(pg_engine, 50)
    first = run_pass(pg_engine, now=NOW, settings=settings)
    assert first.recorded > 0
    tomorrow = NOW + timedelta(days=1)  # a new day: the pass plans everything again
    with counting(pg_engine) as seen:
        again = run_pass(pg_engine, now=tomorrow, settings=settings)
    assert again.planned == "everything"
    with unit_of_work(pg_engine) as s:
        recorded = s.scalars(select(Notification.id)).all()
    # Only reminders whose offset was reached overnight are new; none already held is re-inserted.
    assert again.recorded == len(recorded) - first.recorded
    assert seen["INSERT INTO notifications"] <= 1 + again.recorded // 500


def test_a_reminder_that_becomes_due_on_a_later_day_is_recorded_that_day(engine, settings):
    with unit_of_work(engine) as s:
        moi = f.institution(s)
        f.contact(s, moi, ["coordinator"], "coord@example.org")
        strategy = f.strategy(s, moi, period_start=date(2027, 1, 1), period_end=date(2030, 12, 31),
                              drafting_due=date(2026, 6, 9), reminder_offsets=[7])
    assert run_pass(engine, now=NOW, settings=settings).recorded == 0  # 8 days before: nothing yet
    assert run_pass(engine, now=NOW + timedelta(hours=1), settings=settings).recorded == 0
    assert run_pass(engine, now=NOW + timedelta(days=1), settings=settings).recorded == 1  # 2 June: 7 days before
    with unit_of_work(engine) as s:
        rows = s.scalars(select(Notification).where(Notification.strategy_id == strategy.id)).all()
    assert [(r.offset_days, r.due_on) for r in rows] == [(7, date(2026, 6, 9))]


def test_every_due_row_is_handed_out_however_many_one_pass_records(engine, settings):
    with unit_of_work(engine) as s:
        moi = f.institution(s)
        for n in range(7):
            f.contact(s, moi, ["coordinator"], f"coord{n}@example.org")
        f.strategy(s, moi, period_start=date(2027, 1, 1), period_end=date(2030, 12, 31),
                   drafting_due=date(2026, 6, 3), reminder_offsets=[7])
    run_pass(engine, now=NOW, settings=settings)
    with unit_of_work(engine) as s:
        for row in s.scalars(select(Notification)):
            row.status, row.claim_token, row.due_at = "pending", None, NOW  # due again, not queued
    with unit_of_work(engine) as s:
        handed = ledger.hand_out(s, NOW, lease=timedelta(minutes=10), limit=3)  # three a batch
    assert len(handed) == len(set(handed)) == 7


def test_a_declared_non_working_day_makes_the_next_pass_plan_everything(engine, settings):
    run_pass(engine, now=NOW, settings=settings)
    assert run_pass(engine, now=NOW + timedelta(minutes=1), settings=settings).planned == "0 changed strategies"
    with unit_of_work(engine) as s:
        declare_non_working_day(s, NonWorkingDayCreate(day=date(2026, 6, 5), name="A day of mourning"), settings,
                                actor=Principal(name="admin", role="admin", institution_id=None), now=NOW)
    assert run_pass(engine, now=NOW + timedelta(minutes=2), settings=settings).planned == "everything"


def test_a_lapse_comes_due_with_the_day_alone_and_the_first_pass_after_midnight_expires_it(engine, settings):
    with unit_of_work(engine) as s:
        moi = f.institution(s)
        lapsing = f.strategy_in_stage(s, moi, "implementation", today=TODAY, period_end=TODAY).id
    first = run_pass(engine, now=NOW, settings=settings)
    steady = run_pass(engine, now=NOW + timedelta(hours=1), settings=settings)
    assert first.expired == [] and steady.expired == [] and steady.planned == "0 changed strategies"
    midnight = run_pass(engine, now=datetime(2026, 6, 1, 22, 30, tzinfo=UTC), settings=settings)  # 00:30 local
    assert midnight.expired == [lapsing]
    with unit_of_work(engine) as s:
        assert s.get(Strategy, lapsing).stage == "expiry"


def test_a_reminder_with_nobody_to_receive_it_goes_out_once_someone_is_recorded(engine, settings):
    with unit_of_work(engine) as s:
        moi = f.institution(s)
        f.strategy(s, moi, period_start=date(2027, 1, 1), period_end=date(2030, 12, 31),
                   drafting_due=date(2026, 6, 6), reminder_offsets=[7])
    assert run_pass(engine, now=NOW, settings=settings).recorded == 0  # no coordinator yet
    with unit_of_work(engine) as s:
        f.contact(s, moi, ["coordinator"], "first@example.org")
    assert run_pass(engine, now=NOW + timedelta(days=1), settings=settings).recorded == 1  # the next morning
    with unit_of_work(engine) as s:
        f.contact(s, moi, ["coordinator"], "second@example.org")
    again = run_pass(engine, now=NOW + timedelta(days=2), settings=settings)
    assert again.recorded == 1  # the new coordinator; the first is not offered it twice
    with unit_of_work(engine) as s:
        assert len(s.scalars(select(Notification.id)).all()) == 2


def test_a_cursor_the_feed_does_not_know_makes_the_pass_plan_everything_instead_of_failing(engine, settings):
    from workflow.scheduler import SchedulerState  # noqa: PLC0415

    run_pass(engine, now=NOW, settings=settings)
    with unit_of_work(engine) as s:
        state = s.get(SchedulerState, 1)
        assert state is not None
        state.events_through = 10**9  # a restore from elsewhere, a pruned feed
    report = run_pass(engine, now=NOW + timedelta(minutes=1), settings=settings)
    assert report.planned == "everything"
    assert run_pass(engine, now=NOW + timedelta(minutes=2), settings=settings).planned == "0 changed strategies"
