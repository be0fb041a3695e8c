"""The one settings object. Every knob is an environment variable prefixed ``CONTINUUM_``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_LINK_BASE = "http://127.0.0.1:8000"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CONTINUUM_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Where the embedded defaults keep their files.")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default: an SQLite file `continuum.db` in the data directory."
    )
    timezone: str = Field("Europe/Tirane", description="Deployment timezone; decides what 'today' is.")
    min_consultation_days: int = Field(20, ge=0, le=365, description="Working days a consultation lasts at least.")
    max_consultation_days: int = Field(
        40, ge=1, le=365, description="Working days a consultation round may last at most, extensions included."
    )
    holiday_country: str = Field(
        "AL", description="Country whose public holidays (observed days included) are not working days; empty: none."
    )
    language: Literal["en", "sq"] = Field(
        "en", description="The deployment's language: reports asked for without one are in it."
    )

    broker_url: str | None = Field(
        None, description="Celery broker; default: the embedded `sqla+sqlite` broker in the data directory."
    )
    result_backend: str | None = Field(
        None, description="Celery result backend; default: `db+sqlite` in the data directory."
    )
    tick_seconds: int = Field(60, ge=5, le=86_400, description="How often beat runs the scheduler pass.")
    reminder_offsets: list[int] = Field(
        [90, 30, 7, 1], description="Days before a deadline that reminders go out (per strategy overridable)."
    )
    overdue_offsets: list[int] = Field([1, 7], description="Days after a missed deadline that overdue notices go out.")
    escalate_after_days: int = Field(
        7, ge=1, description="Overdue notices this many days late also go to escalation contacts."
    )
    send_hour: int = Field(9, ge=0, le=23, description="Local hour from which a day's reminders are sent.")
    lease_minutes: int = Field(10, ge=1, le=1440, description="A claimed email not sent within this is claimed again.")
    enqueue_lease_minutes: int = Field(
        10, ge=1, le=1440, description="A due email queued but not claimed within this is handed to the queue again."
    )
    smtp_max_attempts: int = Field(5, ge=1, le=20, description="Tries per email before it is marked failed.")
    smtp_retry_base_seconds: int = Field(30, ge=1, description="First retry delay; doubles with each try.")

    gap_lead_days: int = Field(
        365, ge=1, le=3650, description="From this long before a lapse, a missing successor is warned about."
    )
    gap_warning_offsets: list[int] = Field(
        [365, 180, 90, 30, 7], description="Days before a lapse that gap warnings go out."
    )
    gap_horizon_days: int = Field(365, ge=0, le=3650, description="Default horizon of GET /gaps for `at_risk`.")
    typical_drafting_days: int = Field(180, ge=1, description="Projection fallback: days a drafting stage takes.")
    typical_consultation_days: int = Field(45, ge=1, description="Projection fallback: days a consultation takes.")
    typical_approval_days: int = Field(60, ge=1, description="Projection fallback: days an approval takes.")

    max_objectives_per_plan: int = Field(
        300, ge=1, le=100_000, description="Objectives a strategy and its action plans may hold together."
    )
    max_measures_per_plan: int = Field(
        1000, ge=1, le=100_000, description="Measures a strategy and its action plans may hold together."
    )
    max_indicators_per_plan: int = Field(
        2000, ge=1, le=200_000, description="Indicators a strategy and its action plans may hold together."
    )

    max_body_bytes: int = Field(1_048_576, ge=1024, le=1_073_741_824, description="Larger request bodies get 413.")
    pool_timeout_seconds: int = Field(
        10, ge=1, le=300, description="How long a request waits for a database connection before its 503."
    )
    db_pool_size: int = Field(
        40, ge=1, le=1000,
        description="Database connections one API process keeps: four fifths for its worker threads, one fifth "
                    "for requests between their token check and their endpoint.",
    )
    token_lifetime_days: int = Field(90, ge=1, le=3650, description="Lifetime of an API token created without one.")
    auth_failures_per_minute: int = Field(
        30, ge=1, le=100_000, description="Refused tokens one client address may send per minute before 429."
    )

    public_url: str | None = Field(
        None, description="The address people open Continuum at, for links in emails; unset: where the server listens."
    )
    sign_in_link_minutes: int = Field(15, ge=1, le=1440, description="How long an emailed sign-in link works.")
    session_hours: int = Field(12, ge=1, le=720, description="How long a browser stays signed in.")
    sign_in_links_per_hour: int = Field(
        5, ge=1, le=1000, description="Sign-in links one address may be sent per hour; more requests send nothing."
    )
    sign_in_requests_per_minute: int = Field(
        10, ge=1, le=100_000, description="Sign-in requests one client address may make per minute before 429."
    )

    smtp_host: str = Field("127.0.0.1", description="SMTP server that accepts Continuum's email.")
    smtp_port: int = Field(8025, ge=1, le=65535, description="SMTP port (8025: the local sink of `continuum dev`).")
    smtp_starttls: bool = Field(False, description="Upgrade the connection with STARTTLS before sending.")
    smtp_username: str | None = Field(None, description="SMTP login, if the server wants one.")
    smtp_password: SecretStr | None = Field(None, description="SMTP password.")
    smtp_timeout_seconds: float = Field(30, gt=0, le=600, description="SMTP connect/command timeout.")
    smtp_idle_seconds: float = Field(
        30, ge=0, le=3600, description="A worker's SMTP connection idle longer than this is reopened before use."
    )
    mail_from: str = Field("Continuum <continuum@localhost>", description="From header of every email.")
    digest_weekday: int = Field(
        0, ge=0, le=6, description="Weekday (0 Monday … 6 Sunday) on which weekly digests go out, at the send hour."
    )

    webhook_allow_private: bool = Field(
        False, description="Allow webhook targets on private, loopback and link-local addresses (tests, local use)."
    )
    webhook_timeout_seconds: float = Field(15, gt=0, le=120, description="Timeout of one webhook delivery attempt.")
    webhook_secret_grace_hours: int = Field(
        24, ge=0, le=720, description="After a secret is rotated, how long the old one still signs deliveries."
    )
    metrics_token: SecretStr | None = Field(
        None, description="A token that may read GET /metrics besides admin tokens (for a Prometheus scraper)."
    )
    log_format: Literal["text", "json"] = Field(
        "text", description="`json`: one JSON object per log line, with the request id."
    )

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// address, e.g. https://continuum.example.al")
        return value.rstrip("/") if value else value

    @field_validator("holiday_country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        code = value.strip().upper()
        if code and code not in holidays.list_supported_countries():
            raise ValueError(f"no public holidays are known for {value!r}; use a country code such as AL, or empty")
        return code

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        return value

    @field_validator("reminder_offsets", "overdue_offsets", "gap_warning_offsets")
    @classmethod
    def _offsets(cls, value: list[int]) -> list[int]:
        if any(day < 0 or day > 3650 for day in value):
            raise ValueError("offsets are whole days between 0 and 3650")
        return sorted(set(value), reverse=True)

    @model_validator(mode="after")
    def _consultation_bounds(self) -> Settings:
        if self.max_consultation_days < self.min_consultation_days:
            raise ValueError(
                f"CONTINUUM_MAX_CONSULTATION_DAYS ({self.max_consultation_days}) is below "
                f"CONTINUUM_MIN_CONSULTATION_DAYS ({self.min_consultation_days})"
            )
        return self

    @property
    def link_base(self) -> str:
        """Where links in emails lead: ``public_url``, else the address ``continuum serve`` listens on
        by default. Never taken from a request's Host header, which the sender of a request chooses."""
        return self.public_url or DEFAULT_LINK_BASE

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'continuum.db').as_posix()}"

    @property
    def resolved_broker_url(self) -> str:
        return self.broker_url or f"sqla+sqlite:///{(self.data_dir / 'broker.db').as_posix()}"

    @property
    def resolved_result_backend(self) -> str:
        return self.result_backend or f"db+sqlite:///{(self.data_dir / 'results.db').as_posix()}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
