from fastapi.testclient import TestClient

from api.app import create_app
from tests.api.helpers import assert_invalid, assert_problem, fire, make_institution, make_strategy
from tests.services import new_database_name
from tests.smtp_sink import free_port
from workflow.core.db import make_engine


def test_health_reports_the_database(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_is_503_problem_when_the_database_is_unreachable(settings):
    nowhere = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/{new_database_name()}"  # nothing listens there
    engine = make_engine(nowhere, connect_args={"connect_timeout": 2})
    with TestClient(create_app(settings, engine), raise_server_exceptions=False) as client:
        response = client.get("/health")
    engine.dispose()
    assert_problem(response, 503, "/problems/database-unavailable")


def test_events_page_with_after_and_limit(client):
    moi = make_institution(client)
    strategy = make_strategy(client, moi)
    fire(client, strategy["id"], "submit_for_consultation", effective_on="2023-09-01")
    client.patch(f"/strategies/{strategy['id']}", json={"title": "Renamed"})

    first = client.get("/events", params={"limit": 2})
    assert first.status_code == 200
    page = first.json()
    assert [e["type"] for e in page["items"]] == ["strategy_created", "stage_changed"]
    assert page["next_after"] == page["items"][-1]["id"]
    assert page["items"][1]["payload"]["to"] == "consultation"

    second = client.get("/events", params={"after": page["next_after"], "limit": 2}).json()
    assert [e["type"] for e in second["items"]] == ["strategy_updated"]
    assert second["items"][0]["payload"]["changes"]["title"] == [strategy["title"], "Renamed"]

    empty = client.get("/events", params={"after": second["next_after"]}).json()
    assert empty == {"items": [], "next_after": second["next_after"]}


def test_events_after_an_id_that_names_no_event_is_422(client):
    make_strategy(client, make_institution(client))
    last = client.get("/events").json()["next_after"]
    body = assert_invalid(client.get("/events", params={"after": last + 1}), parameter="after")
    assert f"no event with id {last + 1}" in body["detail"]
    assert client.get("/events", params={"after": last}).json() == {"items": [], "next_after": last}
    assert client.get("/events", params={"after": 0}).json()["items"][0]["type"] == "strategy_created"


def test_events_parameters_are_bounded(client):
    assert_invalid(client.get("/events", params={"after": -1}), parameter="after")
    assert_invalid(client.get("/events", params={"after": 2**31}), parameter="after")
    assert_invalid(client.get("/events", params={"limit": 0}), parameter="limit")
    assert_invalid(client.get("/events", params={"limit": 201}), parameter="limit")
    assert client.get("/events", params={"limit": 200}).status_code == 200
