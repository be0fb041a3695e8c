"""How often one client may ask for sign-in links: a sliding minute per client address, in memory.

Per process, like the API's token throttle; the per-address limit is kept in the database
(``workflow.access.request_links``), so it holds across processes.
"""

from __future__ import annotations

import threading
import time
from collections import deque


class RequestThrottle:
    def __init__(self, per_minute: int, *, max_clients: int = 10_000) -> None:
        self.per_minute = per_minute
        self.max_clients = max_clients
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> int | None:
        """None if ``client`` may make one more request now (and counts it), else seconds to wait."""
        now = time.monotonic()
        with self._lock:
            if len(self._seen) >= self.max_clients and client not in self._seen:
                self._forget_idle(now)
            times = self._seen.setdefault(client, deque())
            while times and now - times[0] >= 60:
                times.popleft()
            if len(times) >= self.per_minute:
                return max(1, int(60 - (now - times[0])) + 1)
            times.append(now)
            return None

    def _forget_idle(self, now: float) -> None:
        for client in [c for c, times in self._seen.items() if not times or now - times[-1] >= 60]:
            del self._seen[client]
        if len(self._seen) >= self.max_clients:
            self._seen.clear()
