"""Every response says nosniff and no-referrer; HTML ones carry a Content-Security-Policy."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_html_responses_carry_the_security_headers(anonymous, path):
    response = anonymous.get(path)
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize("path", ["/health", "/openapi.json", "/strategies", "/no/such/thing"])
def test_json_and_problem_responses_are_nosniff_and_may_not_be_framed(anonymous, path):
    response = anonymous.get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_the_413_of_the_body_limit_carries_them_too(client):
    response = client.post("/institutions", content=b" " * (1_048_576 + 1))
    assert response.status_code == 413
    assert response.headers["x-content-type-options"] == "nosniff"


def test_an_unexpected_error_carries_the_security_headers_too(settings, engine, token_for):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from tests.api.helpers import bearer

    app = create_app(settings, engine)

    @app.get("/_boom")
    def boom() -> None:
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/_boom", headers=bearer(token_for("admin")))
    assert response.status_code == 500
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
