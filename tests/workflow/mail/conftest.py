from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.workflow.mail.smtp_server import RecordingHandler, start_server

ServerFactory = Callable[..., Controller]


@pytest.fixture
def smtp_server() -> Iterator[ServerFactory]:
    """Start real SMTP servers on free ports; all are stopped after the test."""
    started: list[Controller] = []

    def start(handler: RecordingHandler | None = None, **smtp_options: Any) -> Controller:
        controller = start_server(handler or RecordingHandler(), **smtp_options)
        started.append(controller)
        return controller

    yield start
    for controller in started:
        controller.stop()

