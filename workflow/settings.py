"""The one settings object. Every knob is an environment variable prefixed ``CONTINUUM_``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CONTINUUM_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Where the embedded defaults keep their files.")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default: an SQLite file `continuum.db` in the data directory."
    )
    timezone: str = Field("Europe/Tirane", description="Deployment timezone; decides what 'today' is.")
    min_consultation_days: int = Field(20, ge=0, le=365, description="Working days a consultation lasts at least.")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'continuum.db').as_posix()}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
