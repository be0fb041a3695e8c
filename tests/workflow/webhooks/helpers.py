"""What the webhook tests share: settings that allow loopback receivers, a clock a test moves, and
events and subscriptions recorded through the real services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select
from sqlmodel import col

from tests.waiting import wait_until
from workflow import webhooks
from workflow.core import Settings, clock, record_event, unit_of_work


def loopback_settings(**overrides: Any) -> Settings:
    return Settings(_env_file=None, **{"webhook_allow_private": True, "webhook_timeout_seconds": 5, **overrides})


@dataclass
class Clock:
    """A clock that starts at the real time (receivers check timestamps against it) and moves when told."""

    at: datetime

    @classmethod
    def real(cls) -> Clock:
        return cls(clock.now())

    def __call__(self) -> datetime:
        return self.at

    def advance(self, by: timedelta) -> datetime:
        self.at += by
        return self.at


def subscribe(engine: Engine, url: str, *types: str, now: datetime | None = None) -> webhooks.IssuedSecret:
    command = webhooks.WebhookCreate(url=url, event_types=list(types or ["stage_changed"]))
    with unit_of_work(engine) as session:
        return webhooks.create_subscription(session, command, actor="test-admin", now=now or clock.now(),
                                            allow_private=True)


def record(engine: Engine, type_: str = "stage_changed", *, strategy_id: int | None = 7,
           at: datetime | None = None, **payload: Any) -> int:
    with unit_of_work(engine) as session:
        return record_event(session, type_, strategy_id=strategy_id, payload=payload or {"to": "consultation"},
                            at=at or clock.now()).id


def fan_out(engine: Engine, now: datetime | None = None, *, expect: int = 0) -> int:
    """Run the fan-out until it has recorded ``expect`` deliveries (once if 0); how many it recorded.

    On PostgreSQL the outbox holds an event back while a transaction that took its id earlier still
    runs, anywhere on the server (another test session's): no event says when it moved on."""
    recorded = 0

    def more() -> int:
        nonlocal recorded
        with unit_of_work(engine) as session:
            recorded += webhooks.fan_out(session, now=now or clock.now())
        return recorded

    if not expect:
        return more()
    return wait_until(more, lambda count: count >= expect, waiting_for=f"{expect} deliveries recorded", timeout=30)


def fan_out_and_hand_out(engine: Engine, now: datetime, *, expect: int = 0) -> list[int]:
    """The pass's two webhook steps: fan out (waiting for ``expect`` new deliveries), then hand out."""
    fan_out(engine, now, expect=expect)
    with unit_of_work(engine) as session:
        return webhooks.hand_out(session, now, lease=timedelta(minutes=10))


def deliveries_of(engine: Engine, subscription_id: int) -> list[webhooks.WebhookDelivery]:
    with unit_of_work(engine) as session:
        return list(session.scalars(
            select(webhooks.WebhookDelivery)
            .where(col(webhooks.WebhookDelivery.subscription_id) == subscription_id)
            .order_by(col(webhooks.WebhookDelivery.id))
        ))


def log_of(engine: Engine, subscription_id: int) -> list[webhooks.LoggedDelivery]:
    with unit_of_work(engine) as session:
        return webhooks.delivery_log(session, subscription_id, limit=200, offset=0)[0]
