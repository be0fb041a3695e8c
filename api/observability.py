"""HTTP metrics: requests by route template, method and status, and their durations, per process.

``MeasureRequests`` is a pure ASGI middleware (the outermost but one, after ``api.request_id``),
so it counts every answer, a 401 of the authentication middleware and a 404 of no route included.
The ``route`` label is the matched route's template (``/strategies/{strategy_id}``), never the raw
path, so the number of series is bounded by the number of routes: a request that reached no route
(refused before routing) is matched against the routes afterwards, and one that matches none is
``unmatched``; the console's pages are all ``/console``. Methods outside the standard few are
``other``.

The numbers live in this process (``HttpMetrics``, registered in no global registry): with several
API processes, each answers ``GET /metrics`` with its own; a scraper behind a load balancer sees
whichever process answered, so scrape each process on its own address.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from prometheus_client import Counter, Histogram
from prometheus_client.registry import Collector
from starlette.routing import Mount, compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class HttpMetrics:
    """One application's request counter and duration histogram (``collectors`` for a registry)."""

    def __init__(self) -> None:
        self.requests = Counter(
            "continuum_http_requests", "HTTP requests answered, by route template, method and status.",
            ["route", "method", "status"], registry=None,
        )
        self.duration = Histogram(
            "continuum_http_request_duration_seconds", "Time to answer an HTTP request, by route template and method.",
            ["route", "method"], registry=None, buckets=BUCKETS,
        )

    def collectors(self) -> Iterable[Collector]:
        return (self.requests, self.duration)

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route, method, str(status)).inc()
        self.duration.labels(route, method).observe(seconds)


def _template(route: Any) -> str | None:
    path = getattr(route, "path", None)
    return (path or "/") if isinstance(path, str) else None


def _flattened(routes: Iterable[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(template, route) of every route, through the routers FastAPI includes (``original_router``)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            context = getattr(route, "include_context", None)
            yield from _flattened(included.routes, prefix + getattr(context, "prefix", ""))
        elif not isinstance(route, Mount) and isinstance(getattr(route, "path", None), str):
            yield prefix + route.path, route


@dataclass(frozen=True)
class RouteTable:
    """What the labels are computed from, read from the application once, at its first request:
    its mounts, and every route's template with the pattern it matches."""

    mounts: tuple[str, ...]
    patterns: tuple[tuple[re.Pattern[str], str], ...]

    @classmethod
    def of(cls, app: Any) -> RouteTable:
        routes = list(getattr(getattr(app, "router", None), "routes", ()))
        mounts = tuple(route.path for route in routes if isinstance(route, Mount))
        patterns = tuple((compile_path(template)[0], template) for template, _ in _flattened(routes))
        return cls(mounts, patterns)

    def template(self, path: str, routed: Any) -> str:
        """The mount ``path`` is under; else the route that answered (``routed``, from the scope), or
        the first route whose pattern matches (for an answer given before routing); else ``UNMATCHED``."""
        mount = next((m for m in self.mounts if path == m or path.startswith(m.rstrip("/") + "/")), None)
        if mount is not None:
            return mount
        found = _template(routed)
        if found is not None:
            return found
        return next((template for pattern, template in self.patterns if pattern.match(path)), UNMATCHED)


class MeasureRequests:
    def __init__(self, app: ASGIApp, *, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics
        self._table: RouteTable | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        app, path = scope.get("app"), scope["path"]  # a mounted app replaces both in the scope
        if self._table is None:
            self._table = RouteTable.of(app)
        status = 500  # what the server answers when the app raises before starting a response

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            method = scope["method"] if scope["method"] in METHODS else "other"
            template = self._table.template(path, scope.get("route"))
            self.metrics.observe(template, method, status, time.perf_counter() - start)
