"""Rate limiting of failed authentication, per client, in memory, decided before any token lookup.

Each client has a bucket of ``per_minute`` failures that refills continuously (one failure back
every ``60 / per_minute`` seconds). ``admit`` runs before a token is looked up: it takes one
failure from the bucket ahead of the lookup (so concurrent guesses cannot all slip past the check),
and with the bucket empty it answers the seconds to wait instead, for a 429 with ``Retry-After``
that costs the database nothing. A token the lookup finds valid gives its failure back
(``verified``), so valid tokens never spend the allowance; only tokens shaped like a Continuum token
come here at all (see ``api.auth``): anything else is refused without a lookup and cannot succeed.

A throttled client cannot tell a valid token from a guess without the lookup it is spared, so it
remembers, per client, the SHA-256 of the last ``remembered_tokens`` tokens verified from it within
``remember_seconds`` (each use renews the time): those are admitted without touching the bucket, and
a colleague behind the same office address keeps working while guesses from it are refused. A valid
token first presented while its client is throttled waits like a guess, until ``Retry-After``.

A client is an IPv4 address, or the /64 of an IPv6 one (``client_key``): a host picks addresses
inside its /64 freely, so counting addresses would let it rotate past the limit.

The state is per process and bounded by ``max_clients`` buckets (and as many sets of remembered
tokens, which only valid tokens create). A bucket back in full holds nothing worth keeping and is
dropped. To make room the least recently refused bucket goes first, but never one that is over its
allowance: evicting it would hand its client a fresh allowance, so flooding the table from new
addresses would be a way out of the limit. When every candidate is over its allowance (more than
``max_clients`` clients throttled within seconds, a distributed attack) a new client is refused
until one recovers, and is not looked up untracked: the limit fails closed for unknown tokens,
while tokens remembered as valid still pass.
"""

from __future__ import annotations

import hashlib
import ipaddress
import itertools
import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("continuum.api.throttle")

EPSILON = 1e-9  # refills are sums of floats: 0.95 + 0.05 must count as a whole failure back
EVICTION_SCAN = 16  # buckets looked at, least recently refused first, for one to make room


def client_key(address: str) -> str:
    """The client an address counts as: IPv4 by the full address, IPv6 by its /64, anything else as given."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # an IPv4 client on a dual-stack socket
            return str(ip.ipv4_mapped)
        return f"{ipaddress.IPv6Address(int(ip) >> 64 << 64)}/64"
    return str(ip)


@dataclass(frozen=True)
class Admission:
    """What ``admit`` decided for one token: look it up (``retry_after`` None), or refuse it now."""

    client: str
    digest: bytes
    retry_after: int | None = None
    reserved: bool = False  # one failure was taken ahead of the lookup; a valid token gives it back


@dataclass(slots=True)
class _Bucket:
    left: float  # failures left when last counted
    at: float  # when
    throttled: bool = False  # within an episode of refusals (one warning each)


class FailureThrottle:
    def __init__(
        self,
        per_minute: int,
        *,
        clock: Callable[[], float] | None = None,
        max_clients: int = 10_000,
        remembered_tokens: int = 8,
        remember_seconds: float = 600,
    ) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        if max_clients < 1:
            raise ValueError("max_clients must be at least 1")
        self.capacity = float(per_minute)
        self.refill_per_second = per_minute / 60
        self.max_clients = max_clients
        self.remembered_tokens = remembered_tokens
        self.remember_seconds = remember_seconds
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()  # least recently refused first
        self._verified: OrderedDict[str, OrderedDict[bytes, float]] = OrderedDict()  # client -> digest -> when
        self._saturated = False
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._buckets)

    def _now(self) -> float:
        return self._clock() if self._clock is not None else time.monotonic()  # read late: freezegun can move it

    def _left(self, bucket: _Bucket, now: float) -> float:
        return min(self.capacity, bucket.left + (now - bucket.at) * self.refill_per_second)

    def _wait(self, left: float) -> int:
        return max(1, math.ceil((1 - left) / self.refill_per_second - EPSILON))

    def admit(self, address: str, secret: str) -> Admission:
        """Before ``secret`` from ``address`` is looked up: reserve one failure, or say how long to wait."""
        client, digest = client_key(address), hashlib.sha256(secret.encode("utf-8")).digest()
        now = self._now()
        warn = saturated = False
        with self._lock:
            remembered = self._verified.get(client)
            seen = remembered.get(digest) if remembered is not None else None
            if seen is not None and now - seen <= self.remember_seconds:
                return Admission(client, digest)
            bucket = self._buckets.get(client)
            if bucket is None:
                wait = self._make_room(now)
                if wait is not None:
                    saturated, self._saturated = not self._saturated, True
                    admission = Admission(client, digest, retry_after=wait)
                else:
                    self._saturated = False
                    self._buckets[client] = _Bucket(self.capacity - 1, now)
                    admission = Admission(client, digest, reserved=True)
            else:
                self._buckets.move_to_end(client)
                left = self._left(bucket, now)
                allowed = left >= 1 - EPSILON
                warn = not allowed and not bucket.throttled
                bucket.throttled = (bucket.throttled and left < self.capacity - EPSILON) or not allowed
                bucket.left, bucket.at = (left - 1 if allowed else left), now
                wait = None if allowed else self._wait(left)
                admission = Admission(client, digest, retry_after=wait, reserved=allowed)
        if warn:
            log.warning("throttling failed authentication from %s: more than %d a minute", client, self.capacity)
        if saturated:
            log.warning("throttling tracks %d clients, all over their allowance: refusing unknown tokens "
                        "from new clients until one recovers", self.max_clients)
        return admission

    def _make_room(self, now: float) -> int | None:
        """Drop a bucket if a new one would pass ``max_clients``; None when there is room, else the wait."""
        if len(self._buckets) < self.max_clients:
            return None
        soonest = math.inf
        for client, bucket in itertools.islice(self._buckets.items(), EVICTION_SCAN):
            left = self._left(bucket, now)
            if left >= 1 - EPSILON:  # not over its allowance: forgetting it lets no throttled client out
                del self._buckets[client]
                return None
            soonest = min(soonest, self._wait(left))
        return int(soonest)

    def verified(self, admission: Admission) -> None:
        """The token was valid: give back what it reserved, and remember it as valid from its client."""
        now = self._now()
        with self._lock:
            bucket = self._buckets.get(admission.client)
            if admission.reserved and bucket is not None:
                bucket.left, bucket.at = min(self.capacity, self._left(bucket, now) + 1), now
                if bucket.left >= self.capacity - EPSILON:
                    del self._buckets[admission.client]  # back in full: nothing to remember
            seen = self._verified.pop(admission.client, None) or OrderedDict()
            seen.pop(admission.digest, None)
            seen[admission.digest] = now
            while len(seen) > self.remembered_tokens:
                seen.popitem(last=False)
            self._verified[admission.client] = seen
            while len(self._verified) > self.max_clients:
                self._verified.popitem(last=False)

    def refused(self, admission: Admission) -> None:
        """The lookup refused the token: its reserved failure stays spent, and it is valid here no more."""
        with self._lock:
            seen = self._verified.get(admission.client)
            if seen is not None:
                seen.pop(admission.digest, None)
