"""A token verified from the same client a moment ago is checked again inside the request, not before
it (``api.auth``): the answers are the same as with the check up front, and so is what is written."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from tests.api.helpers import assert_problem, bearer, make_institution, make_strategy
from workflow.access.models import ApiToken
from workflow.access.tokens import revoke_token
from workflow.core import clock
from workflow.core.db import new_session, unit_of_work
from workflow.lifecycle import Strategy

JSON = "application/json"


def revoke(engine, name: str) -> None:
    with unit_of_work(engine) as session:
        revoke_token(session, session.scalar(select(ApiToken).where(ApiToken.name == name)), now=clock.now())


@pytest.fixture
def known_then_revoked(client, anonymous, engine, token_for) -> tuple[str, dict]:
    """A coordinator's token, used once (so this process knows it from this client), then revoked."""
    institution = make_institution(client)
    strategy = make_strategy(client, institution)
    plain = token_for("coordinator", institution, name="leaver")
    assert anonymous.get("/strategies", headers=bearer(plain)).status_code == 200
    revoke(engine, "leaver")
    return plain, strategy


@pytest.mark.parametrize(("method", "path", "content"), [
    ("POST", "/strategies/{id}/transitions", b'{"event": "submit_for_consultation"}'),  # would succeed
    ("POST", "/strategies/{id}/transitions", b"{bad"),  # would be 422
    ("PATCH", "/strategies/{id}", b'{"title": "Renamed"}'),
    ("POST", "/institutions", b'{"name": "Another"}'),
    ("GET", "/strategies/not-a-number", b""),  # fails on its parameter, before any statement
    ("GET", "/no/such/route", b""),  # no endpoint at all
])
def test_a_token_revoked_after_its_last_use_gets_401_and_changes_nothing(
    known_then_revoked, anonymous, client, engine, method, path, content
):
    plain, before = known_then_revoked
    strategy_id = before["id"]
    response = anonymous.request(method, path.format(id=strategy_id), content=content,
                                 headers={**bearer(plain), "content-type": JSON})
    body = assert_problem(response, 401, "/problems/unauthenticated")
    assert "revoked on" in body["detail"]
    assert response.headers["www-authenticate"] == 'Bearer realm="continuum", error="invalid_token"'
    with new_session(engine) as session:
        strategy = session.get(Strategy, strategy_id)
        assert (strategy.stage, strategy.title, strategy.version) == ("drafting", before["title"], before["version"])
    assert client.get("/institutions").json()["total"] == 1


def test_the_deferred_check_is_the_first_statement_of_the_endpoints_transaction(client, anonymous, engine,
                                                                                 token_for):
    institution = make_institution(client)
    strategy = make_strategy(client, institution)
    plain = token_for("coordinator", institution, name="regular")
    assert anonymous.get("/strategies", headers=bearer(plain)).status_code == 200
    sent: list[str] = []
    checkouts: list[int] = []

    def statement(_conn, _cursor, text: str, *_args) -> None:
        sent.append(text)

    def checkout(*_args) -> None:
        checkouts.append(1)

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine.pool, "checkout", checkout)
    try:
        response = anonymous.post(f"/strategies/{strategy['id']}/transitions", headers=bearer(plain),
                                  json={"event": "submit_for_consultation"})
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine.pool, "checkout", checkout)
    assert response.status_code == 200, response.text
    assert "FROM api_tokens" in sent[0] and "strategies" in sent[1]
    assert len(checkouts) == 1  # one connection for the request: the check's is the endpoint's


def test_after_a_refusal_the_token_is_checked_up_front_again(known_then_revoked, anonymous, engine):
    plain, _ = known_then_revoked
    assert_problem(anonymous.get("/strategies", headers=bearer(plain)), 401)  # the deferred check refuses
    checked_before_the_endpoint: list[str] = []

    def statement(_conn, _cursor, text: str, *_args) -> None:
        checked_before_the_endpoint.append(text)

    event.listen(engine, "before_cursor_execute", statement)
    try:
        assert_problem(anonymous.get("/no/such/route", headers=bearer(plain)), 401)
    finally:
        event.remove(engine, "before_cursor_execute", statement)
    assert len(checked_before_the_endpoint) == 1 and "FROM api_tokens" in checked_before_the_endpoint[0]
