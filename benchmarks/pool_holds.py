"""How long each pooled connection stays checked out: the figure behind "no connection held while
computing", shared by the benchmarks that claim it."""

from __future__ import annotations

import threading
import time
from typing import Any

from sqlalchemy import Engine, event


class Holds:
    def __init__(self, engine: Engine) -> None:
        self.lock = threading.Lock()
        self.started: dict[int, float] = {}
        self.durations: list[float] = []
        event.listen(engine.pool, "checkout", self._out)
        event.listen(engine.pool, "checkin", self._in)

    def _out(self, dbapi_connection: Any, *_: Any) -> None:
        with self.lock:
            self.started[id(dbapi_connection)] = time.perf_counter()

    def _in(self, dbapi_connection: Any, *_: Any) -> None:
        with self.lock:
            began = self.started.pop(id(dbapi_connection), None)
            if began is not None:
                self.durations.append(time.perf_counter() - began)

    def reset(self) -> None:
        with self.lock:
            self.durations.clear()

    def take(self) -> float:
        """The longest hold since the last ``take`` or ``reset``, and start counting afresh."""
        with self.lock:
            longest = max(self.durations, default=0.0)
            self.durations.clear()
            return longest
