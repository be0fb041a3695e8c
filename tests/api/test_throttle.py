"""Failed authentication is rate limited per client address, before any lookup: 429 with Retry-After.

A throttled address costs the database nothing; a token verified from it recently keeps working;
an IPv6 client counts by its /64. Every test here runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import freezegun
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from api.app import create_app
from api.throttle import FailureThrottle, client_key
from tests.api.databases import both_databases
from tests.api.helpers import assert_problem, bearer

engine = both_databases

LIMIT = 5
WRONG = bearer("ctm_" + "W" * 43)
GUESSES = [bearer("ctm_" + letter * 43) for letter in "CDEFGHIJKLMNOPQ"]  # wrong, and each one different


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


class StatementCounter:
    """Counts the SQL statements an engine sends, from the moment it is attached."""

    def __init__(self, engine: Engine) -> None:
        self.statements: list[str] = []
        self.engine = engine

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(statement)


def exhaust(test_client: TestClient) -> None:
    """Spend the address's allowance on wrong tokens, each a different guess."""
    for guess in GUESSES[:LIMIT]:
        assert_problem(test_client.get("/strategies", headers=guess), 401)


def test_a_throttled_address_costs_no_database_query(throttled):
    with StatementCounter(throttled.app.state.engine) as counter:
        assert_problem(throttled.get("/strategies", headers=GUESSES[0]), 401)
    assert counter.statements, "a wrong token within the allowance is looked up: the counter sees it"
    for guess in GUESSES[1:LIMIT]:
        assert_problem(throttled.get("/strategies", headers=guess), 401)
    with StatementCounter(throttled.app.state.engine) as counter:
        for guess in [*GUESSES[LIMIT:], WRONG]:
            response = throttled.get("/strategies", headers=guess)
            assert_problem(response, 429, "/problems/too-many-requests")
            assert int(response.headers["retry-after"]) >= 1
    assert counter.statements == []


def test_a_token_verified_from_the_address_keeps_working_while_it_is_throttled(throttled, token_for):
    office = bearer(token_for("viewer"))
    assert throttled.get("/strategies", headers=office).status_code == 200
    exhaust(throttled)
    assert_problem(throttled.get("/strategies", headers=WRONG), 429)
    for _ in range(3):
        assert throttled.get("/strategies", headers=office).status_code == 200
    assert_problem(throttled.get("/strategies", headers=WRONG), 429)  # and guesses stay refused around it


def test_a_valid_token_first_presented_while_throttled_waits_like_a_guess(throttled, token_for):
    """It cannot be told from a guess without the lookup the throttle exists to spare."""
    newcomer = bearer(token_for("viewer"))
    with freezegun.freeze_time() as frozen:
        exhaust(throttled)
        response = throttled.get("/strategies", headers=newcomer)
        assert_problem(response, 429, "/problems/too-many-requests")
        frozen.tick(int(response.headers["retry-after"]))
        assert throttled.get("/strategies", headers=newcomer).status_code == 200
        for _ in range(LIMIT + 1):
            throttled.get("/strategies", headers=WRONG)
        assert throttled.get("/strategies", headers=newcomer).status_code == 200  # now it is known here


def test_verified_tokens_do_not_spend_the_allowance(throttled, token_for):
    office = bearer(token_for("viewer"))
    for _ in range(LIMIT * 3):
        assert throttled.get("/strategies", headers=office).status_code == 200
    exhaust(throttled)  # all of it is still there for mistakes
    assert_problem(throttled.get("/strategies", headers=WRONG), 429)


def test_ipv6_addresses_in_one_64_share_one_allowance(settings, engine):
    app = create_app(settings.model_copy(update={"auth_failures_per_minute": LIMIT}), engine)

    def client_at(address: str) -> TestClient:
        return TestClient(app, raise_server_exceptions=False, client=(address, 4000))

    with client_at("2001:db8:1:2::1") as first, client_at("2001:db8:1:2:ffff:ffff:ffff:fffe") as rotated, \
            client_at("2001:db8:1:3::1") as next_lan:
        for guess in GUESSES[:LIMIT - 1]:
            assert_problem(first.get("/strategies", headers=guess), 401)
        assert_problem(rotated.get("/strategies", headers=WRONG), 401)  # the last failure of the shared allowance
        assert_problem(rotated.get("/strategies", headers=WRONG), 429)
        assert_problem(first.get("/strategies", headers=WRONG), 429)
        assert_problem(next_lan.get("/strategies", headers=WRONG), 401)  # another /64 is another client


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2::9", "2001:db8:1:2::/64"),
        ("fe80::1%eth0", "fe80::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),  # an IPv4 client on a dual-stack socket is still one address
        ("testclient", "testclient"),
    ],
)
def test_clients_are_keyed_ipv4_by_address_ipv6_by_64(address, key):
    assert client_key(address) == key


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


GUESS = "ctm_" + "G" * 43
VALID = "ctm_" + "V" * 43


def fail(throttle: FailureThrottle, address: str, secret: str = GUESS) -> int | None:
    """A token from ``address`` refused by the lookup: None when it was looked up, else the seconds to wait."""
    admission = throttle.admit(address, secret)
    if admission.retry_after is None:
        throttle.refused(admission)
    return admission.retry_after


def succeed(throttle: FailureThrottle, address: str, secret: str = VALID) -> int | None:
    admission = throttle.admit(address, secret)
    if admission.retry_after is None:
        throttle.verified(admission)
    return admission.retry_after


