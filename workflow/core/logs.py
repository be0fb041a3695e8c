"""Log lines: one JSON object each when ``CONTINUUM_LOG_FORMAT=json``, with the request id, and
never a secret, whatever the format.

``REQUEST_ID`` is the id of the request (or task) being worked on: the API sets it for each request
(``api.request_id``), and every line logged while it works, in any thread it hands work to, carries
it. ``redact`` takes out what must not be kept in logs: bearer tokens and Continuum's own secrets
(API tokens ``ctm_``, sign-in links ``csl_``, sessions ``css_``, calendar feeds ``ccf_``, webhook
secrets ``whsec_``), the token in a calendar feed's path, passwords in URLs and ``password=`` or
``secret=`` pairs. ``RedactingFilter`` applies it to a record's message and arguments (so a
formatter of another library, uvicorn's access log, prints them redacted); ``JsonFormatter``
applies it again to the whole line and the exception text. ``configure_logging`` sets up the root
logger for a process in one of the two formats.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

REQUEST_ID: ContextVar[str | None] = ContextVar("continuum_request_id", default=None)
REDACTED = "[REDACTED]"
LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i)(\bbearer\s+)[^\s\"',;]+"), rf"\1{REDACTED}"),
    (re.compile(r"\b(?:ctm|csl|css|ccf)_[A-Za-z0-9_\-%]+"), REDACTED),
    (re.compile(r"\bwhsec_[A-Za-z0-9+/=_\-]+"), REDACTED),
    (re.compile(r"(/calendars/)[^/\s\"'?#]+"), rf"\1{REDACTED}"),
    (re.compile(r"(?i)([?&](?:access_token|token|api_key|apikey|password|secret)=)[^&#\s\"']*"), rf"\1{REDACTED}"),
    (re.compile(r"(?i)(\b(?:password|passwd|secret)[\"']?\s*[:=]\s*[\"']?)[^\s\"',&}]+"), rf"\1{REDACTED}"),
    (re.compile(r"(://[^/\s:@]+:)[^@\s/]+@"), rf"\1{REDACTED}@"),
)


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _redacted(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class RedactingFilter(logging.Filter):
    """Redacts every record's message and arguments, and stamps it with the request id; drops none."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _redacted(value) for key, value in record.args.items()}
        if getattr(record, "request_id", None) is None:
            record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", "request_id"}``, and ``exception`` when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            "request_id": getattr(record, "request_id", None) or REQUEST_ID.get(),
        }
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exception"] = redact(record.exc_text)
        if record.stack_info:
            entry["stack"] = redact(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The plain format, with the request id (``-`` outside a request)."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        if getattr(record, "request_id", None) is None:
            record.request_id = REQUEST_ID.get() or "-"
        return redact(super().format(record))


def formatter_for(log_format: str) -> logging.Formatter:
    if log_format not in LOG_FORMATS:
        raise ValueError(f"unknown log format {log_format!r}; expected one of {LOG_FORMATS}")
    return JsonFormatter() if log_format == "json" else TextFormatter()


def configure_logging(log_format: str, level: str | int = "INFO") -> logging.Handler:
    """One handler on the root logger, to stderr, in ``log_format``; the handler it replaced (one
    set here before) is removed, so calling it again does not double every line."""
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, "continuum", False):
            root.removeHandler(existing)
    handler = logging.StreamHandler(sys.stderr)
    handler.continuum = True  # type: ignore[attr-defined]
    handler.setFormatter(formatter_for(log_format))
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    logging.captureWarnings(True)  # warnings become log lines too, in the same format
    return handler
