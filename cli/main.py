"""`continuum`: the operator's command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from workflow.settings import get_settings


def _migrate(args: argparse.Namespace) -> int:
    import migrations

    settings = get_settings()
    migrations.upgrade(settings.resolved_database_url)
    print(f"database is at revision {migrations.current_head()}: {_safe_url(settings.resolved_database_url)}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    print(f"Continuum API on http://{args.host}:{args.port} (docs at /docs)", flush=True)
    uvicorn.run("api.app:create_app", factory=True, host=args.host, port=args.port, log_level=args.log_level)
    return 0


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="continuum", description="Keep national policy strategies in force without gaps.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    migrate = commands.add_parser("migrate", help="bring the database schema up to date")
    migrate.set_defaults(run=_migrate)

    serve = commands.add_parser("serve", help="serve the HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    serve.set_defaults(run=_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # one readable line for operators, not a traceback
        print(f"continuum {args.command}: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
