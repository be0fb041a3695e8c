"""`continuum backtest [--policy-area A] [--from YYYY-MM] [--to YYYY-MM]`: the gap rules replayed month
by month over the deployment's own history, with what was known each month (``workflow.gaps.backtest``,
the same as ``GET /gaps/backtest``)."""

from __future__ import annotations

import argparse
from datetime import date

from cli.arguments import policy_area
from cli.table import render_table


def parse_month(text: str) -> date:
    from workflow.gaps import month_of

    try:
        return month_of(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def backtest(args: argparse.Namespace) -> int:
    from cli.demo import require_migrated
    from workflow.core import clock, get_settings, make_engine
    from workflow.gaps import BACKTEST_COLUMNS, lapse_lines, read_backtest

    settings = get_settings()
    today = clock.today(settings.zone)
    engine = make_engine(settings.resolved_database_url)
    try:
        require_migrated(engine)
        result = read_backtest(engine, today=today, settings=settings, start=args.start, end=args.end,
                               policy_area=args.policy_area)
    finally:
        engine.dispose()
    print(f"Backtest {result.start:%Y-%m} to {result.end:%Y-%m}: each month judged with what was known then "
          f"(horizon floor {settings.gap_lead_days} days); errors in days, forecast less the real approval "
          f"(* outside the forecast range)")
    rows = lapse_lines(result)
    print(render_table(BACKTEST_COLUMNS, rows, shrink="title") if rows else "no lapse in these months")
    print(result.summary())
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("backtest", help="replay the gap warnings month by month over the recorded history")
    parser.add_argument("--policy-area", type=policy_area, default=None, metavar="AREA",
                        help="only the lapses of this policy area")
    parser.add_argument("--from", dest="start", type=parse_month, default=None, metavar="YYYY-MM",
                        help="first month replayed (default: the first recorded)")
    parser.add_argument("--to", dest="end", type=parse_month, default=None, metavar="YYYY-MM",
                        help="last month replayed (default: this month, up to yesterday)")
    parser.set_defaults(run=backtest)
