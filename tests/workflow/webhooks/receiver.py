"""A real HTTP receiver on loopback for webhook tests: a threaded ``http.server`` that records every
request and answers what a test scripted (a status code per path, in turn, ``HANG``: wait until
released, or ``TRICKLE``: a 200 whose status line and headers come a byte at a time, every
``trickle_seconds``). Tests wait on conditions (``wait_for``), never on sleeps."""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.smtp_sink import free_port

HANG = -1  # a scripted answer: hold the request until ``release()``, then answer 200
TRICKLE = -2  # a scripted answer: 200, its head sent a byte at a time (a receiver holding a worker)
TRICKLED_HEAD = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nx-trickled: one byte at a time\r\n\r\n"


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: str


@dataclass
class Receiver:
    port: int = 0
    trickle_seconds: float = 0.1
    requests: list[Received] = field(default_factory=list)
    _script: dict[str, deque[int]] = field(default_factory=lambda: defaultdict(deque))
    _changed: threading.Condition = field(default_factory=threading.Condition)
    _released: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str = "/hooks", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def answer(self, path: str, *codes: int) -> None:
        """The next answers to requests for ``path``, in turn; 204 once they are used up."""
        with self._changed:
            self._script[path].extend(codes)

    def release(self) -> None:
        self._released.set()

    def to(self, path: str) -> list[Received]:
        with self._changed:
            return [r for r in self.requests if r.path == path]

    def wait_for(self, count: int, path: str | None = None, timeout: float = 30) -> list[Received]:
        def seen() -> list[Received]:
            return [r for r in self.requests if path is None or r.path == path]

        with self._changed:
            if not self._changed.wait_for(lambda: len(seen()) >= count, timeout=timeout):
                raise AssertionError(f"expected {count} request(s) to {path or 'any path'} within {timeout}s, "
                                     f"got {len(seen())}")
            return seen()

    def _handle(self, request: BaseHTTPRequestHandler) -> int:
        length = int(request.headers.get("content-length") or 0)
        body = request.rfile.read(length).decode("utf-8")
        received = Received(request.path, {k.lower(): v for k, v in request.headers.items()}, body)
        with self._changed:
            script = self._script[request.path]
            code = script.popleft() if script else 204
            self.requests.append(received)
            self._changed.notify_all()
        if code == HANG:
            self._released.wait(timeout=120)
            return 200
        return code


@contextmanager
def receiver() -> Iterator[Receiver]:
    """A receiver listening on a free loopback port, for the block."""
    state = Receiver(port=free_port())

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's API)
            code = state._handle(self)
            if code == TRICKLE:
                self.close_connection = True
                try:
                    for byte in TRICKLED_HEAD:
                        self.wfile.write(bytes([byte]))
                        state._released.wait(state.trickle_seconds)
                except OSError:  # the sender gave up and closed the connection
                    pass
                return
            self.send_response(code)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", state.port), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="webhook-receiver", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
