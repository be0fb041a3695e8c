"""`continuum migrate` and `continuum serve`."""

from __future__ import annotations

import argparse

from sqlalchemy.engine import make_url

from workflow.core import get_settings


def safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def migrate(args: argparse.Namespace) -> int:
    import migrations

    settings = get_settings()
    migrations.upgrade(settings.resolved_database_url)
    print(f"database is at revision {migrations.current_head()}: {safe_url(settings.resolved_database_url)}")
    return 0


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from api.security import access_log_config

    get_settings()  # a bad setting is reported here in one line, not inside uvicorn's factory

    print(f"Continuum API on http://{args.host}:{args.port} (docs at http://{args.host}:{args.port}/docs)", flush=True)
    uvicorn.run("api.app:create_app", factory=True, host=args.host, port=args.port, log_level=args.log_level,
                log_config=access_log_config())  # uvicorn's own, with tokens in URLs redacted
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("migrate", help="bring the database schema up to date (Alembic)")
    parser.set_defaults(run=migrate)

    parser = commands.add_parser("serve", help="serve the HTTP API")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")
    parser.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    parser.set_defaults(run=serve)
