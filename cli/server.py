"""`continuum migrate` and `continuum serve`."""

from __future__ import annotations

import argparse
import gc
import os
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

from workflow.core import get_settings

if TYPE_CHECKING:
    from fastapi import FastAPI


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

    from cli.logs import server_log_config

    settings = get_settings()  # a bad setting is reported here in one line, not inside uvicorn's factory
    if settings.public_url is None:
        # Links in emails lead where this server listens; never to whatever Host a request names.
        listening = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
        os.environ["CONTINUUM_PUBLIC_URL"] = f"http://{listening}:{args.port}"
        get_settings.cache_clear()
        get_settings()
        if args.host in ("0.0.0.0", "::"):
            print("note: CONTINUUM_PUBLIC_URL is unset: links in emails will name 127.0.0.1; set it to the address "
                  "people open Continuum at", flush=True)

    print(f"Continuum on http://{args.host}:{args.port}/console/ (API docs at http://{args.host}:{args.port}/docs)",
          flush=True)
    uvicorn.run("cli.server:served_app", factory=True, host=args.host, port=args.port, log_level=args.log_level,
                log_config=server_log_config(settings.log_format, args.log_level))  # uvicorn's, redacted
    return 0


YOUNG_GENERATION_ALLOCATIONS = 20_000  # Python's default is 700


def served_app() -> FastAPI:
    """``api.app.create_app``, and the garbage collector set for a long-running server: what startup
    built (modules, routes, schemas: hundreds of thousands of objects) is frozen out of every later
    collection, and the young generation is collected every ``YOUNG_GENERATION_ALLOCATIONS``
    allocations instead of every 700, several times per request (with benchmarks/transitions.py on two
    cores: a few per cent less CPU per request, and a shorter tail of slow requests)."""
    from api.app import create_app

    app = create_app()
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GENERATION_ALLOCATIONS, *gc.get_threshold()[1:])
    return app


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("migrate", help="bring the database schema up to date (Alembic)")
    parser.set_defaults(run=migrate)

    parser = commands.add_parser("serve", help="serve the HTTP API")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")
    parser.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    parser.set_defaults(run=serve)
