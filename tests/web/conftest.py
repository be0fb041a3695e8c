from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from tests.web.console import sign_in
from workflow.core import Settings, clock, unit_of_work
from workflow.demo import load_portfolio, read_portfolio, seed_demo_monitoring

PersonFactory = Callable[[str], TestClient]

ARTA = "arta.hoxha@example.org"  # coordinator, Ministry of Interior, Albanian
DANIEL = "daniel.price@example.org"  # contact point, Ministry of Interior, English
KLODIANA = "klodiana.leka@example.org"  # coordinator, State Minister for Diaspora
BESNIK = "besnik.dervishi@example.org"  # escalation only: a viewer


@pytest.fixture
def demo(engine: Engine, settings: Settings) -> Engine:
    """The demo portfolio and its monitoring, loaded as ``continuum demo`` loads them."""
    with unit_of_work(engine) as session:
        load_portfolio(session, read_portfolio(), now=clock.now(), today=clock.today(settings.zone),
                       settings=settings)
        seed_demo_monitoring(session, now=clock.now(), today=clock.today(settings.zone))
    return engine


@pytest.fixture
def visitor(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    """A browser that has not signed in."""
    with TestClient(create_app(settings, engine), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def person(settings: Settings, demo: Engine) -> Iterator[PersonFactory]:
    """``person(email)``: a browser signed in as the demo contact with that address."""
    app = create_app(settings, demo)
    with ExitStack() as stack:

        def make(email: str) -> TestClient:
            client = stack.enter_context(TestClient(app, raise_server_exceptions=False))
            return sign_in(client, demo, email)

        yield make
