"""Sending one ledger row with everything wired: the composer for its kind and the deadline sources
that say whether it still applies. The worker's task and `continuum tick` both send through here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine

from workflow.core import Settings
from workflow.reminders import DeliveryResult, Transport, deliver
from workflow.scheduler.notices import compose_for
from workflow.scheduler.registry import source_for


def send_notification(
    engine: Engine, notification_id: int, *, clock: Callable[[], datetime], transport: Transport, settings: Settings
) -> DeliveryResult:
    return deliver(
        engine,
        notification_id,
        clock=clock,
        transport=transport,
        compose=compose_for(settings),
        source_for=source_for,
        settings=settings,
    )
