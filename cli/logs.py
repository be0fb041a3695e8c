"""Where each process's logging is set up, in the one format ``CONTINUUM_LOG_FORMAT`` names.

``continuum serve``: uvicorn's own configuration (``server_log_config``), its access log included,
with Continuum's loggers on the same handler, every handler redacting secrets
(``workflow.core.RedactingFilter``) and, for ``json``, writing one JSON object per line.
``continuum worker`` and ``continuum beat`` (``configure_worker_logging``): for ``json``, Celery
leaves the logging to ``workflow.core.configure_logging`` and each task's lines carry its task id
as their ``request_id``; for ``text``, Celery's own format, redacted.
"""

from __future__ import annotations

import logging
from typing import Any

from api.security import access_log_config

_FORMATTER = "workflow.core.logs.JsonFormatter"
_FILTER = "workflow.core.logs.RedactingFilter"


def server_log_config(log_format: str, level: str = "info") -> dict[str, Any]:
    config = access_log_config()
    config["filters"]["continuum_redact"] = {"()": _FILTER}
    for handler in config["handlers"].values():
        handler["filters"].append("continuum_redact")
    if log_format == "json":
        config["formatters"] = {"default": {"()": _FORMATTER}, "access": {"()": _FORMATTER}}
    config["root"] = {"handlers": ["default"], "level": level.upper()}  # Continuum's own loggers, and the rest
    return config


def configure_worker_logging(log_format: str) -> None:
    """Connect Celery's logging signals (before ``worker_main``) so its processes log in ``log_format``."""
    from celery import signals

    from workflow.core import REQUEST_ID, RedactingFilter, configure_logging

    if log_format == "json":

        def set_up(loglevel: Any = logging.INFO, **_: Any) -> None:
            configure_logging("json", loglevel or logging.INFO)

        def task_started(task_id: str | None = None, **_: Any) -> None:
            REQUEST_ID.set(task_id)

        def task_ended(**_: Any) -> None:
            REQUEST_ID.set(None)

        signals.setup_logging.connect(set_up, weak=False)
        signals.task_prerun.connect(task_started, weak=False)
        signals.task_postrun.connect(task_ended, weak=False)
        return

    def redact_handlers(logger: logging.Logger | None = None, **_: Any) -> None:
        for handler in (logger or logging.getLogger()).handlers:
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(RedactingFilter())

    signals.after_setup_logger.connect(redact_handlers, weak=False)
    signals.after_setup_task_logger.connect(redact_handlers, weak=False)
