"""`continuum strategies`: the portfolio as a table, read straight from the database."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import timedelta

from cli.arguments import choice, policy_area
from cli.main import CommandError
from cli.table import render_table
from workflow.lifecycle import Stage, Strategy

COLUMNS = ("id", "title", "area", "kind", "stage", "period", "approved", "lapses")
PAGE = 10_000


def period(strategy: Strategy) -> str:
    start, end = strategy.period_start, strategy.period_end
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        return f"{start.year}-{end.year}"
    return f"{start.isoformat()}..{end.isoformat()}"


def lapses(strategy: Strategy) -> str:
    """The last day in force: the period end, or the day before an expiry, with why it ended early."""
    if strategy.expired_on is None:
        return strategy.period_end.isoformat()
    last = min(strategy.period_end, strategy.expired_on - timedelta(days=1))
    early = strategy.expiry_reason if strategy.expiry_reason not in (None, "period_ended") else ""
    return f"{last.isoformat()} {early}".rstrip()


def kind(strategy: Strategy) -> str:
    standalone = strategy.kind == "action_plan" and strategy.parent_id is None
    return "action_plan (standalone)" if standalone else strategy.kind


def approved(strategy: Strategy, approximate: bool = False) -> str:
    """The approval's date, ``~`` before it when only approximate, and whether the act's number is unknown."""
    if strategy.approved_on is None:
        return "-"
    day = ("~" if approximate else "") + strategy.approved_on.isoformat()
    return f"{day}, act number unknown" if strategy.approval_reference_unknown else day


def row(strategy: Strategy, approximate: bool = False) -> tuple[str, ...]:
    return (
        str(strategy.id),
        strategy.title,
        strategy.policy_area,
        kind(strategy),
        strategy.stage,
        period(strategy),
        approved(strategy, approximate),
        lapses(strategy),
    )


def render(rows: Sequence[tuple[str, ...]]) -> str:
    return render_table(COLUMNS, rows, shrink="title")


def strategies(args: argparse.Namespace) -> int:
    from cli.demo import require_migrated
    from workflow.core import get_settings, make_engine, new_session
    from workflow.lifecycle import StrategyFilter, approximate_approvals, list_strategies

    engine = make_engine(get_settings().resolved_database_url)
    try:
        require_migrated(engine)
        with new_session(engine) as session:
            found, total = list_strategies(
                session, StrategyFilter(policy_area=args.policy_area, stage=args.stage), limit=PAGE, offset=0
            )
            approximate = approximate_approvals(session, [s.id for s in found if s.id is not None])
    finally:
        engine.dispose()
    if not found:
        filtered = args.policy_area is not None or args.stage is not None
        print(
            "no strategies match these filters"
            if filtered
            else "no strategies yet (`continuum demo` loads an example portfolio)"
        )
        return 0
    found.sort(key=lambda s: (s.policy_area, s.period_start, s.kind != "strategy", s.id))
    print(render([row(s, s.id in approximate) for s in found]))
    if approximate:
        print("\n~ the date is approximate")
    if total > len(found):
        raise CommandError(f"showing {len(found)} of {total} strategies: narrow the filters")
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("strategies", help="list strategies and action plans as a table")
    parser.add_argument("--policy-area", type=policy_area, default=None, metavar="AREA",
                        help="only this policy area, e.g. migration")
    parser.add_argument("--stage", type=choice, choices=[s.value for s in Stage], default=None,
                        help="only strategies in this stage")
    parser.set_defaults(run=strategies)
