"""The worker process's one database engine, shared by every task it runs (emails, webhooks, passes)."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Engine

from workflow.core import get_settings, make_engine


@lru_cache
def engine() -> Engine:
    """One engine per worker process, created lazily so it is never shared across a fork."""
    return make_engine(get_settings().resolved_database_url)
