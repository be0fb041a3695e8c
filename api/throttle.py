"""Rate limiting of failed authentication, per client address, in memory.

Each address has a bucket of ``per_minute`` failures that refills continuously (one failure back
every ``60 / per_minute`` seconds). A refused token takes one; with the bucket empty the answer
is 429 with ``Retry-After`` (the seconds until one comes back) instead of 401. Only refused
tokens count (see ``api.auth``): a request without one is no guess and costs no lookup, and a
valid token is never throttled, so a neighbour behind the same address keeps working while an
attacker is slowed.

The state is per process and bounded: the ``max_clients`` addresses that failed most recently are
remembered, the least recent forgotten first.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

log = logging.getLogger("continuum.api.throttle")

EPSILON = 1e-9  # refills are sums of floats: 0.95 + 0.05 must count as a whole failure back


class FailureThrottle:
    def __init__(
        self, per_minute: int, *, clock: Callable[[], float] | None = None, max_clients: int = 10_000
    ) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.capacity = float(per_minute)
        self.refill_per_second = per_minute / 60
        self.max_clients = max_clients
        self._clock = clock
        # client -> (failures left, when counted, whether it is being throttled)
        self._buckets: OrderedDict[str, tuple[float, float, bool]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._buckets)

    def _now(self) -> float:
        return self._clock() if self._clock is not None else time.monotonic()  # read late: freezegun can move it

    def failed(self, client: str) -> int | None:
        """Record a refused token from ``client``: None while within budget, else the seconds to wait.

        Logs one warning when a client starts being throttled, and no more until its budget has
        come back in full: one line per episode, not one per refused request."""
        now = self._now()
        with self._lock:
            left, at, throttled = self._buckets.pop(client, (self.capacity, now, False))
            left = min(self.capacity, left + (now - at) * self.refill_per_second)
            allowed = left >= 1 - EPSILON
            warn = not allowed and not throttled
            throttled = (throttled and left < self.capacity - EPSILON) or not allowed
            self._buckets[client] = (left - 1 if allowed else left, now, throttled)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        if warn:
            log.warning("throttling failed authentication from %s: more than %d a minute", client, self.capacity)
        return None if allowed else max(1, math.ceil((1 - left) / self.refill_per_second - EPSILON))
