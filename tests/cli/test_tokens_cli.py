"""`continuum tokens create|list|revoke`, and the admin token `continuum dev` and `continuum demo` print."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from cli.dev import _local_admin_access
from cli.main import main
from tests.api.helpers import bearer
from workflow.access.models import ApiToken
from workflow.core.db import new_session
from workflow.core.settings import Settings, get_settings


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, settings: Settings, engine) -> Iterator[Settings]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONTINUUM_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("CONTINUUM_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    yield settings
    get_settings.cache_clear()


def create(capsys, *args: str) -> tuple[int, list[str], str]:
    code = main(["tokens", "create", *args])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err.strip()


def test_create_prints_the_secret_alone_on_the_last_line_and_it_authenticates(cli_env, client, anonymous, capsys):
    institution = client.post("/institutions", json={"name": "Ministry of Interior"}).json()["id"]
    code, lines, _ = create(capsys, "--role", "coordinator", "--institution", "ministry of interior",
                            "--name", "arta-moi", "--expires-in-days", "7")
    assert code == 0
    secret = lines[-1]
    assert secret.startswith("ctm_") and " " not in secret
    assert "arta-moi" in lines[0] and "coordinator" in lines[0]

    tokens = client.get("/tokens").json()["items"]
    arta = next(t for t in tokens if t["name"] == "arta-moi")
    assert (arta["role"], arta["institution_id"], arta["prefix"]) == ("coordinator", institution, secret[:12])
    response = anonymous.post("/strategies", headers=bearer(secret), json={
        "title": "T", "policy_area": "migration", "lead_institution_id": institution,
        "period_start": "2024-01-01", "period_end": "2030-12-31"})
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "coordinator", "--name", "c"], "must name the institution"),
        (["--role", "coordinator", "--name", "c", "--institution", "Nowhere"], "no institution named 'Nowhere'"),
        (["--role", "viewer", "--name", "42"], "bare number"),
        (["--role", "viewer", "--name", "test-admin"], "exists already"),
    ],
)
def test_create_refusals_are_one_line_and_exit_1(cli_env, client, capsys, args, message):
    code, lines, err = create(capsys, *args)
    assert (code, lines) == (1, [])
    assert err.startswith("continuum tokens: ") and message in err and "\n" not in err


@pytest.mark.parametrize("args", [["--role", "root", "--name", "x"], ["--name", "x"],
                                  ["--role", "viewer", "--name", "x", "--expires-in-days", "0"]])
def test_usage_errors_exit_2(cli_env, args, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["tokens", "create", *args])
    assert exited.value.code == 2


def test_list_shows_status_but_never_secrets_and_revoke_takes_name_or_id(cli_env, client, anonymous, capsys):
    _, first, _ = create(capsys, "--role", "viewer", "--name", "reader")
    _, second, _ = create(capsys, "--role", "admin", "--name", "ops")

    assert main(["tokens", "revoke", "reader"]) == 0
    assert "token 'reader' (id 2) revoked on" in capsys.readouterr().out
    assert main(["tokens", "revoke", "3"]) == 0
    assert main(["tokens", "revoke", "3"]) == 0
    assert "was already revoked" in capsys.readouterr().out.splitlines()[-1]
    assert main(["tokens", "revoke", "nobody"]) == 1
    assert "no token named 'nobody'" in capsys.readouterr().err

    assert main(["tokens", "list"]) == 0
    listing = capsys.readouterr().out
    for secret in (first[-1], second[-1]):
        assert secret not in listing and secret[:12] + "..." in listing
    rows = {line.split()[1]: line.split() for line in listing.splitlines()[2:]}
    assert (rows["reader"][5], rows["ops"][5], rows["test-admin"][5]) == ("revoked", "revoked", "active")
    assert anonymous.get("/strategies", headers=bearer(first[-1])).status_code == 401


def test_tokens_refuse_an_unmigrated_database(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONTINUUM_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    get_settings.cache_clear()
    try:
        assert main(["tokens", "list"]) == 1
    finally:
        get_settings.cache_clear()
    assert "run `continuum migrate` first" in capsys.readouterr().err


def test_dev_issues_a_working_local_admin_token(settings, engine, anonymous):
    secret, _link = _local_admin_access(settings, "http://127.0.0.1:8000")
    assert anonymous.get("/tokens", headers=bearer(secret)).status_code == 200
    with new_session(engine) as session:
        token = session.scalar(select(ApiToken).where(ApiToken.prefix == secret[:12]))
    assert token.role == "admin" and token.name.startswith("local-admin-")


def test_demo_ends_with_a_working_admin_token(cli_env, anonymous, capsys):
    assert main(["demo"]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith("export TOKEN=ctm_")
    listing = anonymous.get("/strategies", headers=bearer(last.removeprefix("export TOKEN=")))
    assert listing.status_code == 200 and listing.json()["total"] == 12
