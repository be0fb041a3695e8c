"""`GET /gaps` on a big deployment: how long one gap report takes, and how long it holds a pooled
database connection, before and after issue 10 (successor index, groups scanned once, reading
apart from computing), in the same run on the same data.

The deployment is written straight into the tables, N documents (default 1,000, 2,000, 4,000),
each with its history (consultation, approval, approve, expire), in one of two shapes:

* ``areas``: policy areas of ten (seven successive five-year strategies 1990-2024, now and then
  approved a year late, every other one naming its predecessor; the current one from 2025,
  approved on time, late, still in consultation, or lapsing early; one in preparation after it,
  named or not; an action plan under the current one), plus one area holding a tenth of N as a
  chain of one-year strategies with a year's hole after each;
* ``crowd``: all N in one policy area, half lapsed one after the other, half in force at once
  until 2027-2037, every third naming the one before it as predecessor.

    .venv/bin/python benchmarks/gaps_read.py [--sizes 1000,2000,4000] [--shapes areas,crowd] [--runs 3]
        [--database-url postgresql+psycopg://...]  # default: a fresh SQLite file per run

BEFORE is the algorithm as it was, kept below as ``BaselineAssessment`` (its successor lookup scans
every state for each state, its gap check scans the whole group) and run inside the session that
read the snapshots, as the request's session did. AFTER is ``workflow.gaps`` as it is: the read in a
short session of its own (``read_snapshots``), then ``compute_gap_report`` with no connection held.
Both must give the same entries; the script checks that. A given URL must point at an empty
database migrated to head: the script writes into it (so it takes one size and one shape).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from pool_holds import Holds
from sqlalchemy import Engine, insert

import migrations
from workflow.core import Settings
from workflow.core.db import make_engine, new_session, unit_of_work
from workflow.directory.institutions import create_institution
from workflow.directory.requests import InstitutionCreate
from workflow.gaps.history import StrategySnapshot, StrategyState, states_on
from workflow.gaps.projection import history_of
from workflow.gaps.queries import compute_gap_report, load_snapshots, read_snapshots, typical_days
from workflow.gaps.rules import GapAssessment, GapEntry, GroupKey, _interval_in_force, _report_order, group_key
from workflow.lifecycle import StageChange, Strategy

NOW = datetime(2026, 2, 10, 9, 0, tzinfo=UTC)
AS_OF = NOW.date()
HORIZON_DAYS = 365


# --- BEFORE: the gap assessment as it was before issue 10, kept verbatim as the baseline. ---------
class BaselineAssessment(GapAssessment):
    """BASELINE (old algorithm): ``successor_of`` scans every state for each state, and
    ``lapsed_into_gap`` scans the whole group; everything else is inherited unchanged."""

    def __init__(self, snapshots: Sequence[StrategySnapshot], *, as_of: date, default_days: Mapping[Any, int]) -> None:
        self.as_of = as_of
        self.states = states_on(list(snapshots), as_of)
        self.by_id = {state.id: state for state in self.states}
        self.groups: dict[GroupKey, list[StrategyState]] = defaultdict(list)
        for state in self.states:
            self.groups[group_key(state)].append(state)
        self.typical = history_of(snapshots, as_of, default_days)  # as now: the comparison is of lookups
        self._covers = self.groups  # no standalone action plans here: each document's cover is its group

    def successor_of(self, state: StrategyState) -> StrategyState | None:
        explicit = [other for other in self.states if other.snapshot.predecessor_id == state.id]
        candidates = explicit or [
            other
            for other in self.groups[group_key(state)]
            if other.period_start > state.period_start and other.snapshot.predecessor_id in (None, state.id)
        ]
        return min(candidates, key=lambda s: (s.period_start, s.id), default=None)

    def lapsed_into_gap(self, state: StrategyState) -> bool:
        lapse = _interval_in_force(state).end
        for other in self.groups[group_key(state)]:
            interval = other.in_force
            if other is not state and interval is not None and interval.start <= self.as_of and interval.end > lapse:
                return False
        if state.snapshot.kind == "action_plan":
            parent_id = state.snapshot.parent_id
            parent = self.by_id.get(parent_id) if parent_id is not None else None
            return parent is not None and parent.in_force_on(self.as_of)
        return True


def baseline_gap_report(snapshots: Sequence[StrategySnapshot], settings: Settings) -> list[GapEntry]:
    """BASELINE: ``assess_gaps`` as it was, over ``BaselineAssessment``."""
    assessment = BaselineAssessment(snapshots, as_of=AS_OF, default_days=typical_days(settings))
    entries = [e for e in (assessment.entry(state, HORIZON_DAYS) for state in assessment.states) if e is not None]
    return sorted(entries, key=_report_order)
# --- end of the baseline. -------------------------------------------------------------------------


class Writer:
    """Rows for the ``strategies`` and ``stage_changes`` tables, with ids given here."""

    def __init__(self, institution_id: int) -> None:
        self.institution_id = institution_id
        self.strategies: list[dict[str, Any]] = []
        self.changes: list[dict[str, Any]] = []

    def add(self, area: str, start: date, end: date, *, kind: str = "strategy", parent_id: int | None = None,
            predecessor_id: int | None = None, approved_on: date | None = None, consulting_since: date | None = None,
            expire_on: date | None = None) -> int:
        strategy_id = len(self.strategies) + 1
        steps: list[tuple[str, str, str, date]] = []
        if approved_on is not None:
            steps = [("submit_for_consultation", "drafting", "consultation", approved_on - timedelta(days=80)),
                     ("submit_for_approval", "consultation", "approval", approved_on - timedelta(days=30)),
                     ("approve", "approval", "implementation", approved_on)]
            if expire_on is not None:
                steps.append(("expire", "implementation", "expiry", expire_on))
        elif consulting_since is not None:
            steps = [("submit_for_consultation", "drafting", "consultation", consulting_since)]
        self.strategies.append({
            "id": strategy_id, "title": f"{area} {kind} {start.year}-{end.year}", "policy_area": area, "kind": kind,
            "parent_id": parent_id, "predecessor_id": predecessor_id, "lead_institution_id": self.institution_id,
            "period_start": start, "period_end": end, "stage": steps[-1][2] if steps else "drafting",
            "stage_entered_on": steps[-1][3] if steps else NOW.date(), "version": 1 + len(steps),
            "drafting_started_on": steps[0][3] if steps else NOW.date(),
            "approval_due": end.replace(year=start.year) if approved_on is None else None,
            "approved_on": approved_on, "approval_reference": "DCM" if approved_on else None,
            "expired_on": expire_on, "expiry_reason": "period_ended" if expire_on else None,
            "created_at": NOW, "updated_at": NOW,
        })
        self.changes += [{"strategy_id": strategy_id, "event": e, "from_stage": a, "to_stage": b, "actor": "bench",
                          "effective_on": on, "recorded_at": NOW} for e, a, b, on in steps]
        return strategy_id


def areas(w: Writer, documents: int) -> None:
    for a in range(documents * 9 // 100):  # 90% in areas of ten
        area = f"area-{a:04d}"
        previous: int | None = None
        for i in range(7):  # 1990-1994 ... 2020-2024, lapsed; every other one names its predecessor
            start = date(1990 + 5 * i, 1, 1)
            late = 365 if (a + i) % 5 == 0 else 0  # now and then approved a year late: a hole before it
            previous = w.add(area, start, date(start.year + 4, 12, 31), predecessor_id=previous if i % 2 else None,
                             approved_on=start + timedelta(days=late - 20), expire_on=date(start.year + 5, 1, 1))
        current_start, shape = date(2025, 1, 1), a % 4
        if shape == 0:  # approved on time, successor in drafting naming it
            current = w.add(area, current_start, date(2029, 12, 31), predecessor_id=previous,
                            approved_on=date(2024, 12, 1))
            w.add(area, date(2030, 1, 1), date(2034, 12, 31), predecessor_id=current)
        elif shape == 1:  # still in consultation: its predecessor lapsed into a gap
            current = w.add(area, current_start, date(2029, 12, 31), consulting_since=date(2025, 3, 1))
            w.add(area, date(2030, 1, 1), date(2034, 12, 31))
        elif shape == 2:  # approved half a year late, no successor yet
            current = w.add(area, current_start, date(2029, 12, 31), approved_on=date(2025, 6, 19))
            w.add(area, date(2030, 1, 1), date(2034, 12, 31), predecessor_id=current, consulting_since=date(2026, 1, 5))
        else:  # lapsing early, successor in drafting not naming it
            current = w.add(area, current_start, date(2026, 6, 30), approved_on=date(2024, 12, 1))
            w.add(area, date(2026, 7, 1), date(2030, 12, 31))
        if shape != 1:
            w.add(area, current_start, date(2026, 12, 31), kind="action_plan", parent_id=current,
                  approved_on=date(2024, 12, 1))
        else:
            w.add(area, current_start, date(2026, 12, 31), kind="action_plan", parent_id=current)
    chain = documents - len(w.strategies)  # the rest: a long chain of one-year strategies
    for i in range(chain):
        start = date(2025 - 2 * (chain - i), 1, 1)
        w.add("archive", start, date(start.year, 12, 31), approved_on=start, expire_on=date(start.year + 1, 1, 1))


def crowd(w: Writer, documents: int) -> None:
    lapsed = documents // 2
    for i in range(documents):
        start = date(2000, 1, 1) + timedelta(days=i % 3000)
        predecessor_id = i if i % 3 == 2 else None  # the one written just before (ids start at 1)
        if i < lapsed:  # lapsing one after the other, each a day later than the one before
            end = date(2024, 12, 31) - timedelta(days=lapsed - i)
            w.add("crowd", start, end, predecessor_id=predecessor_id, approved_on=start,
                  expire_on=end + timedelta(days=1))
        else:
            w.add("crowd", start, date(2027 + i % 11, 12, 31), predecessor_id=predecessor_id, approved_on=start)


SHAPES: dict[str, Callable[[Writer, int], None]] = {"areas": areas, "crowd": crowd}


def build(engine: Engine, documents: int, shape: str) -> None:
    with unit_of_work(engine) as s:
        institution_id = create_institution(s, InstitutionCreate(name="Ministry of Interior"), now=NOW).id
    assert institution_id is not None
    w = Writer(institution_id)
    SHAPES[shape](w, documents)
    with unit_of_work(engine) as s:
        s.execute(insert(Strategy), w.strategies)
        s.execute(insert(StageChange), w.changes)


def timed(runs: int, holds: Holds, work: Callable[[], list[GapEntry]]) -> tuple[float, float, list[GapEntry]]:
    """Median seconds per run, median longest connection hold, and the last result."""
    work()  # warm up
    holds.take()
    seconds, held = [], []
    result: list[GapEntry] = []
    for _ in range(runs):
        result = []
        gc.collect()  # the previous run's garbage is not this run's cost
        began = time.perf_counter()
        result = work()
        seconds.append(time.perf_counter() - began)
        held.append(holds.take())
    return statistics.median(seconds), statistics.median(held), result


def measure(engine: Engine, settings: Settings, runs: int, shape: str) -> None:
    holds = Holds(engine)

    def before() -> list[GapEntry]:  # as the request's session did: read, then compute, connection held
        with new_session(engine) as session:
            return baseline_gap_report(load_snapshots(session, zone=settings.zone), settings)

    def after() -> list[GapEntry]:  # read in a short session, give the connection back, then compute
        snapshots = read_snapshots(engine, zone=settings.zone)
        return compute_gap_report(snapshots, as_of=AS_OF, horizon_days=HORIZON_DAYS, settings=settings)

    def read() -> list[GapEntry]:
        read_snapshots(engine, zone=settings.zone)
        return []

    snapshots = read_snapshots(engine, zone=settings.zone)
    read_s, _, _ = timed(runs, holds, read)
    old_compute, _, _ = timed(runs, holds, lambda: baseline_gap_report(snapshots, settings))
    new_compute, _, _ = timed(runs, holds, lambda: compute_gap_report(
        snapshots, as_of=AS_OF, horizon_days=HORIZON_DAYS, settings=settings))
    old_total, old_held, old_entries = timed(runs, holds, before)
    new_total, new_held, new_entries = timed(runs, holds, after)
    assert old_entries == new_entries, "the baseline and the new algorithm disagree"
    statuses = {s: sum(e.status == s for e in new_entries) for s in ("covered", "ok", "at_risk", "gap")}
    print(f"{len(snapshots):>6} documents ({shape}), {len(new_entries)} entries {statuses}; "
          f"backend {engine.dialect.name}")
    print(f"    read (load_snapshots)         : {read_s * 1000:9.1f} ms")
    print(f"    compute  BEFORE (baseline)    : {old_compute * 1000:9.1f} ms")
    print(f"    compute  AFTER                : {new_compute * 1000:9.1f} ms   x{old_compute / new_compute:.1f} faster")
    print(f"    gap_report BEFORE / AFTER     : {old_total * 1000:9.1f} ms / {new_total * 1000:.1f} ms"
          f"   x{old_total / new_total:.1f} faster")
    print(f"    connection held BEFORE / AFTER: {old_held * 1000:9.1f} ms / {new_held * 1000:.1f} ms"
          f"   x{old_held / new_held:.1f} shorter")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,2000,4000", help="comma-separated numbers of documents")
    parser.add_argument("--shapes", default="areas,crowd", help=f"comma-separated, of {', '.join(SHAPES)}")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    shapes = args.shapes.split(",")
    if unknown := set(shapes) - set(SHAPES):
        parser.error(f"unknown shape(s): {', '.join(sorted(unknown))}")
    if args.database_url is not None and len(sizes) * len(shapes) != 1:
        parser.error("--database-url takes one size and one shape: the script writes into that database")
    print(f"gap report as of {AS_OF.isoformat()}, horizon {HORIZON_DAYS} days, median of {args.runs} run(s)")
    for shape in shapes:
        for size in sizes:
            with tempfile.TemporaryDirectory() as tmp:
                url = args.database_url or f"sqlite:///{Path(tmp) / 'continuum.db'}"
                if args.database_url is None:
                    migrations.upgrade(url)
                settings = Settings(_env_file=None, data_dir=Path(tmp), database_url=url)
                engine = make_engine(url)
                build(engine, size, shape)
                measure(engine, settings, args.runs, shape)
                engine.dispose()


if __name__ == "__main__":
    main()
