"""Failed authentication is rate limited per client address: 429 with Retry-After, valid tokens untouched."""

from __future__ import annotations

from collections.abc import Iterator

import freezegun
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.throttle import FailureThrottle
from tests.api.helpers import assert_problem, bearer

LIMIT = 5
WRONG = bearer("ctm_" + "W" * 43)


@pytest.fixture
def throttled(settings, engine) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"auth_failures_per_minute": LIMIT}), engine)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        test_client.get("/health")  # routes resolve their annotations before any clock is frozen
        yield test_client


def test_the_default_allows_a_few_mistakes_a_minute(settings):
    assert 10 <= settings.auth_failures_per_minute <= 60


def test_wrong_tokens_beyond_the_limit_get_429_with_retry_after(throttled):
    statuses = [throttled.get("/strategies", headers=WRONG).status_code for _ in range(2_000)]
    assert statuses[:LIMIT] == [401] * LIMIT
    assert set(statuses[LIMIT:]) == {429}
    response = throttled.get("/strategies", headers=WRONG)
    body = assert_problem(response, 429, "/problems/too-many-requests")
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert "authentication" in body["detail"]


def test_a_valid_token_is_never_throttled(throttled, token_for):
    for _ in range(LIMIT + 3):
        throttled.get("/strategies", headers=WRONG)
    assert throttled.get("/strategies", headers=WRONG).status_code == 429
    assert throttled.get("/strategies", headers=bearer(token_for("viewer"))).status_code == 200


def test_requests_without_a_token_are_not_counted(throttled):
    for _ in range(LIMIT * 4):
        assert_problem(throttled.get("/strategies"), 401)
    assert throttled.get("/strategies", headers=WRONG).status_code == 401


def test_the_limit_is_per_client_address(settings, engine):
    app = create_app(settings.model_copy(update={"auth_failures_per_minute": LIMIT}), engine)
    with TestClient(app, raise_server_exceptions=False, client=("192.0.2.1", 4000)) as attacker, \
            TestClient(app, raise_server_exceptions=False, client=("192.0.2.2", 4000)) as neighbour:
        for _ in range(LIMIT + 1):
            attacker.get("/strategies", headers=WRONG)
        assert attacker.get("/strategies", headers=WRONG).status_code == 429
        assert neighbour.get("/strategies", headers=WRONG).status_code == 401


def test_the_budget_comes_back_after_retry_after(throttled):
    with freezegun.freeze_time() as frozen:
        for _ in range(LIMIT):
            throttled.get("/strategies", headers=WRONG)
        response = throttled.get("/strategies", headers=WRONG)
        assert response.status_code == 429
        frozen.tick(int(response.headers["retry-after"]) - 1)
        assert throttled.get("/strategies", headers=WRONG).status_code == 429
        frozen.tick(1)
        assert throttled.get("/strategies", headers=WRONG).status_code == 401


def test_429_is_documented_on_every_secured_operation(throttled):
    for path, operations in throttled.get("/openapi.json").json()["paths"].items():
        for method, operation in operations.items():
            if "security" in operation:
                assert "Retry-After" in operation["responses"]["429"]["headers"], (method, path)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_bucket_refills_at_the_rate_per_minute():
    clock = FakeClock()
    throttle = FailureThrottle(per_minute=6, clock=clock)
    assert [throttle.failed("a") for _ in range(6)] == [None] * 6
    assert throttle.failed("a") == 10  # one failure comes back every 60 / 6 seconds
    clock.now += 9.5
    assert throttle.failed("a") == 1
    clock.now += 0.5
    assert throttle.failed("a") is None
    assert throttle.failed("a") == 10


def test_memory_is_bounded_by_forgetting_the_least_recent_clients():
    clock = FakeClock()
    throttle = FailureThrottle(per_minute=1, clock=clock, max_clients=100)
    for n in range(1_000):
        throttle.failed(f"198.51.100.{n}")
    assert len(throttle) == 100
    assert throttle.failed("198.51.100.999") == 60  # the most recent are still remembered
    assert throttle.failed("198.51.100.0") is None


def test_credentials_that_are_no_continuum_token_are_refused_without_counting(throttled):
    """They are refused by their shape, without a query, and could never succeed: nothing to slow down."""
    for header in ("Bearer SCHEMATHESIS-INVALID-VALUE", "Basic dXNlcjpwYXNz", "Bearer " + "ctm_" + "x" * 300):
        for _ in range(LIMIT * 2):
            assert_problem(throttled.get("/strategies", headers={"Authorization": header}), 401)
    assert throttled.get("/strategies", headers=WRONG).status_code == 401


def test_one_warning_per_episode_not_per_refused_request(caplog):
    clock = FakeClock()
    throttle = FailureThrottle(per_minute=6, clock=clock)
    with caplog.at_level("WARNING", logger="continuum.api.throttle"):
        for _ in range(50):
            throttle.failed("203.0.113.9")
            clock.now += 5  # half the refill time: always over the limit, now and then let through
        assert len(caplog.records) == 1
        clock.now += 60  # calm for a minute: the budget is back in full
        for _ in range(7):
            throttle.failed("203.0.113.9")
    assert len(caplog.records) == 2
    assert "203.0.113.9" in caplog.records[0].getMessage()
