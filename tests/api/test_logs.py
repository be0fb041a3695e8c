"""Structured logs: the request id (taken from X-Request-ID when sane, else made up) is echoed and
is in every JSON log line of the request, uvicorn's access line included; no secret ever is."""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from tests.api.helpers import bearer
from tests.smtp_sink import free_port
from tests.waiting import wait_until_healthy
from workflow.core import JsonFormatter, RedactingFilter, configure_logging, redact
from workflow.core.db import make_engine, unit_of_work
from workflow.directory import ContactCreate, InstitutionCreate, create_contact, create_institution
from workflow.feeds import FeedOwner, issue_feed

GUESS = "ctm_" + "G" * 43
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
WEBHOOK_SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """Everything logged meanwhile, as the JSON format writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def parsed(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_a_sane_request_id_is_echoed_and_anything_else_replaced(anonymous):
    assert anonymous.get("/health", headers={"X-Request-ID": "abc-123.x:y"}).headers["x-request-id"] == "abc-123.x:y"
    for insane in ("a" * 129, "two words", "tab\there", "a/b", "x;y", ""):
        echoed = anonymous.get("/health", headers={"X-Request-ID": insane}).headers["x-request-id"]
        assert echoed != insane and len(echoed) == 32 and echoed.isalnum()
    first, second = (anonymous.get("/health").headers["x-request-id"] for _ in range(2))
    assert first != second


def test_every_log_line_of_a_request_carries_its_id_and_no_secret(anonymous, json_lines):
    response = anonymous.get("/strategies", headers={**bearer(GUESS), "X-Request-ID": "req-42"})
    assert response.status_code == 401 and response.headers["x-request-id"] == "req-42"
    lines = parsed(json_lines)
    refused = [line for line in lines if line["logger"] == "continuum.tokens"]
    assert refused and all(line["request_id"] == "req-42" for line in refused)
    assert set(refused[0]) >= {"time", "level", "logger", "message", "request_id"}
    assert refused[0]["level"] == "INFO" and refused[0]["time"].endswith("+00:00")
    assert GUESS not in json_lines.getvalue() and GUESS[4:16] not in json_lines.getvalue()


def test_outside_a_request_the_request_id_is_null_and_exceptions_are_included_redacted(json_lines):
    log = logging.getLogger("continuum.test")
    try:
        raise RuntimeError(f"could not sign with {WEBHOOK_SECRET} for Bearer {GUESS} password=hunter2")
    except RuntimeError:
        log.exception("delivery to https://user:pa55@hooks.example.org/x failed, token %s", GUESS)
    (line,) = parsed(json_lines)
    assert line["request_id"] is None and line["level"] == "ERROR"
    assert "RuntimeError" in line["exception"] and "[REDACTED]" in line["exception"]
    for secret in (WEBHOOK_SECRET, GUESS, "hunter2", "pa55"):
        assert secret not in json_lines.getvalue()


@pytest.mark.parametrize("text", [
    f"Authorization: Bearer {GUESS}", f"GET /calendars/ccf_{'x' * 43}.ics HTTP/1.1", WEBHOOK_SECRET,
    "postgresql://continuum:s3cret@db/continuum", '{"password": "s3cret"}', "/x?token=s3cret&y=1",
])
def test_redaction_leaves_no_secret(text):
    cleaned = redact(text)
    assert "[REDACTED]" in cleaned
    assert not any(secret in cleaned for secret in (GUESS, "x" * 43, WEBHOOK_SECRET, "s3cret"))


def test_configuring_twice_keeps_one_handler():
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        configure_logging("json")
        handler = configure_logging("json", "warning")
        assert [h for h in root.handlers if h not in before] == [handler]
        assert isinstance(handler.formatter, JsonFormatter)
    finally:
        for extra in [h for h in root.handlers if h not in before]:
            root.removeHandler(extra)


def test_continuum_serve_writes_json_lines_with_the_request_id_and_never_a_feed_token(tmp_path):
    database = f"sqlite:///{tmp_path / 'continuum.db'}"
    env = {**os.environ, "CONTINUUM_DATA_DIR": str(tmp_path / "data"), "CONTINUUM_DATABASE_URL": database,
           "CONTINUUM_LOG_FORMAT": "json"}
    subprocess.run([sys.executable, "-m", "cli", "migrate"], env=env, cwd=tmp_path, check=True, capture_output=True)
    engine = make_engine(database)
    with unit_of_work(engine) as s:
        moi = create_institution(s, InstitutionCreate(name="Ministry of Interior"), now=NOW)
        arta = create_contact(s, ContactCreate(name="Arta Hoxha", email="arta@example.org", institution_id=moi.id,
                                               roles=["coordinator"]), now=NOW)
        feed = issue_feed(s, FeedOwner(contact=arta), now=NOW).plain
    engine.dispose()
    port = free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        server = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(port)], env=env, cwd=tmp_path,
                                  stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_healthy(f"{base}/health", process=server, timeout=60)
            with httpx.Client(base_url=base, trust_env=False) as client:
                assert client.get(f"/calendars/{feed}.ics", headers={"X-Request-ID": "feed-1"}).status_code == 200
                guessed = client.get("/strategies", headers={**bearer(GUESS), "X-Request-ID": "guess-1"})
                assert guessed.status_code == 401
        finally:
            server.send_signal(signal.SIGINT)
            code = server.wait(timeout=30)
    output = log_path.read_text()
    assert code == 0, output
    assert feed not in output and feed[4:20] not in output and GUESS[4:] not in output, output
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "uvicorn.access"]
    assert any(line["request_id"] == "feed-1" and "/calendars/[REDACTED]" in line["message"] for line in access), output
    assert any(line["request_id"] == "guess-1" and line["logger"] == "continuum.tokens" for line in lines), output
    assert all(set(line) >= {"time", "level", "logger", "message", "request_id"} for line in lines)
