"""`continuum`: the operator's command line.

Each command lives in its own module under ``cli/`` with a ``register(subparsers)`` function
that adds its parser and sets ``run`` to a function taking the parsed args and returning an exit
code. Exit codes: 0 success, 1 runtime failure (one readable line on stderr), 2 usage error.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from pydantic import ValidationError

COMMAND_MODULES = (
    "cli.server", "cli.runtime", "cli.dev", "cli.demo", "cli.strategies", "cli.gaps", "cli.backtest", "cli.tokens",
    "cli.directory", "cli.sign_in", "cli.portfolio",
)


class CommandError(Exception):
    """A failure an operator can act on; printed as one line, exit code 1."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="continuum", description="Keep national policy strategies in force without gaps."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
        return code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`continuum strategies | head`): it has what it wanted. Point stdout
        # at /dev/null so the interpreter's final flush does not fail again on exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except CommandError as exc:
        print(f"continuum {args.command}: {exc}", file=sys.stderr)
        return 1
    except ValidationError as exc:
        if exc.title != "Settings":
            raise
        print(f"continuum {args.command}: bad configuration: {settings_problems(exc)}", file=sys.stderr)
        return 1
    except Exception as exc:  # one readable line for operators, not a traceback
        first_line = (str(exc).strip().splitlines() or [""])[0]
        print(f"continuum {args.command}: error: {type(exc).__name__}: {first_line}", file=sys.stderr)
        return 1


def settings_problems(error: ValidationError) -> str:
    """``CONTINUUM_SEND_HOUR: Input should be a valid integer; ...``: the variable to fix, and why."""
    return "; ".join(
        f"CONTINUUM_{str(problem['loc'][0]).upper() if problem['loc'] else '?'}: "
        f"{problem['msg'].removeprefix('Value error, ')}"
        for problem in error.errors()
    )


if __name__ == "__main__":
    sys.exit(main())
