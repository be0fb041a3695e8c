from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from api.app import create_app
from tests.api.serving import served
from tests.services import unavailable
from tests.smtp_sink import smtp_sink
from tests.web.browser.harness import CHROMIUM, QUIET, Console
from workflow.core import Settings


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if CHROMIUM is None:
        unavailable("Chromium", "not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=QUIET, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def console(settings: Settings, demo: Engine) -> Iterator[Console]:
    """The console served for real on the demo, with a real SMTP server behind it."""
    with smtp_sink() as (port, mailbox):
        configured = settings.model_copy(update={"smtp_port": port, "sign_in_links_per_hour": 100,
                                                 "sign_in_requests_per_minute": 1000})

        def app_at(url: str):  # links in emails lead to where it is served, as `continuum serve` does
            return create_app(configured.model_copy(update={"public_url": url}), demo)

        with served(app_at) as url:
            yield Console(url=url, mailbox=mailbox)


def recorded_page(browser, console: Console):
    """A fresh browser profile (no cookies) whose every request is recorded in ``console.requests``."""
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-GB")
    opened = context.new_page()
    opened.on("request", lambda request: console.requests.append(request.url))
    opened.set_default_timeout(15_000)
    return context, opened


@pytest.fixture
def page(browser, console: Console):
    context, opened = recorded_page(browser, console)
    yield opened
    context.close()


@pytest.fixture
def second_page(browser, console: Console):
    """Another person's browser, at the same time."""
    context, opened = recorded_page(browser, console)
    yield opened
    context.close()
