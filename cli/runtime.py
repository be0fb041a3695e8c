"""`continuum worker`, `continuum beat` and `continuum tick`: the event-driven half."""

from __future__ import annotations

import argparse
from collections import Counter
from contextlib import nullcontext
from datetime import datetime

from cli.arguments import parse_day
from cli.main import CommandError


def require_broker(attempts: int = 3) -> None:
    """Fail in one line when the broker cannot be reached, instead of retrying silently forever."""
    from kombu.connection import Connection
    from sqlalchemy.engine import make_url

    from workflow.core import get_settings

    url = get_settings().resolved_broker_url
    try:
        # kombu's Connection.__init__ has no annotations (kombu is typed only in parts).
        with Connection(url, connect_timeout=5) as connection:  # type: ignore[no-untyped-call]
            connection.ensure_connection(max_retries=attempts, interval_start=1, interval_step=1, interval_max=2)
    except Exception as exc:  # kombu raises the transport's own errors
        shown = make_url(url).render_as_string(hide_password=True)
        raise CommandError(f"cannot reach the broker at {shown}: {str(exc).splitlines()[0]}") from exc


def worker(args: argparse.Namespace) -> int:
    """A worker that sends: it consumes the send and webhook queues, or one of them (``--only``), and
    with ``--beat`` the scheduler's too."""
    from tasks.app import SCHEDULER_QUEUE, SEND_QUEUE, WEBHOOK_QUEUE, celery_app

    require_broker()
    quiet = _log_as_configured()
    argv = ["worker", f"--loglevel={args.log_level}", f"--concurrency={args.concurrency}"]
    queues = {"send": [SEND_QUEUE], "webhooks": [WEBHOOK_QUEUE]}.get(args.only, [SEND_QUEUE, WEBHOOK_QUEUE])
    if args.beat:  # one process for everything (`continuum dev`): a pass may wait for a free pool process
        argv += [f"--queues={','.join([*queues, SCHEDULER_QUEUE])}", "--beat", f"--schedule={_beat_schedule_path()}"]
    else:
        argv.append(f"--queues={','.join(queues)}")
    if args.quiet or quiet:
        argv.insert(0, "--quiet")  # a global option of the celery command: before "worker"
    celery_app.worker_main(argv)
    return 0


def beat(args: argparse.Namespace) -> int:
    """The scheduler: beat publishes a pass every tick to the scheduler queue, and this process's own
    pool (one solo consumer of that queue only) runs it, so no backlog of sends can delay a pass."""
    from tasks.app import SCHEDULER_QUEUE, celery_app

    require_broker()
    quiet = ["--quiet"] if _log_as_configured() else []
    celery_app.worker_main([
        *quiet, "worker", "--beat", f"--schedule={_beat_schedule_path()}", f"--queues={SCHEDULER_QUEUE}", "--pool=solo",
        "--hostname=scheduler@%h", "--without-gossip", "--without-mingle", f"--loglevel={args.log_level}",
    ])
    return 0


def _log_as_configured() -> bool:
    """Log in ``CONTINUUM_LOG_FORMAT``; whether to leave Celery's banner out (JSON lines only)."""
    from cli.logs import configure_worker_logging
    from workflow.core import get_settings

    log_format = get_settings().log_format
    configure_worker_logging(log_format)
    return log_format == "json"


def _beat_schedule_path() -> str:
    from workflow.core import get_settings

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return str(settings.data_dir / "celerybeat-schedule")


def tick(args: argparse.Namespace) -> int:
    """One scheduler pass and the sending it makes due, in this process: for cron-only deployments."""
    from workflow.core import clock, get_settings, make_engine
    from workflow.mail import SmtpTransport
    from workflow.reminders import send_instant
    from workflow.scheduler import recorded_pass, run_pass, send_notification
    from workflow.webhooks import deliver

    settings = get_settings()
    engine = make_engine(settings.resolved_database_url)
    if args.as_of is not None:
        fixed = send_instant(args.as_of, settings.zone, settings.send_hour)

        def now() -> datetime:
            return fixed
    else:
        now = clock.now
    try:
        # Recorded for GET /metrics, unless it is a pass as of another day (a rehearsal).
        with recorded_pass(engine, now=now()) if args.as_of is None else nullcontext():
            report = run_pass(engine, now=now(), settings=settings)
        transport = SmtpTransport(settings)
        outcomes: dict[str, int] = {}
        for notification_id in report.due:
            result = send_notification(engine, notification_id, clock=now, transport=transport, settings=settings)
            outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
        hooks = Counter(
            o.outcome for i in report.webhooks_due for o in deliver(engine, i, clock=now, settings=settings)
        )
    finally:
        engine.dispose()
    sent = ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items())) or "nothing to send"
    delivered = "".join(f", {count} webhook(s) {outcome}" for outcome, count in sorted(hooks.items()))
    print(f"tick as of {now().astimezone(settings.zone).isoformat(timespec='minutes')}: {report.summary()}; {sent}"
          f"{delivered}")
    if outcomes.get("retry") or outcomes.get("failed"):
        raise CommandError(f"some emails were not delivered ({sent}); they are retried by the next pass")
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    levels = ["critical", "error", "warning", "info", "debug"]
    parser = commands.add_parser("worker", help="run a Celery worker that sends due emails and webhooks")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--beat", action="store_true", help="also run the beat scheduler in this worker (one only!)")
    parser.add_argument("--only", choices=["send", "webhooks"], default=None,
                        help="consume only the email queue or only the webhook queue (default: both)")
    parser.add_argument("--quiet", action="store_true", help="no start-up banner (`continuum dev` prints its own)")
    parser.add_argument("--log-level", default="info", choices=levels)
    parser.set_defaults(run=worker)

    parser = commands.add_parser("beat", help="run the beat scheduler: one scheduler pass every CONTINUUM_TICK_SECONDS")
    parser.add_argument("--log-level", default="info", choices=levels)
    parser.set_defaults(run=beat)

    parser = commands.add_parser("tick", help="run one scheduler pass and send what is due, then exit")
    parser.add_argument("--as-of", type=parse_day, default=None, metavar="DATE",
                        help="act as if it were DATE at the daily send hour (default: now)")
    parser.set_defaults(run=tick)
