"""Signed webhooks (Standard Webhooks 1.0): subscriptions, the fan-out of outbox events into
deliveries, and their at-least-once delivery with backoff, a delivery log and SSRF checks.

(Being built for issue 14; the scheduler pass already calls ``fan_out`` and ``hand_out``.)
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

TABLES: tuple[type, ...] = ()


def fan_out(session: Session, *, now: datetime) -> int:
    """Record a delivery for each new outbox event and each subscription that wants it; how many."""
    return 0


def hand_out(session: Session, now: datetime, *, lease: timedelta) -> list[int]:
    """Mark the deliveries due now as handed to the queue and return their ids."""
    return []


__all__ = ["TABLES", "fan_out", "hand_out"]
