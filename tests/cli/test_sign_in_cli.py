"""`continuum sign-in-link` and the console link `continuum dev` prints."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.app import create_app
from cli.dev import _local_admin_access
from cli.main import main
from tests.web.console import csrf_of


def sign_in_with(client: TestClient, url: str) -> None:
    path = url.removeprefix("http://127.0.0.1:8000")
    page = client.get(path)
    token = path.split("token=")[1]
    done = client.post("/console/sign-in/link", data={"token": token, "csrf": csrf_of(page.text)},
                       follow_redirects=False)
    assert done.status_code == 303, done.text


def test_the_link_is_alone_on_the_last_line_and_signs_the_person_in(cli_env, engine, capsys):
    assert main(["demo"]) == 0
    capsys.readouterr()
    assert main(["sign-in-link", "Daniel.Price@example.org"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "Daniel Price (contact_point, Ministry of Interior)" in out[0]
    assert out[-1].startswith("http://127.0.0.1:8000/console/sign-in/link?token=csl_")
    with TestClient(create_app(cli_env, engine)) as client:
        sign_in_with(client, out[-1])
        assert client.cookies.get("continuum_session", path="/console")


def test_an_unknown_address_is_one_clear_line(cli_env, capsys):
    assert main(["migrate"]) == 0
    assert main(["sign-in-link", "nobody@example.org"]) == 1
    assert "no person with the address 'nobody@example.org'" in capsys.readouterr().err


def test_the_public_url_names_the_links_host(cli_env, engine, monkeypatch, capsys):
    from workflow.core import get_settings

    assert main(["demo"]) == 0
    monkeypatch.setenv("CONTINUUM_PUBLIC_URL", "https://continuum.example.al/")
    get_settings.cache_clear()
    try:
        assert main(["sign-in-link", "arta.hoxha@example.org"]) == 0
    finally:
        get_settings.cache_clear()
    assert capsys.readouterr().out.splitlines()[-1].startswith("https://continuum.example.al/console/sign-in/link?")


def test_dev_signs_in_a_local_administrator(settings, engine):
    _token, link = _local_admin_access(settings, "http://127.0.0.1:8000")
    again_token, again = _local_admin_access(settings, "http://127.0.0.1:8000")  # a second start: same person
    assert link != again
    with TestClient(create_app(settings, engine)) as client:
        sign_in_with(client, again)
        page = client.get("/console/admin/institutions")
        assert page.status_code == 200 and "Local administrator" in page.text
