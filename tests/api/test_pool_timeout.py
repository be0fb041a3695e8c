"""A request waits for a pooled connection only as long as CONTINUUM_POOL_TIMEOUT_SECONDS says."""

from __future__ import annotations

from api.app import create_app
from workflow.core.settings import Settings


def test_the_api_engine_waits_for_a_connection_only_as_long_as_configured(tmp_path):
    settings = Settings(
        _env_file=None, data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'c.db'}", pool_timeout_seconds=3
    )
    engine = create_app(settings).state.engine
    try:
        assert engine.pool.timeout() == 3
    finally:
        engine.dispose()


def test_an_in_memory_database_takes_the_setting_without_complaint():
    settings = Settings(_env_file=None, database_url="sqlite://", pool_timeout_seconds=3)
    create_app(settings).state.engine.dispose()
