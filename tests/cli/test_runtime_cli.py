"""Worker and beat refuse to start, in one line, when the broker is unreachable."""

from __future__ import annotations

import pytest

from cli.main import CommandError
from cli.runtime import require_broker
from tests.smtp_sink import free_port
from workflow.core.settings import get_settings


def test_an_unreachable_broker_is_one_clear_line_without_the_password(monkeypatch):
    monkeypatch.setenv("CONTINUUM_BROKER_URL", f"redis://:s3cret@127.0.0.1:{free_port()}/0")
    get_settings.cache_clear()
    try:
        with pytest.raises(CommandError) as error:
            require_broker(attempts=1)
    finally:
        get_settings.cache_clear()
    message = str(error.value)
    assert message.startswith("cannot reach the broker at redis://:***@127.0.0.1:")
    assert "s3cret" not in message and "\n" not in message


def test_the_embedded_broker_is_always_reachable(monkeypatch, tmp_path):
    monkeypatch.setenv("CONTINUUM_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CONTINUUM_BROKER_URL", raising=False)
    get_settings.cache_clear()
    try:
        require_broker(attempts=1)
    finally:
        get_settings.cache_clear()


def test_a_bad_setting_is_one_line_naming_the_variable(monkeypatch, capsys):
    from cli.main import main

    monkeypatch.setenv("CONTINUUM_TIMEZONE", "Mars/Olympus")
    get_settings.cache_clear()
    try:
        assert main(["migrate"]) == 1
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err
    assert err == "continuum migrate: bad configuration: CONTINUUM_TIMEZONE: unknown timezone 'Mars/Olympus'\n"
