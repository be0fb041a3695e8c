"""The stored gap report, kept by areas, says what judging the whole deployment says.

Random portfolios in a few policy areas, with the links that leave an area (an action plan's
parent elsewhere, a predecessor elsewhere), changed a few strategies at a time as the services
would (each change with its event): areas moved, parents and predecessors relinked, periods
extended, drafting starts revised, strategies approved, expired and created. After every change:

* ``GET /gaps``'s reading (``gap_page``: stored rows, and the areas changed since judged again in
  memory) gives the entries, order and totals of a full judgement, page by page;
* the gap watch's refresh by areas leaves exactly the rows a full judgement gives (both compared
  with the same typical durations: the ones stored this morning, see ``refresh``);
* an analysis of one area on another day, as known on an earlier one (the area and its links
  read alone, the typical durations from the stage history alone) gives that area's entries of
  the full analysis.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select, update
from sqlmodel import Session

from tests import factories as f
from tests.workflow.gaps.watching import watch
from workflow.core import record_event
from workflow.core.db import new_session, unit_of_work
from workflow.gaps import GapQuery, GapReportRow, gap_page
from workflow.gaps.queries import load_snapshots, typical_days
from workflow.gaps.refresh import read_state
from workflow.gaps.rules import STATUSES, GapAssessment
from workflow.gaps.stored import UNBOUNDED, StoredRow, at_horizon, entry_of, sort_key
from workflow.lifecycle import StageChange, Strategy, StrategyRevision

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TODAY = date(2026, 12, 1)
AREAS = ("migration", "diaspora", "health", "health-care")
HORIZON = 365  # the default: the whole report's totals come from the state row


class Portfolio:
    """Strategies written straight into the tables, each change with an event naming the strategy."""

    def __init__(self, engine: Engine, rng: random.Random) -> None:
        self.engine, self.rng = engine, rng
        with unit_of_work(engine) as s:
            self.lead = f.institution(s)
        self.ids: list[int] = []
        self.revised: dict[int, date] = {}

    def _event(self, session: Session, strategy_id: int, type_: str = "strategy_updated") -> None:
        record_event(session, type_, strategy_id=strategy_id, payload={}, at=NOW)

    def create(self, session: Session) -> int:
        rng = self.rng
        start = date(2014, 1, 1) + timedelta(days=rng.randint(0, 16 * 365))
        end = start + timedelta(days=rng.randint(300, 6 * 365))
        strategies = [i for i in self.ids if session.get(Strategy, i).kind == "strategy"]
        kind = "action_plan" if strategies and rng.random() < 0.45 else "strategy"
        parent = rng.choice(strategies) if kind == "action_plan" and rng.random() < 0.8 else None
        values: dict[str, Any] = {
            "title": f"doc {len(self.ids) + 1}", "policy_area": rng.choice(AREAS), "kind": kind, "parent_id": parent,
            "predecessor_id": rng.choice(self.ids) if self.ids and rng.random() < 0.3 else None,
            "lead_institution_id": self.lead, "period_start": start, "period_end": end, "stage": "drafting",
            "stage_entered_on": start - timedelta(days=400), "drafting_started_on": start - timedelta(days=400),
            "version": 1, "created_at": NOW, "updated_at": NOW,
            "drafting_due": start + timedelta(days=rng.randint(-300, 100)) if rng.random() < 0.5 else None,
        }
        strategy_id = session.execute(insert(Strategy).values(**values).returning(Strategy.id)).scalar_one()
        self.ids.append(strategy_id)
        self._event(session, strategy_id, "strategy_created")
        if rng.random() < 0.75:
            self.approve(session, strategy_id, start + timedelta(days=rng.randint(-200, 200)))
        elif rng.random() < 0.5:
            self._step(session, strategy_id, "submit_for_consultation", "drafting", "consultation",
                       min(TODAY, start - timedelta(days=rng.randint(0, 300))))
        return strategy_id

    def _step(self, session: Session, strategy_id: int, event: str, source: str, target: str, on: date) -> None:
        session.execute(insert(StageChange).values(  # some days approximate: they widen the ranges
            strategy_id=strategy_id, event=event, from_stage=source, to_stage=target, actor="test",
            effective_on=on, effective_on_approximate=self.rng.random() < 0.3, recorded_at=NOW))
        values: dict[str, Any] = {"stage": target, "stage_entered_on": on}
        if event == "approve":
            values["approved_on"] = on
        session.execute(update(Strategy).where(Strategy.id == strategy_id).values(**values))
        self._event(session, strategy_id, "stage_changed")

    def approve(self, session: Session, strategy_id: int, on: date) -> None:
        on = min(on, TODAY)
        stage = session.get(Strategy, strategy_id, populate_existing=True).stage
        if stage == "drafting":
            self._step(session, strategy_id, "submit_for_consultation", "drafting", "consultation",
                       on - timedelta(days=self.rng.randint(60, 200)))
            stage = "consultation"
        if stage == "consultation":
            self._step(session, strategy_id, "submit_for_approval", "consultation", "approval",
                       on - timedelta(days=self.rng.randint(5, 55)))
        self._step(session, strategy_id, "approve", "approval", "implementation", on)
        if self.rng.random() < 0.3:
            self.expire(session, strategy_id)

    def expire(self, session: Session, strategy_id: int) -> None:
        strategy = session.get(Strategy, strategy_id, populate_existing=True)
        if strategy.stage not in ("implementation", "monitoring") or strategy.approved_on is None:
            return
        on = strategy.approved_on + timedelta(days=self.rng.randint(30, 2000))
        if on > TODAY:
            return
        self._step(session, strategy_id, "expire", strategy.stage, "expiry", on)

    def change(self, session: Session) -> None:
        rng, strategy_id = self.rng, self.rng.choice(self.ids)
        strategy = session.get(Strategy, strategy_id, populate_existing=True)
        what = rng.choice(["area", "parent", "predecessor", "period", "drafting", "approve", "expire", "create"])
        if what == "create":
            self.create(session)
            return
        if what == "approve" and strategy.stage in ("drafting", "consultation", "approval"):
            self.approve(session, strategy_id, strategy.period_start + timedelta(days=rng.randint(-100, 100)))
            return
        if what == "expire":
            self.expire(session, strategy_id)
            return
        values: dict[str, Any] = {}
        if what == "area":
            values["policy_area"] = rng.choice(AREAS)
        elif what == "parent" and strategy.kind == "action_plan":
            parents = [i for i in self.ids if i != strategy_id and session.get(Strategy, i).kind == "strategy"]
            values["parent_id"] = rng.choice(parents + [None])
        elif what == "predecessor":
            values["predecessor_id"] = rng.choice([i for i in self.ids if i != strategy_id] + [None])
        elif what == "drafting":
            values["drafting_started_on"] = strategy.drafting_started_on + timedelta(days=rng.randint(-300, 100))
        elif what == "period":
            values["period_end"] = strategy.period_end + timedelta(days=rng.randint(-200, 400))
            if values["period_end"] <= strategy.period_start:
                return
        if values:
            self._revision(session, strategy, values)  # before the UPDATE, which refreshes ``strategy``
            session.execute(update(Strategy).where(Strategy.id == strategy_id).values(**values))
            self._event(session, strategy_id)

    def _revision(self, session: Session, before: Strategy, values: dict[str, Any]) -> None:
        """The change as a revision, effective some day after the strategy's previous one."""
        assert before.id is not None
        last = self.revised.get(before.id, date(2019, 1, 1))
        effective_on = self.revised[before.id] = min(TODAY, last + timedelta(days=self.rng.randint(0, 400)))

        def jsonable(value: Any) -> Any:
            return value.isoformat() if isinstance(value, date) else value

        changes = {name: [jsonable(getattr(before, name)), jsonable(value)] for name, value in values.items()}
        session.execute(insert(StrategyRevision).values(strategy_id=before.id, changes=changes,
                                                        effective_on=effective_on, recorded_at=NOW))


