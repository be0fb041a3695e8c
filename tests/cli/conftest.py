from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.main import main
from workflow.core.settings import Settings, get_settings


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, settings: Settings) -> Iterator[Settings]:
    """Point the CLI at the test database; no .env from the working tree leaks in."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONTINUUM_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("CONTINUUM_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    yield settings
    get_settings.cache_clear()


@pytest.fixture
def demo_loaded(cli_env, engine, capsys) -> None:
    assert main(["demo"]) == 0
    capsys.readouterr()