def test_the_bucket_refills_at_the_rate_per_minute():
    clock = FakeClock()
    throttle = FailureThrottle(per_minute=6, clock=clock)
    assert [fail(throttle, "a") for _ in range(6)] == [None] * 6
    assert fail(throttle, "a") == 10  # one failure comes back every 60 / 6 seconds
    clock.now += 9.5
    assert fail(throttle, "a") == 1
    clock.now += 0.5
    assert fail(throttle, "a") is None
    assert fail(throttle, "a") == 10


def test_the_allowance_is_reserved_before_the_lookup():
    """Concurrent guesses cannot all pass the check before the first of them is counted."""
    throttle = FailureThrottle(per_minute=3, clock=FakeClock())
    admissions = [throttle.admit("a", GUESS) for _ in range(5)]
    assert [admission.retry_after is None for admission in admissions] == [True] * 3 + [False] * 2


def test_a_valid_token_gives_back_what_it_reserved():
    clock = FakeClock()
    throttle = FailureThrottle(per_minute=3, clock=clock)
    for n in range(10):
        assert succeed(throttle, "a", f"ctm_{n:043d}") is None  # each new here, each reserved and given back
    assert len(throttle) == 0  # a full bucket is forgotten: nothing to remember
    assert [fail(throttle, "a") for _ in range(4)] == [None, None, None, 20]


def test_recently_verified_tokens_are_few_and_expire():
    clock = FakeClock()
    throttle = FailureThrottle(per_minute=1, clock=clock, remembered_tokens=2, remember_seconds=300)
    assert succeed(throttle, "a", "ctm_1") is None
    assert succeed(throttle, "a", "ctm_2") is None
    assert succeed(throttle, "a", "ctm_3") is None  # pushes ctm_1 out
    fail(throttle, "a")
    assert fail(throttle, "a") == 60
    assert succeed(throttle, "a", "ctm_1") == 60
    assert succeed(throttle, "a", "ctm_3") is None
    clock.now += 250
    fail(throttle, "a")  # throttled again
    assert succeed(throttle, "a", "ctm_3") is None
    assert succeed(throttle, "a", "ctm_2") is None  # verified 250 seconds ago
    clock.now += 299
    fail(throttle, "a")
    assert succeed(throttle, "a", "ctm_3") is None  # 549 seconds after it was first seen: each use renews it
    clock.now += 301
    fail(throttle, "a")
    assert succeed(throttle, "a", "ctm_3") == 60  # forgotten after 300 quiet seconds
    assert succeed(throttle, "b", "ctm_3") is None  # and known per address: elsewhere it was never throttled


def test_a_token_refused_since_it_was_verified_is_forgotten():
    throttle = FailureThrottle(per_minute=1, clock=FakeClock())
    succeed(throttle, "a")
    fail(throttle, "a")
    assert fail(throttle, "a", VALID) is None  # known, so looked up, and now revoked
    assert throttle.admit("a", VALID).retry_after == 60


def test_memory_is_bounded_by_forgetting_the_least_recently_refused_clients():
    clock = FakeClock()
    throttle = FailureThrottle(per_minute=2, clock=clock, max_clients=100)
    for n in range(1_000):
        fail(throttle, f"198.51.100.{n}")
    assert len(throttle) == 100
    assert fail(throttle, "198.51.100.999") is None
    assert fail(throttle, "198.51.100.999") == 30  # the most recent are still remembered
    assert fail(throttle, "198.51.100.0") is None
    assert fail(throttle, "198.51.100.0") is None  # the least recent were forgotten: a full allowance again


def test_a_throttled_client_is_not_flushed_out_by_new_ones():
    clock = FakeClock()
    throttle = FailureThrottle(per_minute=1, clock=clock, max_clients=100)
    fail(throttle, "2001:db8::1")
    assert fail(throttle, "2001:db8::1") == 60
    for n in range(1_000):  # a crowd of new clients, each over its allowance at once
        fail(throttle, f"2001:db8:{n + 1:x}::1")
    assert len(throttle) == 100
    assert fail(throttle, "2001:db8::2") is not None  # the throttled /64 is still throttled
    clock.now += 60  # the throttled recover: new clients can take their places again
    assert fail(throttle, "2001:db8:ffff::1") is None
    assert len(throttle) == 100


def test_with_every_tracked_client_throttled_a_new_one_waits_but_known_tokens_pass(caplog):
    clock = FakeClock()
    throttle = FailureThrottle(per_minute=1, clock=clock, max_clients=10)
    succeed(throttle, "192.0.2.200")
    for n in range(10):
        fail(throttle, f"192.0.2.{n}")
    with caplog.at_level("WARNING", logger="continuum.api.throttle"):
        assert fail(throttle, "192.0.2.100") == 60  # not tracked, so not let through untracked either
        assert fail(throttle, "192.0.2.101") == 60
    assert len(caplog.records) == 1 and "10 client" in caplog.records[0].getMessage()
    assert succeed(throttle, "192.0.2.200") is None


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
            fail(throttle, "203.0.113.9")
            clock.now += 5  # half the refill time: always over the limit, now and then let through
        assert len(caplog.records) == 1
        clock.now += 60  # calm for a minute: the budget is back in full
        for _ in range(7):
            fail(throttle, "203.0.113.9")
    assert len(caplog.records) == 2
    assert "203.0.113.9" in caplog.records[0].getMessage()
