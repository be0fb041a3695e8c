"""The one settings object: every knob documented in the README with its default, and validated."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from workflow.core.settings import Settings

README = (Path(__file__).resolve().parents[3] / "README.md").read_text()


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_has_a_row_in_the_readme_configuration_table(name):
    assert re.search(rf"^\| `CONTINUUM_{name.upper()}` \| [^|]+ \| [^|]+ \|$", README, re.M), name


def test_offsets_are_deduplicated_and_sorted_latest_first(monkeypatch):
    monkeypatch.setenv("CONTINUUM_REMINDER_OFFSETS", "[7, 30, 7, 1]")
    assert Settings(_env_file=None).reminder_offsets == [30, 7, 1]


@pytest.mark.parametrize(
    ("variable", "value"),
    [("CONTINUUM_TIMEZONE", "Mars/Olympus"), ("CONTINUUM_REMINDER_OFFSETS", "[-1]"), ("CONTINUUM_SEND_HOUR", "24"),
     ("CONTINUUM_HOLIDAY_COUNTRY", "Atlantis"), ("CONTINUUM_MIN_CONSULTATION_DAYS", "41"),
     ("CONTINUUM_LANGUAGE", "fr")],
)
def test_a_bad_value_is_refused_at_start(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError):
        Settings(_env_file=None)


def test_embedded_defaults_live_in_the_data_directory(tmp_path):
    settings = Settings(_env_file=None, data_dir=tmp_path)
    assert settings.resolved_database_url == f"sqlite:///{tmp_path}/continuum.db"
    assert settings.resolved_broker_url == f"sqla+sqlite:///{tmp_path}/broker.db"
    assert settings.resolved_result_backend == f"db+sqlite:///{tmp_path}/results.db"


def test_the_holiday_country_is_a_known_code_in_any_case_or_empty_for_none(monkeypatch):
    monkeypatch.setenv("CONTINUUM_HOLIDAY_COUNTRY", " al ")
    assert Settings(_env_file=None).holiday_country == "AL"
    monkeypatch.setenv("CONTINUUM_HOLIDAY_COUNTRY", "")
    assert Settings(_env_file=None).holiday_country == ""
