"""Serving an app for real, with uvicorn in a thread, for tests that need a socket (a browser, many clients)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from tests.waiting import wait_until_healthy

STARTUP_SECONDS = 15.0


@contextmanager
def served(app: FastAPI | Callable[[str], FastAPI], *, backlog: int = 2048) -> Iterator[str]:
    """The app's base URL on 127.0.0.1, once ``/health`` answers; stopped when the block ends.

    ``app`` may be a function of the URL it will be served at (for an app that names itself in links)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    if not isinstance(app, FastAPI):
        app = app(f"http://127.0.0.1:{sock.getsockname()[1]}")
    config = uvicorn.Config(app, lifespan="off", ws="none", http="h11", log_level="warning", access_log=False,
                            backlog=backlog)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="uvicorn", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        wait_until_healthy(f"{url}/health", process=thread, timeout=STARTUP_SECONDS)
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_SECONDS)
        sock.close()
    assert not thread.is_alive(), "uvicorn did not shut down"
