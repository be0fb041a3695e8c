"""``GET /events`` on PostgreSQL while another transaction that wrote an event is still open: the
feed holds back what committed after it began, and a client paging with ``next_after`` gets both,
the open one's first (see workflow.core.outbox). Paging by id alone hands out the later event and
then skips the open one, whose id is lower."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.api.helpers import make_institution, make_strategy
from tests.waiting import wait_until
from workflow.core import new_session, record_event

pytestmark = pytest.mark.postgres


@pytest.fixture
def engine(pg_engine):
    return pg_engine


def test_a_client_paging_the_feed_misses_no_event_of_a_transaction_still_open(client, pg_engine):
    before = make_strategy(client, make_institution(client))
    page = wait_until(lambda: client.get("/events").json(), lambda p: len(p["items"]) == 1,
                      waiting_for="the first event in the feed", timeout=30)
    cursor = page["next_after"]
    with new_session(pg_engine) as open_transaction:
        record_event(open_transaction, "custom", strategy_id=before["id"], payload={"n": 1}, at=f.T0)
        later = make_strategy(client, before["lead_institution_id"], title="Committed meanwhile")
        assert client.get("/events", params={"after": cursor}).json() == {"items": [], "next_after": cursor}
        open_transaction.commit()
    page = wait_until(lambda: client.get("/events", params={"after": cursor}).json(), lambda p: len(p["items"]) == 2,
                      waiting_for="both events in the feed", timeout=30)
    assert [(e["type"], e["strategy_id"]) for e in page["items"]] == [("custom", before["id"]),
                                                                      ("strategy_created", later["id"])]
    assert client.get("/events", params={"after": page["next_after"]}).json()["items"] == []