def _reference(engine: Engine, settings) -> dict[int, StoredRow]:
    """Every strategy judged from the whole deployment, with the stored typical durations."""
    with new_session(engine) as s:
        state = read_state(s)
        snapshots = load_snapshots(s, zone=settings.zone)
    assert state is not None
    assessment = GapAssessment(snapshots, as_of=TODAY, default_days=typical_days(settings), typical=state.typical)
    entries = {e.strategy_id: e for e in assessment.entries(UNBOUNDED)}
    return {s.id: StoredRow(s.id, s.policy_area, s.kind, s.parent_id, s.predecessor_id, entries.get(s.id))
            for s in snapshots}


def _stored(engine: Engine) -> dict[int, StoredRow]:
    with new_session(engine) as s:
        return {r.strategy_id: StoredRow(r.strategy_id, r.policy_area, r.kind, r.parent_id, r.predecessor_id,
                                         entry_of(r.entry) if r.entry is not None else None)
                for r in s.scalars(select(GapReportRow))}


def _watch(engine: Engine, settings) -> None:
    watch(engine, settings, NOW)


def _check_reading(engine: Engine, settings, reference: dict[int, StoredRow], rng: random.Random) -> None:
    expected = sorted((at_horizon(r.entry, today=TODAY, horizon_days=HORIZON) for r in reference.values()
                       if r.entry is not None), key=sort_key)
    area = rng.choice((None, *AREAS))
    kind = rng.choice((None, "strategy", "action_plan"))
    status = rng.choice((None, None, "ok", "at_risk", "gap", "covered"))
    query = GapQuery(TODAY, HORIZON, policy_area=area, kind=kind, status=status)
    chosen = [e for e in expected if (area is None or e.policy_area == area) and (kind is None or e.kind == kind)]
    by_status = {s: sum(1 for e in chosen if e.status == s) for s in STATUSES}
    chosen = [e for e in chosen if status is None or e.status == status]
    pages, cursor, sources = [], None, set()
    while True:
        page = gap_page(engine, query, today=TODAY, settings=settings, limit=rng.randint(1, 4), after=cursor)
        assert (page.total, page.by_status) == (len(chosen), by_status)
        pages += page.items
        sources.add(page.source.split("+")[0])
        cursor = page.next_cursor
        if cursor is None:
            break
    assert pages == chosen
    assert sources == {"stored"}
    whole = gap_page(engine, GapQuery(TODAY, settings.gap_horizon_days), today=TODAY, settings=settings, limit=1)
    assert whole.by_status == {s: sum(1 for e in expected if e.status == s) for s in STATUSES}


