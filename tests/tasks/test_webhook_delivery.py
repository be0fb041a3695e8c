"""Webhooks through the real event-driven half: beat's pass fans the outbox out and hands the
delivery to the webhook queue, a worker consuming only that queue posts it to a receiver on
loopback, and retries it after a 500. PostgreSQL and Redis are real; nothing freezes time here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from standardwebhooks.webhooks import Webhook

from tests.processes import show_logs, stop_all
from tests.services import require_redis
from tests.waiting import wait_until
from tests.workflow.webhooks.helpers import deliveries_of, log_of, record, subscribe
from tests.workflow.webhooks.receiver import receiver


@pytest.fixture
def stack(postgres_url, pg_engine, tmp_path: Path):
    redis_url = require_redis()
    redis.Redis.from_url(redis_url).flushdb()
    with receiver() as hooks:
        env = {
            **os.environ,
            "CONTINUUM_DATABASE_URL": postgres_url,
            "CONTINUUM_BROKER_URL": redis_url,
            "CONTINUUM_RESULT_BACKEND": redis_url,
            "CONTINUUM_DATA_DIR": str(tmp_path / "data"),
            "CONTINUUM_TICK_SECONDS": "5",
            "CONTINUUM_WEBHOOK_ALLOW_PRIVATE": "true",
        }
        logs = tmp_path / "logs"
        logs.mkdir()
        processes = []
        for command in (["worker", "--only", "webhooks", "--concurrency", "1"], ["beat"]):
            with (logs / f"{command[0]}.log").open("w") as log:
                processes.append(subprocess.Popen(
                    [sys.executable, "-m", "cli", *command], env=env, stdout=log, stderr=subprocess.STDOUT
                ))
        try:
            yield pg_engine, hooks
        finally:
            stop_all(processes)
            show_logs(logs.iterdir())


def test_an_event_is_delivered_signed_by_a_webhook_worker_and_retried_after_a_500(stack):
    engine, hooks = stack
    issued = subscribe(engine, hooks.url(), "gap_warning")
    hooks.answer("/hooks", 500)
    event_id = record(engine, "gap_warning", strategy_id=5, lapses_on="2027-01-31")

    first, second = hooks.wait_for(2, timeout=120)  # beat's pass, the worker; 30 s later the retry
    for request in (first, second):
        body = Webhook(issued.secret).verify(request.body, request.headers)
        assert (body["type"], body["data"]) == ("gap_warning", {"lapses_on": "2027-01-31", "strategy_id": 5})
        assert request.headers["webhook-id"] == f"evt_{event_id}_sub_{issued.subscription.id}"
    assert first.body == second.body

    def delivered() -> list[str]:
        return [d.status for d in deliveries_of(engine, issued.subscription.id)]

    wait_until(delivered, lambda statuses: statuses == ["delivered"], waiting_for="the delivery recorded as delivered")
    (logged,) = log_of(engine, issued.subscription.id)
    assert [a.status_code for a in logged.attempts] == [500, 204]
    assert len(hooks.requests) == 2
