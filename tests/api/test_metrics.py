"""GET /metrics: the Prometheus text format, with numbers that match the rows behind them, for an
admin token or the metrics token only."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import freezegun
import pytest
from fastapi.testclient import TestClient
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy import select

from api.app import create_app
from tests import factories as f
from tests.api.helpers import assert_problem, bearer
from workflow.core import OutboxEvent
from workflow.core.db import unit_of_work
from workflow.reminders import Notification
from workflow.scheduler import record_pass
from workflow.webhooks import DELIVERY_STATUSES, WebhookDelivery, WebhookSubscription

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
METRICS_TOKEN = "scrape-me-0123456789abcdef"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample, by name and labels (sorted)."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def notification(strategy_id: int, contact_id: int, n: int, *, kind: str, status: str,
                 due_at: datetime | None) -> Notification:
    return Notification(
        deadline_key=f"strategy:{strategy_id}:drafting_due", deadline_kind="drafting_due", strategy_id=strategy_id,
        due_on=date(2026, 3, 31), offset_days=n, kind=kind, contact_id=contact_id, status=status, due_at=due_at,
        details={}, created_at=NOW - timedelta(days=3),
    )


@pytest.fixture
def rows(engine):
    """Ledger rows of two kinds in several statuses, webhook deliveries, and two recorded passes."""
    with unit_of_work(engine) as s:
        moi = f.institution(s)
        arta = f.contact(s, moi, ["coordinator"])
        strategy = f.strategy(s, moi, drafting_due=date(2026, 3, 31)).id
        for title in ("Strategy on Water", "Strategy on Roads"):  # their events, for webhook deliveries
            f.strategy(s, moi, title=title)
        ledger = [
            ("deadline_reminder", "pending", NOW - timedelta(minutes=10)),  # 600 s past its send time
            ("deadline_reminder", "pending", NOW + timedelta(hours=1)),
            ("deadline_reminder", "sent", None), ("deadline_reminder", "sent", None),
            ("overdue", "sent", None), ("overdue", "failed", None), ("overdue", "cancelled", None),
        ]
        for n, (kind, status, due_at) in enumerate(ledger):
            s.add(notification(strategy, arta, n, kind=kind, status=status, due_at=due_at))
        subscription = WebhookSubscription(url="https://hooks.example.org/in", event_types=["stage_changed"],
                                           secret="whsec_" + "A" * 32, active=True, created_by="test",
                                           created_at=NOW, updated_at=NOW)
        s.add(subscription)
        s.flush()
        events = s.scalars(select(OutboxEvent.id).order_by(OutboxEvent.id)).all()
        assert len(events) >= 3
        statuses = ["delivered", "delivered", "pending"] if "delivered" in DELIVERY_STATUSES else list(
            DELIVERY_STATUSES[:3])
        for event_id, status in zip(events, statuses, strict=False):
            s.add(WebhookDelivery(subscription_id=subscription.id, event_id=event_id, event_type="stage_changed",
                                  status=status, created_at=NOW))
    record_pass(engine, started_at=NOW - timedelta(minutes=2), seconds=0.25, succeeded=False)
    record_pass(engine, started_at=NOW - timedelta(minutes=1), seconds=0.75, succeeded=True)
    return statuses


def scrape(client: TestClient, **headers: str) -> dict:
    with freezegun.freeze_time(NOW):
        response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == CONTENT_TYPE_LATEST
    return samples(response.text)


def test_the_metrics_match_the_rows_behind_them(client, rows):
    found = scrape(client)
    ledger = {labels: value for (name, labels), value in found.items() if name == "continuum_ledger_rows"}
    assert ledger == {
        (("kind", "deadline_reminder"), ("status", "pending")): 2,
        (("kind", "deadline_reminder"), ("status", "sent")): 2,
        (("kind", "overdue"), ("status", "cancelled")): 1,
        (("kind", "overdue"), ("status", "failed")): 1,
        (("kind", "overdue"), ("status", "sent")): 1,
    }
    assert found[("continuum_ledger_oldest_due_seconds", ())] == 600
    outcomes = {labels[0][1]: value for (name, labels), value in found.items() if name == "continuum_email_deliveries"}
    assert outcomes == {"sent": 3, "failed": 1, "cancelled": 1}
    hooks = {labels[0][1]: value for (name, labels), value in found.items() if name == "continuum_webhook_deliveries"}
    assert set(hooks) == set(DELIVERY_STATUSES)
    assert sum(hooks.values()) == len(rows) and all(hooks[s] == rows.count(s) for s in set(rows))
    assert found[("continuum_scheduler_pass_duration_seconds", ())] == 0.75
    assert found[("continuum_scheduler_last_success_timestamp_seconds", ())] == (NOW - timedelta(minutes=1)).timestamp()
    assert found[("continuum_scheduler_last_failure_timestamp_seconds", ())] == (NOW - timedelta(minutes=2)).timestamp()
    assert found[("continuum_scheduler_failures_in_a_row", ())] == 0


def test_without_any_pass_or_row_the_pass_series_are_absent_and_the_counts_zero(client):
    found = scrape(client)
    assert found[("continuum_ledger_oldest_due_seconds", ())] == 0
    assert not any(name.startswith("continuum_scheduler_") for name, _ in found)
    assert {v for (name, _), v in found.items() if name == "continuum_email_deliveries"} == {0}


def test_http_requests_are_counted_by_route_template_and_status_with_durations(client, rows):
    client.get("/strategies/1")
    client.get("/strategies/99")
    refused = {"Authorization": "Bearer ctm_" + "x" * 43}
    client.get("/strategies/2", headers=refused)  # 401 before routing
    client.get("/no/such/path/12345")
    client.get("/no/such/path/67890", headers=refused)
    client.get("/console/sign-in")
    found = scrape(client)

    def count(route: str, status: str, method: str = "GET") -> float:
        return found.get(("continuum_http_requests_total",
                          (("method", method), ("route", route), ("status", status))), 0)

    assert count("/strategies/{strategy_id}", "200") == 1 and count("/strategies/{strategy_id}", "404") == 1
    assert count("/strategies/{strategy_id}", "401") == 1
    assert count("unmatched", "404") == 1 and count("unmatched", "401") == 1
    assert count("/console", "200") == 1  # the console's pages are counted under its mount
    assert not any("12345" in str(labels) or "67890" in str(labels) for _, labels in found)
    assert found[("continuum_http_request_duration_seconds_count",
                  (("method", "GET"), ("route", "/strategies/{strategy_id}")))] == 3


def test_the_metrics_token_may_scrape_and_is_compared_whole(settings, engine, client_as):
    settings = settings.model_copy(update={"metrics_token": SecretStr(METRICS_TOKEN)})
    with TestClient(create_app(settings, engine), raise_server_exceptions=False) as scraper:
        assert scrape(scraper, **bearer(METRICS_TOKEN))
        for wrong in (METRICS_TOKEN[:-1], METRICS_TOKEN + "0", "x" * len(METRICS_TOKEN)):
            assert_problem(scraper.get("/metrics", headers=bearer(wrong)), 401)


def test_only_admins_and_the_metrics_token_may_scrape(client_as, settings):
    assert_problem(client_as(None).get("/metrics"), 401)
    assert_problem(client_as(None).get("/metrics", headers=bearer("ctm_" + "A" * 43)), 401)
    assert_problem(client_as(None).get("/metrics", headers=bearer(METRICS_TOKEN)), 401)  # no metrics token set
    assert_problem(client_as("viewer").get("/metrics"), 403)
    assert client_as("admin").get("/metrics").status_code == 200


def test_each_application_counts_its_own_requests(settings, engine, client):
    client.get("/health")
    with TestClient(create_app(settings, engine)) as other:
        found = scrape(other, **client.headers)
    assert not any(labels == (("method", "GET"), ("route", "/health"), ("status", "200"))
                   for name, labels in found if name == "continuum_http_requests_total")
