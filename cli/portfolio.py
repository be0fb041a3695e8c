"""`continuum import FILE` and `continuum export FILE`: the portfolio as a file, in and out.

The file is the demo portfolio's format (`workflow/demo/portfolio.json` is a valid input); `-` is
standard input or output. An import is all or nothing: a refused file prints every problem (up to
``MAX_SHOWN``), each naming its row, key and field, and writes nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from cli.main import CommandError

MAX_SHOWN = 50
STDIO = "-"


def import_file(args: argparse.Namespace) -> int:
    from cli.database import command_session
    from workflow.core import clock, get_settings
    from workflow.portfolio import ImportRefused, import_portfolio

    text = _read(args.file)
    settings = get_settings()
    try:
        with command_session() as session:
            report = import_portfolio(session, text, now=clock.now(), today=clock.today(settings.zone),
                                      settings=settings)
    except ImportRefused as refused:
        print(f"continuum import: {_name(args.file)}: {refused.detail}", file=sys.stderr)
        for row in refused.rows[:MAX_SHOWN]:
            print(f"  {row}", file=sys.stderr)
        if len(refused.rows) > MAX_SHOWN:
            print(f"  ... and {len(refused.rows) - MAX_SHOWN} more", file=sys.stderr)
        return 1
    print(report.summary())
    for row in report.differing[:MAX_SHOWN]:
        print(f"  {row}")
    if len(report.differing) > MAX_SHOWN:
        print(f"  ... and {len(report.differing) - MAX_SHOWN} more that differ")
    return 0


def export_file(args: argparse.Namespace) -> int:
    from cli.database import command_session
    from workflow.portfolio import export_portfolio

    if args.file == STDIO:
        with command_session() as session:
            exported = export_portfolio(session, sys.stdout)
        print(exported.summary(), file=sys.stderr)
        return 0
    target = Path(args.file)
    if not target.parent.is_dir():
        raise CommandError(f"cannot write {args.file}: no directory {str(target.parent)!r}")
    # Written beside the target and renamed over it: a failed export leaves no half-written file.
    handle, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out, command_session() as session:
            exported = export_portfolio(session, out)
        os.replace(partial, target)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    print(f"{exported.summary()} to {args.file}")
    return 0


def _read(name: str) -> bytes:
    if name == STDIO:
        return sys.stdin.buffer.read()
    try:
        return Path(name).read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {name}: {exc.strerror or exc}") from exc


def _name(name: str) -> str:
    return "standard input" if name == STDIO else name


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    importing = commands.add_parser(
        "import",
        help="load institutions, contacts and strategies with their history from a portfolio file "
        "(all or nothing; rows present already are left as they are)",
    )
    importing.add_argument("file", metavar="FILE", help="a portfolio file (the demo's format); - reads standard input")
    importing.set_defaults(run=import_file)
    exporting = commands.add_parser(
        "export", help="write every institution, contact and strategy with its history to a portfolio file"
    )
    exporting.add_argument("file", metavar="FILE", help="where to write it; - writes standard output")
    exporting.set_defaults(run=export_file)
