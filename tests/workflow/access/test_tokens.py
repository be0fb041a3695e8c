"""The token service: secrets stored only as hashes, expiry, revocation, and what is never logged."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select, text
from sqlmodel import Session

from tests import factories as f
from tests.factories import T0
from workflow.access.models import ApiToken
from workflow.access.tokens import (
    LAST_USED_GRANULARITY,
    TokenCreate,
    TokenRefused,
    find_token,
    issue_local_admin_token,
    issue_token,
    mark_used,
    revoke_token,
    token_status,
    verify_token,
)
from workflow.core.errors import Conflict, NotFound, ValidationFailed


def issue(session: Session, name: str = "arta", role: str = "admin", institution_id: int | None = None,
          days: int | None = 30, **fields) -> tuple[ApiToken, str]:
    command = TokenCreate(name=name, role=role, institution_id=institution_id, **fields)
    issued = issue_token(session, command, now=T0, default_lifetime_days=days)
    return issued.row, issued.plain


def test_only_the_sha256_of_a_high_entropy_secret_is_stored(session):
    row, plain = issue(session)
    session.commit()

    assert plain.startswith("ctm_") and len(plain) >= 40
    stored = session.execute(text("SELECT * FROM api_tokens")).mappings().one()
    assert plain not in {str(value) for value in stored.values()}
    assert stored["token_hash"] == hashlib.sha256(plain.encode()).hexdigest()
    assert stored["prefix"] == plain[:12]
    assert issue(session, name="other")[1] != plain


def test_the_issued_token_does_not_show_its_secret_in_reprs(session):
    command = TokenCreate(name="arta", role="admin")
    issued = issue_token(session, command, now=T0, default_lifetime_days=30)
    assert issued.plain not in repr(issued)


def test_nothing_logs_the_secret(session, caplog):
    caplog.set_level(logging.DEBUG)
    row, plain = issue(session, days=1)
    verify_token(session, plain, now=T0)
    with pytest.raises(TokenRefused):
        verify_token(session, plain + "x", now=T0)
    with pytest.raises(TokenRefused):
        verify_token(session, plain, now=T0 + timedelta(days=2))
    revoke_token(session, row, now=T0)
    with pytest.raises(TokenRefused):
        verify_token(session, plain, now=T0)

    assert caplog.records, "the service logs issuing, refusals and revocations"
    assert not [r for r in caplog.records if plain[12:] in r.getMessage()]


def test_a_token_lives_for_the_default_lifetime_or_its_own(session):
    assert issue(session, name="a", days=90)[0].expires_at == T0 + timedelta(days=90)
    assert issue(session, name="b", days=90, expires_in_days=7)[0].expires_at == T0 + timedelta(days=7)
    assert issue(session, name="c", days=None)[0].expires_at is None


def test_verify_finds_the_live_token_and_says_why_others_are_refused(session):
    row, plain = issue(session, days=1)
    assert verify_token(session, plain, now=T0 + timedelta(hours=23)).id == row.id

    with pytest.raises(TokenRefused, match="expired on"):
        verify_token(session, plain, now=T0 + timedelta(days=1))
    with pytest.raises(TokenRefused, match="not valid"):
        verify_token(session, plain[:-1] + ("A" if plain[-1] != "A" else "B"), now=T0)
    with pytest.raises(TokenRefused, match="not a Continuum token"):
        verify_token(session, "eyJhbGciOiJIUzI1NiJ9.e30.x", now=T0)
    with pytest.raises(TokenRefused, match="not a Continuum token"):
        verify_token(session, "ctm_" + "a" * 500, now=T0)

    revoke_token(session, row, now=T0 + timedelta(hours=1))
    with pytest.raises(TokenRefused, match="revoked on"):
        verify_token(session, plain, now=T0 + timedelta(hours=2))
    assert token_status(row, T0 + timedelta(hours=2)) == "revoked"


def test_revoking_twice_keeps_the_first_time(session):
    row, _ = issue(session)
    revoke_token(session, row, now=T0)
    revoke_token(session, row, now=T0 + timedelta(days=1))
    assert row.revoked_at == T0


def test_names_are_unique_and_not_bare_numbers(session):
    issue(session, name="arta")
    with pytest.raises(Conflict, match="exists already"):
        issue(session, name="arta")
    with pytest.raises(ValidationError, match="bare number"):
        TokenCreate(name="42", role="viewer")
    with pytest.raises(ValidationError):
        TokenCreate(name="evil\r\nBcc: x@example.org", role="viewer")


@pytest.mark.parametrize("role", ["coordinator", "contact_point"])
def test_institution_bound_roles_need_an_existing_institution(session, role):
    with pytest.raises(ValidationFailed) as missing:
        issue(session, role=role)
    assert missing.value.errors[0].pointer == "#/institution_id"
    with pytest.raises(ValidationFailed, match="no institution with id 99"):
        issue(session, role=role, institution_id=99)
    row, _ = issue(session, role=role, institution_id=f.institution(session))
    assert row.institution_id is not None


def test_find_by_name_or_id(session):
    row, _ = issue(session, name="arta")
    assert find_token(session, "arta").id == row.id
    assert find_token(session, str(row.id)).id == row.id
    with pytest.raises(NotFound):
        find_token(session, "nobody")
    with pytest.raises(NotFound):
        find_token(session, "999")


def test_last_use_is_recorded_at_most_once_per_granularity(session):
    row, _ = issue(session)
    mark_used(session, row, T0)
    session.refresh(row)
    assert row.last_used_at == T0
    mark_used(session, row, T0 + LAST_USED_GRANULARITY - timedelta(seconds=1))
    session.refresh(row)
    assert row.last_used_at == T0
    later = T0 + LAST_USED_GRANULARITY + timedelta(seconds=1)
    mark_used(session, row, later)
    session.refresh(row)
    assert row.last_used_at == later


def test_local_admin_tokens_are_fresh_admins_for_thirty_days(session):
    first = issue_local_admin_token(session, T0)
    second = issue_local_admin_token(session, T0)  # the same second: names still differ
    rows = session.scalars(select(ApiToken).order_by(ApiToken.id)).all()
    assert first != second
    assert [r.role for r in rows] == ["admin", "admin"]
    assert rows[0].name == "local-admin-20260105-090000"
    assert rows[1].name.startswith("local-admin-20260105-090000-")
    assert {r.expires_at for r in rows} == {T0 + timedelta(days=30)}
    assert verify_token(session, second, now=T0).id == rows[1].id
