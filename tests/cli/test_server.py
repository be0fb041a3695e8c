"""`continuum serve`: uvicorn's access log never shows a token sent, by mistake, in a query string."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys

import httpx

from api.security import RedactSecrets
from tests.smtp_sink import free_port
from tests.waiting import wait_until_healthy

SECRET = "ctm_" + "S3cr3t" * 7 + "x"


def test_tokens_in_query_strings_are_redacted_in_the_access_log(tmp_path):
    port = free_port()
    env = {**os.environ, "CONTINUUM_DATA_DIR": str(tmp_path / "data"),
           "CONTINUUM_DATABASE_URL": f"sqlite:///{tmp_path / 'continuum.db'}"}
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        server = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(port)], env=env, cwd=tmp_path,
                                  stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_healthy(f"{base}/health", process=server, timeout=60)
            with httpx.Client(base_url=base, trust_env=False) as client:
                client.get(f"/health?access_token={SECRET}&verbose=1")
                client.get(f"/docs?token={SECRET}")
                client.get(f"/health?api_key=k1&Token={SECRET}")
                client.get(f"/health/{SECRET}")
        finally:
            server.send_signal(signal.SIGINT)
            code = server.wait(timeout=30)
    output = log_path.read_text()
    assert code == 0, output
    assert "S3cr3t" not in output, output
    assert "GET /health?access_token=[REDACTED]&verbose=1 HTTP/1.1" in output, output
    assert "GET /docs?token=[REDACTED] HTTP/1.1" in output, output
    assert "Token=[REDACTED]" in output and "GET /health/[REDACTED] HTTP/1.1" in output, output


def test_the_filter_leaves_other_query_parameters_alone():
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", f"/gaps?as_of=2023-06-30&token={SECRET}", "1.1", 200), None)
    assert RedactSecrets().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /gaps?as_of=2023-06-30&token=[REDACTED] HTTP/1.1" 200'
