"""`continuum dev`: everything on one machine with nothing but Python.

SQLite database, the embedded SQLite broker, the API, a worker with embedded beat, and a local
SMTP sink that stores emails as .eml files, all under the data directory. The API and worker
run as child processes of this launcher; Ctrl-C stops them all. A second start resumes: the
database, ledger and mailbox are kept.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Collection
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING

from cli.main import CommandError

if TYPE_CHECKING:
    from workflow.core import Settings

CHILD_STOP_SECONDS = 15
API_START_SECONDS = 60


def dev(args: argparse.Namespace) -> int:
    from workflow.core import get_settings

    settings = get_settings()
    data_dir = settings.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = _hold_data_dir(data_dir)
    try:
        return _launch(args, settings, data_dir)
    finally:
        lock.close()


def _launch(args: argparse.Namespace, settings: Settings, data_dir: Path) -> int:
    import migrations
    from cli.mailbox import start_mailbox

    mailbox_dir = data_dir / "mailbox"
    try:
        migrations.upgrade(settings.resolved_database_url)
    except Exception as exc:
        raise CommandError(f"cannot migrate the database: {exc}") from exc
    _require_free_port(args.host, args.port, "the API", "PORT", "--port")
    try:
        mailbox = start_mailbox(mailbox_dir, "127.0.0.1", args.smtp_port)
    except OSError as exc:
        raise CommandError(_busy(args.smtp_port, "the local mailbox's SMTP", "SMTP_PORT", "--smtp-port")) from exc

    env = dict(os.environ)
    env.update({
        "CONTINUUM_DATA_DIR": str(data_dir),
        "CONTINUUM_SMTP_HOST": "127.0.0.1",
        "CONTINUUM_SMTP_PORT": str(args.smtp_port),
        "CONTINUUM_SMTP_STARTTLS": "false",
        # Links in emails (sign-in, reminders) lead to this server unless the operator named another address.
        "CONTINUUM_PUBLIC_URL": settings.public_url or f"http://{args.host}:{args.port}",
    })
    if args.tick_seconds:
        env["CONTINUUM_TICK_SECONDS"] = str(args.tick_seconds)
    # Explicitly, for both: a shell starts background jobs with SIGINT ignored, and Python then
    # installs no KeyboardInterrupt handler of its own.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    me = [sys.executable, "-m", "cli"]
    children: dict[str, subprocess.Popen[bytes]] = {}
    try:
        children["api"] = subprocess.Popen([*me, "serve", "--host", args.host, "--port", str(args.port)], env=env)
        _wait_until_serving(args.host, args.port, children["api"])
        children["worker"] = subprocess.Popen(
            [*me, "worker", "--beat", "--quiet", "--concurrency", "1", "--log-level", "warning"], env=env
        )
        token, link = _local_admin_access(settings, f"http://{args.host}:{args.port}")
    except BaseException:
        _stop(children.values())
        mailbox.stop()
        raise
    print(
        "\nContinuum is running (Ctrl-C stops everything):\n"
        f"  console   http://{args.host}:{args.port}/console/  (sign in with the link below)\n"
        f"  API docs  http://{args.host}:{args.port}/docs  (Authorize with the token below)\n"
        f"  data      {data_dir}\n"
        f"  mailbox   {mailbox_dir}  (SMTP on 127.0.0.1:{args.smtp_port}; each email is an .eml file)\n"
        "  admin API token, valid 30 days; each start replaces the previous one:\n"
        f"export TOKEN={token}\n"
        f"  sign in to the console as the local administrator (works once, for {settings.sign_in_link_minutes} "
        "minutes; `continuum sign-in-link admin@localhost` prints another):\n"
        f"{link}\n",
        flush=True,
    )
    try:
        while True:
            for name, child in children.items():
                if child.poll() is not None:
                    raise CommandError(f"the {name} process exited with code {child.returncode}; stopping")
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nstopping ...", flush=True)
        return 0
    finally:
        _stop(children.values())
        mailbox.stop()


def _hold_data_dir(data_dir: Path) -> IO[str]:
    """One launcher per data directory: two would share a database, a broker and, worst, two beats.
    The lock lives as long as the returned file stays open (the process), and dies with it."""
    handle = (data_dir / "dev.lock").open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise CommandError(
            f"another `continuum dev` (pid {holder}) is running on {data_dir}: stop it, or give this one its own "
            "data directory with DATA_DIR=<dir> make run (and other ports)"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def _busy(port: int, what: str, variable: str, option: str) -> str:
    return f"port {port} ({what}) is in use: choose another with {variable}=<port> make run, or {option} <port>"


def _require_free_port(host: str, port: int, what: str, variable: str, option: str) -> None:
    """Refuse a busy port in one line before anything starts, a token included."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise CommandError(_busy(port, what, variable, option)) from exc


def _wait_until_serving(host: str, port: int, api: subprocess.Popen[bytes]) -> None:
    """The banner promises a listening API: wait until it accepts connections (or has died)."""
    deadline = time.monotonic() + API_START_SECONDS
    while time.monotonic() < deadline:
        if api.poll() is not None:
            raise CommandError(f"the API could not start on {host}:{port} (exit code {api.returncode}); "
                               "if the port was taken meanwhile, choose another with PORT=<port> make run")
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)  # nothing to await but the socket itself
    raise CommandError(f"the API did not start listening on {host}:{port} within {API_START_SECONDS} s")


def _local_admin_access(settings: Settings, listening: str) -> tuple[str, str]:
    """The local admin's API token and a one-time console sign-in link for the local admin person."""
    from datetime import timedelta

    from workflow.access import issue_link_for, issue_local_admin_token, local_admin_person, sign_in_url
    from workflow.core import clock, make_engine, unit_of_work

    engine = make_engine(settings.resolved_database_url)
    try:
        with unit_of_work(engine) as session:
            token = issue_local_admin_token(session, clock.now())
            person = local_admin_person(session, now=clock.now())
            link = issue_link_for(session, person, now=clock.now(),
                                  lifetime=timedelta(minutes=settings.sign_in_link_minutes))
    finally:
        engine.dispose()
    return token, sign_in_url(settings.public_url or listening, link.secret)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """SIGTERM (from a service manager, say) stops everything like Ctrl-C does."""
    raise KeyboardInterrupt


def _stop(children: Collection[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + CHILD_STOP_SECONDS
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("dev", help="run everything locally: API, worker, beat and a local mailbox")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="API port (default 8000; `make run PORT=...`)")
    parser.add_argument("--smtp-port", type=int, default=8025,
                        help="local mailbox SMTP port (default 8025; `make run SMTP_PORT=...`)")
    parser.add_argument("--tick-seconds", type=int, default=None, help="override CONTINUUM_TICK_SECONDS")
    parser.set_defaults(run=dev)
