"""Posting one delivery: one HTTP request that ends within one deadline, whatever the receiver does.

The deadline is ``CONTINUUM_WEBHOOK_TIMEOUT_SECONDS`` from the start of the request, for all of
it: connecting, the TLS handshake, sending the body, and the answer's status line and headers. A
timeout per step would not do (httpx's, for instance, applies to each read): a receiver that
sends its answer a byte at a time, each within the timeout, would hold the worker as long as it
liked. So the connections come from a network backend that gives every blocking step only what
is left until the deadline, and fails the request once nothing is left.

Only the status line and headers are read, never the body (the connection is closed instead).
No redirect is followed and no proxy from the environment is used; TLS is verified against the
URL's host (``Target.server_name``) while the connection goes to the address that was checked.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from typing import Any, Protocol

import httpcore
import httpx

from workflow.webhooks.targets import Target

USER_AGENT = "Continuum-Webhooks/1"
_WRITE_CHUNK = 16 * 1024  # a write waits at most what is left, chunk by chunk


class PostFailed(Exception):
    """No answer: the connection failed or timed out. The message says how."""


class Poster(Protocol):
    def __call__(self, target: Target, headers: dict[str, str], body: bytes) -> int:
        """POST ``body`` to ``target``; the status code of the answer, or ``PostFailed``."""


class _Deadline:
    """When the request being made must be over (``time.monotonic()``); none between requests."""

    def __init__(self) -> None:
        self.at = math.inf

    def left(self, step_timeout: float | None, too_late: type[httpcore.TimeoutException]) -> float:
        """How long the next blocking step may wait: what is left, at most ``step_timeout``."""
        left = self.at - time.monotonic()
        if left <= 0:
            raise too_late("the attempt's deadline passed")
        return left if step_timeout is None else min(step_timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, deadline: _Deadline) -> None:
        self._inner, self._deadline = inner, deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._deadline.left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        for start in range(0, len(buffer), _WRITE_CHUNK):
            chunk = buffer[start:start + _WRITE_CHUNK]
            self._inner.write(chunk, self._deadline.left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(ssl_context, server_hostname,
                                      self._deadline.left(timeout, httpcore.ConnectTimeout))
        return _DeadlineStream(inner, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, deadline: _Deadline) -> None:
        self._inner, self._deadline = httpcore.SyncBackend(), deadline

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        inner = self._inner.connect_tcp(host, port, self._deadline.left(timeout, httpcore.ConnectTimeout),
                                        local_address, socket_options)
        return _DeadlineStream(inner, self._deadline)

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        raise httpcore.UnsupportedProtocol("webhooks are posted over TCP only")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class HttpPoster:
    """Posts deliveries one after another, each within ``timeout`` seconds in all; keeps a
    connection the receiver leaves open for the next. ``close()`` when done."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._deadline = _Deadline()
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False), network_backend=_DeadlineBackend(self._deadline),
        )

    def __call__(self, target: Target, headers: dict[str, str], body: bytes) -> int:
        url = target.request_url
        steps = {"connect": self.timeout, "read": self.timeout, "write": self.timeout, "pool": self.timeout}
        extensions: dict[str, Any] = {"timeout": steps}
        if url.scheme == "https":
            extensions["sni_hostname"] = target.server_name
        request_headers = {**headers, "host": target.host_header, "user-agent": USER_AGENT,
                           "content-length": str(len(body))}
        self._deadline.at = time.monotonic() + self.timeout
        try:
            with self._pool.stream(
                "POST", httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path),
                headers=list(request_headers.items()), content=body, extensions=extensions,
            ) as response:
                return response.status
        except httpcore.TimeoutException as exc:
            raise PostFailed(f"no answer within {self.timeout:g} s ({type(exc).__name__})") from exc
        except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol) as exc:
            raise PostFailed(f"{type(exc).__name__}: {exc}") from exc
        finally:
            self._deadline.at = math.inf

    def close(self) -> None:
        self._pool.close()
