"""``GET /metrics``: the Prometheus text format, for an admin token or the metrics token.

A scraper holds ``CONTINUUM_METRICS_TOKEN`` (compared in constant time), or an admin's API token;
anyone else gets 401 (no token, an unknown one) or 403 (a token of another role). Every presented
secret counts against the client's allowance of refused tokens (``api.throttle``), as bearer
tokens do everywhere else, so a weak metrics token cannot be guessed at speed.

What it reports: the HTTP requests this process answered (``api.observability``), and, read from
the database at scrape time in a few aggregate queries (``workflow.scheduler.health``): ledger rows
by kind and status, how long the longest-waiting due row has waited, the last scheduler pass's
duration, its last success and failure, emails by outcome and webhook deliveries by status.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlmodel import Session

from api.auth import bearer_secret
from api.deps import SessionDep, SettingsDep
from api.observability import HttpMetrics
from api.throttle import FailureThrottle
from workflow import scheduler
from workflow.access import TokenRefused, looks_like_token, verify_token
from workflow.core import Forbidden, Settings, TooManyFailedAuthentications, Unauthenticated, clock

router = APIRouter(tags=["system"])

METRICS_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Metrics in the Prometheus text format",
          "content": {CONTENT_TYPE_LATEST.split(";")[0]: {"schema": {"type": "string"}}}},
}  # 401, 403 and 429 are documented for every operation that needs a token (``api.auth.document_security``)


def _timestamp(value: object) -> float | None:
    return value.timestamp() if hasattr(value, "timestamp") else None


class SnapshotCollector(Collector):
    """The database's numbers of one scrape, as metric families."""

    def __init__(self, snapshot: scheduler.OperationsSnapshot) -> None:
        self.snapshot = snapshot

    def collect(self) -> Iterator[GaugeMetricFamily]:
        snapshot = self.snapshot
        ledger = GaugeMetricFamily("continuum_ledger_rows", "Notification ledger rows, by kind and status.",
                                   labels=["kind", "status"])
        for (kind, status), count in sorted(snapshot.ledger.items()):
            ledger.add_metric([kind, status], count)
        yield ledger
        yield GaugeMetricFamily(
            "continuum_ledger_oldest_due_seconds",
            "How long the longest-waiting unsent ledger row has been past its send time (0: none is).",
            value=snapshot.oldest_due_seconds,
        )
        emails = GaugeMetricFamily("continuum_email_deliveries", "Emails in the ledger by final outcome.",
                                   labels=["outcome"])
        for outcome, count in snapshot.email_outcomes.items():
            emails.add_metric([outcome], count)
        yield emails
        hooks = GaugeMetricFamily("continuum_webhook_deliveries", "Webhook deliveries by status.", labels=["status"])
        for status, count in sorted(snapshot.webhook_deliveries.items()):
            hooks.add_metric([status], count)
        yield hooks
        yield from self._health()

    def _health(self) -> Iterator[GaugeMetricFamily]:
        health = self.snapshot.health
        if health is None:  # no pass recorded yet: the series are absent, which alerts can test for
            return
        if health.last_duration_seconds is not None:
            yield GaugeMetricFamily("continuum_scheduler_pass_duration_seconds",
                                    "How long the last scheduler pass took.", value=health.last_duration_seconds)
        for name, when, help_text in (
            ("continuum_scheduler_last_success_timestamp_seconds", health.last_success_at,
             "When the last successful scheduler pass ran (Unix time)."),
            ("continuum_scheduler_last_failure_timestamp_seconds", health.last_failure_at,
             "When the last failed scheduler pass ran (Unix time)."),
        ):
            stamp = _timestamp(when)
            if stamp is not None:
                yield GaugeMetricFamily(name, help_text, value=stamp)
        yield GaugeMetricFamily("continuum_scheduler_failures_in_a_row",
                                "Scheduler passes that failed since the last success.", value=health.failures)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def authorize_scrape(request: Request, session: Session, settings: Settings) -> None:
    """Let the metrics token or an admin's token through; raise 401, 403 or 429 otherwise."""
    secret = bearer_secret(request.headers.get("authorization"), request.scope.get("query_string", b""))
    throttle: FailureThrottle = request.app.state.throttle
    admission = throttle.admit(_client(request), secret)
    if admission.retry_after is not None:
        raise TooManyFailedAuthentications(admission.retry_after)
    expected = settings.metrics_token
    if expected is not None and hmac.compare_digest(secret.encode(), expected.get_secret_value().encode()):
        throttle.verified(admission)
        return
    if not looks_like_token(secret):
        throttle.refused(admission)
        raise Unauthenticated("the bearer token is neither an API token nor the metrics token", token_presented=True)
    try:
        token = verify_token(session, secret, now=clock.now())
    except TokenRefused as refused:
        throttle.refused(admission)
        raise Unauthenticated(refused.reason, token_presented=True) from None
    throttle.verified(admission)
    if token.role != "admin":
        raise Forbidden(f"a {token.role} token may not read /metrics: use an admin token or the metrics token")


@router.get("/metrics", response_class=Response, responses=METRICS_RESPONSES)
def metrics(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Operational metrics in the Prometheus text format (`Authorization: Bearer` with an admin token
    or `CONTINUUM_METRICS_TOKEN`). HTTP numbers are this process's own."""
    authorize_scrape(request, session, settings)
    snapshot = scheduler.operations_snapshot(session, now=clock.now())
    registry = CollectorRegistry(auto_describe=True)
    http: HttpMetrics = request.app.state.http_metrics
    for collector in (*http.collectors(), SnapshotCollector(snapshot)):
        registry.register(collector)
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
