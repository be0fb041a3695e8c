"""Where logging is set up: uvicorn's configuration and Celery's signals, in the format chosen."""

from __future__ import annotations

import logging

from celery import signals

from cli.logs import configure_worker_logging, server_log_config
from workflow.core import REQUEST_ID, JsonFormatter


def test_the_servers_configuration_redacts_every_handler_and_writes_json_when_asked():
    for log_format in ("text", "json"):
        config = server_log_config(log_format, "warning")
        assert all("continuum_redact" in handler["filters"] for handler in config["handlers"].values())
        assert config["root"] == {"handlers": ["default"], "level": "WARNING"}
    formatters = server_log_config("json")["formatters"]
    assert {name: spec["()"] for name, spec in formatters.items()} == {
        "default": "workflow.core.logs.JsonFormatter", "access": "workflow.core.logs.JsonFormatter"}


def test_json_workers_log_through_continuum_with_the_task_id_as_request_id():
    root = logging.getLogger()
    before = list(root.handlers)
    receivers = {signal: list(signal.receivers) for signal in (signals.setup_logging, signals.task_prerun,
                                                               signals.task_postrun)}
    try:
        configure_worker_logging("json")
        signals.setup_logging.send(sender=None, loglevel=logging.INFO, logfile=None, format="", colorize=False)
        added = [h for h in root.handlers if h not in before]
        assert len(added) == 1 and isinstance(added[0].formatter, JsonFormatter)
        signals.task_prerun.send(sender=None, task_id="task-7", task=None)
        assert REQUEST_ID.get() == "task-7"
        signals.task_postrun.send(sender=None, task_id="task-7", task=None)
        assert REQUEST_ID.get() is None
    finally:
        for extra in [h for h in root.handlers if h not in before]:
            root.removeHandler(extra)
        for signal, kept in receivers.items():
            signal.receivers[:] = kept
        logging.captureWarnings(False)


def test_a_feed_token_in_an_access_log_record_is_redacted_before_any_formatter_sees_it():
    from workflow.core import RedactingFilter

    token = "ccf_" + "T0k3n" * 8 + "abc"
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", f"/calendars/{token}.ics", "1.1", 200), None)
    assert RedactingFilter().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /calendars/[REDACTED] HTTP/1.1" 200'