@pytest.mark.parametrize(("backend", "seed"), [
    *(("sqlite", seed) for seed in range(8)),
    *(pytest.param("postgres", seed, marks=pytest.mark.postgres) for seed in range(2)),
])
def test_the_rows_kept_by_areas_are_those_of_a_full_judgement(request, settings, backend, seed):
    engine = request.getfixturevalue("engine" if backend == "sqlite" else "pg_engine")
    rng = random.Random(seed)
    portfolio = Portfolio(engine, rng)
    with unit_of_work(engine) as s:
        for _ in range(25):
            portfolio.create(s)
    _watch(engine, settings)  # the first pass of the day judges everything
    assert _stored(engine) == _reference(engine, settings)
    for _ in range(20):
        with unit_of_work(engine) as s:
            for _ in range(rng.randint(1, 3)):
                portfolio.change(s)
        reference = _reference(engine, settings)
        _check_reading(engine, settings, reference, rng)  # before any pass: stored rows and areas judged again
        _watch(engine, settings)
        assert _stored(engine) == reference
        _check_reading(engine, settings, reference, rng)
        _check_analysis(engine, settings, rng)


def _check_analysis(engine: Engine, settings, rng: random.Random) -> None:
    as_of = date(2016, 1, 1) + timedelta(days=rng.randint(0, 12 * 365))
    known_on = rng.choice((None, date(2019, 1, 1) + timedelta(days=rng.randint(0, 8 * 365))))
    if known_on is not None and known_on > TODAY:
        known_on = TODAY - timedelta(days=1)
    whole = gap_page(engine, GapQuery(as_of, HORIZON, known_on), today=TODAY, settings=settings, limit=None)
    assert whole.source == "computed"
    for area in AREAS:
        alone = gap_page(engine, GapQuery(as_of, HORIZON, known_on, policy_area=area), today=TODAY,
                         settings=settings, limit=None)
        assert alone.items == [e for e in whole.items if e.policy_area == area], (area, as_of, known_on)
