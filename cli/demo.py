"""`continuum demo`: load the demo portfolio (Albania's migration-related strategies) into the database."""

from __future__ import annotations

import argparse

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from cli.main import CommandError


def require_migrated(engine: Engine) -> None:
    """Refuse, in one line, a database that is unreachable or not at the latest schema revision."""
    from alembic.runtime.migration import MigrationContext

    import migrations

    where = engine.url.render_as_string(hide_password=True)
    head = migrations.current_head()
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise CommandError(f"cannot read the database {where}: {reason}") from exc
    if current != head:
        state = "has no Continuum schema" if current is None else f"is at revision {current}, not {head}"
        raise CommandError(f"the database {where} {state}: run `continuum migrate` first")


def demo(args: argparse.Namespace) -> int:
    from workflow.access import active_local_admin, issue_local_admin_token
    from workflow.core import clock, get_settings, make_engine, unit_of_work
    from workflow.demo import load_portfolio, read_portfolio, seed_demo_monitoring

    settings = get_settings()
    portfolio = read_portfolio()
    engine = make_engine(settings.resolved_database_url)
    try:
        require_migrated(engine)
        with unit_of_work(engine) as session:
            report = load_portfolio(
                session,
                portfolio,
                now=clock.now(),
                today=clock.today(settings.zone),
                settings=settings,
            )
            seeded = seed_demo_monitoring(session, now=clock.now(), today=clock.today(settings.zone))
            in_use = active_local_admin(session, clock.now())
            token = None if in_use is not None else issue_local_admin_token(session, clock.now())
            in_use_name = in_use.name if in_use is not None else None
    finally:
        engine.dispose()
    print(f"demo portfolio: {report.summary()}")
    for line in report.deferred:
        print(f"  not yet applied: {line}")
    if seeded.created:
        print(
            f"monitoring for the 2024-2026 action plan (id {seeded.plan_id}): {seeded.objectives} objectives, "
            f"{seeded.measures} measures, {seeded.indicators} indicators, quarterly reports"
        )
    if report.created["strategies"]:
        print("see them with `continuum strategies` and `continuum gaps`")
    if token is None:
        print(f"the local admin token {in_use_name} (printed by `make run`) still works; no new one was made")
    else:
        print(f"admin API token for local use (30 days; it replaces earlier local ones):\nexport TOKEN={token}")
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "demo",
        help="load the demo portfolio: Albania's migration strategies with their history (safe to run twice)",
    )
    parser.set_defaults(run=demo)
