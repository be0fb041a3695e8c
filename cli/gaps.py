"""`continuum gaps [--as-of DATE] [--known-on DATE]`: the policy-gap picture as a table."""

from __future__ import annotations

import argparse
from datetime import date
from typing import TYPE_CHECKING

from cli.arguments import choice, parse_day, policy_area
from cli.table import render_table

if TYPE_CHECKING:
    from workflow.gaps import GapEntry

COLUMNS = ("id", "title", "area", "kind", "lapses", "status", "successor",
           "projected: median (20th..80th pct., basis)", "gap days")


def row(entry: GapEntry) -> tuple[str, ...]:
    if entry.successor_id is None:
        successor = "none"
    else:
        successor = f"#{entry.successor_id} {entry.successor_stage}"
    projected = "-"
    if entry.projected_successor_approval is not None:
        median = entry.projected_successor_approval
        lower = entry.projected_successor_approval_lower or median
        upper = entry.projected_successor_approval_upper or median
        projected = f"{median.isoformat()} ({lower.isoformat()}..{upper.isoformat()}, {entry.projection_basis})"
    return (
        str(entry.strategy_id),
        entry.title,
        entry.policy_area,
        entry.kind,
        entry.lapses_on.isoformat(),
        entry.status,
        successor,
        projected,
        str(entry.gap_days) if entry.gap_days is not None else "-",
    )


def gaps(args: argparse.Namespace) -> int:
    from cli.demo import require_migrated
    from cli.main import CommandError
    from workflow.core import clock, get_settings, make_engine
    from workflow.gaps import GapQuery, gap_entries

    settings = get_settings()
    today = clock.today(settings.zone)
    as_of: date = args.as_of or today
    if args.known_on is not None and args.known_on > today:
        raise CommandError(f"--known-on must not be in the future (today is {today.isoformat()})")
    known_on: date = args.known_on or today
    horizon = settings.gap_horizon_days if args.horizon_days is None else args.horizon_days
    engine = make_engine(settings.resolved_database_url)
    try:
        require_migrated(engine)
        query = GapQuery(as_of, horizon, known_on if known_on < today else None, args.policy_area)
        entries = gap_entries(engine, query, today=today, settings=settings)  # today's from the stored report
    finally:
        engine.dispose()
    if args.status:
        entries = [e for e in entries if e.status in args.status]
    known = f", as known on {known_on.isoformat()}" if known_on != today else ""
    print(
        f"Policy gaps as of {as_of.isoformat()}{known} "
        f"(at risk: the successor needs longer than the time left at the 80th percentile of this history "
        f"(pipeline), or lapsing within {horizon} days without a timely successor (horizon))"
    )
    print(render_table(COLUMNS, [row(e) for e in entries], shrink="title") if entries else "nothing in force or lapsed")
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry.status] = counts.get(entry.status, 0) + 1
    print(", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "")
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("gaps", help="show which strategies are covered, at risk or in a gap")
    parser.add_argument(
        "--as-of", type=parse_day, default=None, metavar="DATE", help="as recorded on DATE (default today)"
    )
    parser.add_argument(
        "--known-on", type=parse_day, default=None, metavar="DATE",
        help="with only what had been recorded by DATE: later changes left out (default today)",
    )
    parser.add_argument(
        "--horizon-days", type=int, default=None, help="at-risk horizon (default CONTINUUM_GAP_HORIZON_DAYS)"
    )
    parser.add_argument("--policy-area", type=policy_area, default=None, metavar="AREA",
                        help="only this policy area, e.g. migration")
    parser.add_argument("--status", action="append", type=choice, choices=["covered", "ok", "at_risk", "gap"],
                        help="only these statuses (repeatable)")
    parser.set_defaults(run=gaps)
